package provider

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tetherauth/tether/verification"
)

// catalogue is the slugs of the catalogue providers, one package each under
// provider/ but for LinkedIn's two products, both in provider/linkedin (see
// the package documentation's table).
var catalogue = []string{
	"apple", "atlassian", "bitbucket", "box", "coinbase", "discord", "dropbox",
	"facebook", "github", "gitlab", "google", "hubspot", "huggingface",
	"instagram", "line", "linear", "linkedin", "linkedin_oidc", "microsoft",
	"notion", "slack", "spotify", "tiktok", "twitch", "twitter", "vercel", "x", "xero",
}

// Catalogue returns the strategies of the catalogue providers (oauth_apple,
// oauth_discord, ...), sorted. Each is served by the package of the same
// name under provider/ (oauth_linkedin_oidc by provider/linkedin).
func Catalogue() []verification.Strategy {
	out := make([]verification.Strategy, len(catalogue))
	for i, slug := range catalogue {
		out[i] = verification.MustParseStrategy("oauth_" + slug)
	}
	return out
}

// IsCatalogue reports whether s is the strategy of a catalogue provider.
func IsCatalogue(s verification.Strategy) bool {
	return !s.IsCustom() && slices.Contains(catalogue, s.Slug())
}

// Registry resolves strategies to providers: catalogue providers under
// oauth_<name> (oauth_google), host-defined ones under oauth_custom_<slug>
// (oauth_custom_dev). A registered provider can be disabled and enabled
// again at run time, to take it out of service without restarting. The zero
// Registry is empty and ready to use; it is safe for concurrent use.
//
// Providers are checked when they are built (each package's New fails on a
// missing client id, secret or key) and when they are registered, so that a
// misconfiguration shows at start-up, never at a user's callback.
type Registry struct {
	mu        sync.RWMutex
	providers map[verification.Strategy]Provider
	disabled  map[verification.Strategy]bool
}

// NewRegistry returns a Registry holding ps, all enabled. It fails as
// Register does.
func NewRegistry(ps ...Provider) (*Registry, error) {
	r := &Registry{}
	for _, p := range ps {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds p, enabled. It is an error when p is nil, has no strategy,
// has a strategy that is already registered, or has an oauth_<name>
// strategy that is not a catalogue provider's (a provider the host defines
// is oauth_custom_<slug>).
func (r *Registry) Register(p Provider) error {
	if p == nil {
		return fmt.Errorf("provider: Register of a nil Provider")
	}
	s := p.Strategy()
	if s.IsZero() {
		return fmt.Errorf("provider: Register of a provider without a strategy")
	}
	if !s.IsCustom() && !IsCatalogue(s) {
		return fmt.Errorf("provider: %s is not a catalogue strategy; a provider the host defines is oauth_custom_<slug>", s)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.providers[s]; dup {
		return fmt.Errorf("provider: strategy %s registered twice", s)
	}
	if r.providers == nil {
		r.providers = make(map[verification.Strategy]Provider)
	}
	r.providers[s] = p
	return nil
}

// SetEnabled enables or disables the provider of s. A disabled provider
// stays registered, but Lookup reports it as not enabled: new connections
// are refused, and callbacks of flows it started fail. It is an error when
// nobody registered s.
func (r *Registry) SetEnabled(s verification.Strategy, enabled bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.providers[s]; !ok {
		return fmt.Errorf("provider: strategy %s is not registered", s)
	}
	if enabled {
		delete(r.disabled, s)
		return nil
	}
	if r.disabled == nil {
		r.disabled = make(map[verification.Strategy]bool)
	}
	r.disabled[s] = true
	return nil
}

// Lookup returns the provider of s. A strategy nobody registered, or whose
// provider is disabled, is verification.ErrProviderNotEnabled with
// meta.param_name "strategy" and meta.strategy naming s.
func (r *Registry) Lookup(s verification.Strategy) (Provider, error) {
	r.mu.RLock()
	p, ok := r.providers[s]
	disabled := r.disabled[s]
	r.mu.RUnlock()
	switch {
	case !ok:
		return nil, verification.ErrProviderNotEnabled.WithParam("strategy").WithMeta("strategy", s.String()).
			WithLongMessage("No provider is configured for " + s.String() + ".")
	case disabled:
		return nil, verification.ErrProviderNotEnabled.WithParam("strategy").WithMeta("strategy", s.String()).
			WithLongMessage("The provider " + s.String() + " is disabled.")
	}
	return p, nil
}

// Strategies returns the strategies of the enabled providers, sorted.
func (r *Registry) Strategies() []verification.Strategy {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]verification.Strategy, 0, len(r.providers))
	for s := range r.providers {
		if !r.disabled[s] {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b verification.Strategy) int { return strings.Compare(a.String(), b.String()) })
	return out
}
