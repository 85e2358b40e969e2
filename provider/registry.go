package provider

import (
	"fmt"
	"sync"

	"github.com/tetherauth/tether/verification"
)

// Registry resolves strategies to providers. The zero Registry is empty and
// ready to use; it is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	providers map[verification.Strategy]Provider
}

// NewRegistry returns a Registry holding ps. Two providers for one strategy
// are an error.
func NewRegistry(ps ...Provider) (*Registry, error) {
	r := &Registry{}
	for _, p := range ps {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds p. A nil provider, an invalid strategy or a strategy that is
// already registered is an error.
func (r *Registry) Register(p Provider) error {
	if p == nil {
		return fmt.Errorf("provider: Register of a nil Provider")
	}
	s := p.Strategy()
	if s.IsZero() {
		return fmt.Errorf("provider: Register of a provider without a strategy")
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

// Lookup returns the provider of s, or verification.ErrProviderNotEnabled.
func (r *Registry) Lookup(s verification.Strategy) (Provider, error) {
	r.mu.RLock()
	p, ok := r.providers[s]
	r.mu.RUnlock()
	if !ok {
		return nil, verification.ErrProviderNotEnabled.WithParam("strategy")
	}
	return p, nil
}

// Strategies returns the registered strategies in no particular order.
func (r *Registry) Strategies() []verification.Strategy {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]verification.Strategy, 0, len(r.providers))
	for s := range r.providers {
		out = append(out, s)
	}
	return out
}
