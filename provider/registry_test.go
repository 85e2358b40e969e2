package provider_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/verification"
)

// stub is a provider with any strategy, for registration tests.
type stub struct{ s verification.Strategy }

func (p stub) Strategy() verification.Strategy { return p.s }
func (p stub) Metadata() provider.Metadata     { return provider.Metadata{Title: "Stub"} }
func (p stub) AuthCodeURL(context.Context, provider.AuthRequest) (string, error) {
	return "https://idp.example/authorize", nil
}
func (p stub) Exchange(context.Context, provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return nil, nil, errors.New("stub")
}

func newGitHub(t *testing.T) *github.Provider {
	t.Helper()
	p, err := github.New(github.Config{Credentials: provider.Credentials{ClientID: "id", ClientSecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegister(t *testing.T) {
	tests := []struct {
		name string
		p    provider.Provider
		want string
	}{
		{"nil", nil, "nil Provider"},
		{"no strategy", stub{}, "without a strategy"},
		{"unknown catalogue strategy", stub{verification.MustParseStrategy("oauth_myspace")}, "oauth_myspace is not a catalogue strategy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r provider.Registry
			if err := r.Register(tt.p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Register: %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		_, err := provider.NewRegistry(newGitHub(t), newGitHub(t))
		if err == nil || !strings.Contains(err.Error(), "registered twice") {
			t.Errorf("NewRegistry: %v", err)
		}
	})
	t.Run("catalogue and custom", func(t *testing.T) {
		r, err := provider.NewRegistry(newGitHub(t), stub{verification.MustParseStrategy("oauth_custom_dev")})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Strategies(); len(got) != 2 || got[0].String() != "oauth_custom_dev" || got[1].String() != "oauth_github" {
			t.Errorf("Strategies %v", got)
		}
	})
}

func TestLookup(t *testing.T) {
	gh := newGitHub(t)
	r, err := provider.NewRegistry(gh)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := r.Lookup(github.Strategy); err != nil || p != provider.Provider(gh) {
		t.Fatalf("Lookup: %v", err)
	}
	_, err = r.Lookup(google.Strategy)
	var verr *verification.Error
	if !errors.As(err, &verr) || !errors.Is(err, verification.ErrProviderNotEnabled) || verr.Meta["strategy"] != "oauth_google" || verr.Meta["param_name"] != "strategy" {
		t.Errorf("unknown: %v %+v", err, verr)
	}
	if err := r.SetEnabled(github.Strategy, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Lookup(github.Strategy); !errors.Is(err, verification.ErrProviderNotEnabled) || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("disabled: %v", err)
	}
	if len(r.Strategies()) != 0 {
		t.Error("Strategies lists a disabled provider")
	}
	if err := r.SetEnabled(github.Strategy, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Lookup(github.Strategy); err != nil {
		t.Errorf("enabled again: %v", err)
	}
	if err := r.SetEnabled(google.Strategy, true); err == nil {
		t.Error("SetEnabled of an unregistered strategy succeeded")
	}
}

func TestCatalogue(t *testing.T) {
	var names []string
	for _, s := range provider.Catalogue() {
		names = append(names, s.Slug())
		if !provider.IsCatalogue(s) {
			t.Errorf("IsCatalogue(%s) = false", s)
		}
	}
	// The catalogue is exactly the strategies the provider packages serve.
	want := catalogueStrategies(t)
	if !slices.IsSorted(names) || !slices.Equal(names, want) {
		t.Errorf("Catalogue %v, want the strategies of the packages under provider/: %v", names, want)
	}
	if provider.IsCatalogue(verification.MustParseStrategy("oauth_custom_google")) {
		t.Error("a custom strategy is catalogue")
	}
}

// TestServiceErrors shows the three configuration errors a host can make
// and where each surfaces: a misconfigured provider when it is built, an
// unknown or a disabled strategy when a user connects; never at a callback.
func TestServiceErrors(t *testing.T) {
	// Misconfigured: New fails, so it is never registered.
	if _, err := google.New(google.Config{Credentials: provider.Credentials{ClientID: "id"}}); err == nil || err.Error() != "google: Config.ClientSecret is required" {
		t.Errorf("google without a secret: %v", err)
	}
	if _, err := oauth2.New(oauth2.Config{Strategy: verification.MustParseStrategy("oauth_custom_acme"), ClientSecret: "s"}); err == nil || !strings.Contains(err.Error(), "ClientID is required") {
		t.Errorf("custom provider without a client id: %v", err)
	}

	e := testkit.New(t, newGitHub(t))
	connect := func(strategy string) error {
		_, err := e.Service.Connect(context.Background(), account.ConnectParams{UserID: "u", Strategy: strategy, RedirectURL: "/settings"})
		return err
	}
	if err := connect("oauth_github"); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if err := connect("oauth_google"); !errors.Is(err, verification.ErrProviderNotEnabled) {
		t.Errorf("unknown strategy: %v", err)
	}
	if err := connect("oauth_nope!"); !errors.Is(err, verification.ErrStrategyInvalid) {
		t.Errorf("malformed strategy: %v", err)
	}
	if err := e.Registry.SetEnabled(github.Strategy, false); err != nil {
		t.Fatal(err)
	}
	if err := connect("oauth_github"); !errors.Is(err, verification.ErrProviderNotEnabled) {
		t.Errorf("disabled provider: %v", err)
	}
}

func TestOAuthError(t *testing.T) {
	tests := []struct {
		err       provider.OAuthError
		text      string
		temporary bool
	}{
		{provider.OAuthError{Status: 400, Code: "invalid_grant"}, "provider answered HTTP 400 with error invalid_grant", false},
		{provider.OAuthError{Status: 401}, "provider answered HTTP 401", false},
		{provider.OAuthError{Status: 200, Code: "bad_verification_code"}, "provider answered HTTP 200 with error bad_verification_code", false},
		{provider.OAuthError{Status: 503}, "provider answered HTTP 503", true},
		{provider.OAuthError{Status: 429}, "provider answered HTTP 429", true},
		{provider.OAuthError{Status: 400, Code: "temporarily_unavailable"}, "provider answered HTTP 400 with error temporarily_unavailable", true},
		{provider.OAuthError{Status: 200, Code: "slow_down"}, "provider answered HTTP 200 with error slow_down", true},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.text || tt.err.Temporary() != tt.temporary {
			t.Errorf("%+v: %q temporary %t", tt.err, tt.err.Error(), tt.err.Temporary())
		}
	}
}

// catalogueStrategies returns the slugs of the strategies declared by the
// packages under provider/ (var Strategy = ...("oauth_<slug>")), sorted.
func catalogueStrategies(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	decl := regexp.MustCompile(`(?m)^var (?:Legacy)?Strategy = verification\.MustParseStrategy\("oauth_([a-z0-9_]+)"\)`)
	var slugs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllSubmatch(b, -1) {
			slugs = append(slugs, string(m[1]))
		}
	}
	slices.Sort(slugs)
	if len(slugs) < 10 {
		t.Fatalf("found only %d catalogue packages: %v", len(slugs), slugs)
	}
	return slices.Compact(slugs)
}
