package catalog

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/verification"
)

// The constructors of provider/oidc and provider/oauth2 that take hooks,
// asserted once (see provider/internal/hooks).
var (
	newOIDC   = hooks.NewOIDC.(func(context.Context, oidc.Config, hooks.OIDC) (*oidc.Provider, error))
	newOAuth2 = hooks.NewOAuth2.(func(oauth2.Config, hooks.OAuth2) (*oauth2.Provider, error))
)

// OIDCWithHooks is oidc.New with hooks, for the tests of provider/oidc.
func OIDCWithHooks(ctx context.Context, cfg oidc.Config, h hooks.OIDC) (*oidc.Provider, error) {
	return newOIDC(ctx, cfg, h)
}

// OAuth2WithHooks is oauth2.New with hooks, for the tests of
// provider/oauth2.
func OAuth2WithHooks(cfg oauth2.Config, h hooks.OAuth2) (*oauth2.Provider, error) {
	return newOAuth2(cfg, h)
}

// NewOAuth2 returns the OAuth 2.0 provider of spec for host. It does no
// I/O; it fails, with the provider's slug as prefix, when the host left out
// its credentials, set a negative HTTP setting, or spec contradicts
// itself.
func NewOAuth2(spec OAuth2, host Host) (*oauth2.Provider, error) {
	if err := spec.check(host, spec.Revoke != nil, false); err != nil {
		return nil, err
	}
	p, err := newOAuth2(oauth2.Config{
		Strategy:     spec.Strategy,
		Title:        spec.Title,
		ClientID:     host.ClientID,
		ClientSecret: host.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:       spec.Endpoint.AuthURL,
			TokenURL:      spec.Endpoint.TokenURL,
			UserinfoURL:   spec.Endpoint.UserinfoURL,
			RevocationURL: spec.Endpoint.RevocationURL,
		},
		Scopes:         host.scopes(spec.DefaultScopes),
		ScopeSeparator: spec.ScopeSeparator,
		AuthStyle:      spec.AuthStyle,
		DisablePKCE:    spec.DisablePKCE,
		MapProfile:     spec.MapProfile,
		HTTP:           host.HTTP,
	}, spec.OAuth2)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Strategy.Slug(), err)
	}
	return p, nil
}

// NewOIDC returns the OpenID Connect provider of spec for host, with the
// endpoints of spec (no discovery request). It does no I/O and fails as
// NewOAuth2 does, and when the client secret is missing while spec has no
// ClientSecretFunc.
func NewOIDC(spec OIDC, host Host) (*oidc.Provider, error) {
	if err := spec.check(host, spec.Revoke != nil, spec.ClientSecretFunc != nil); err != nil {
		return nil, err
	}
	p, err := newOIDC(context.Background(), oidc.Config{
		Strategy:            spec.Strategy,
		Title:               spec.Title,
		Issuer:              spec.Issuer,
		ClientID:            host.ClientID,
		ClientSecret:        host.ClientSecret,
		AdditionalAudiences: host.AdditionalAudiences,
		Scopes:              host.scopes(spec.DefaultScopes),
		Endpoints: &oidc.Endpoints{
			AuthURL:       spec.Endpoint.AuthURL,
			TokenURL:      spec.Endpoint.TokenURL,
			JWKSURL:       spec.Endpoint.JWKSURL,
			UserinfoURL:   spec.Endpoint.UserinfoURL,
			RevocationURL: spec.Endpoint.RevocationURL,
		},
		AuthStyle:       spec.AuthStyle,
		ExtraAuthParams: spec.ExtraAuthParams,
		SkipUserinfo:    spec.Endpoint.UserinfoURL == "",
		DisablePKCE:     spec.DisablePKCE,
		HTTP:            host.HTTP,
		ClockSkew:       host.ClockSkew,
	}, spec.OIDC)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Strategy.Slug(), err)
	}
	return p, nil
}

// declared holds the Capabilities of every Spec a constructor built, by
// strategy, for tests that hold them to the Provider types.
var declared sync.Map

// Declared returns the capabilities the Spec of strategy s declared, once
// a provider of s was built.
func Declared(s verification.Strategy) (Capabilities, bool) {
	c, ok := declared.Load(s)
	if !ok {
		return Capabilities{}, false
	}
	return c.(Capabilities), true
}

// check reports what is missing from host, and a spec whose declared
// capabilities its endpoints contradict.
func (s *Spec) check(host Host, revokeHook, secretFunc bool) error {
	slug := s.Strategy.Slug()
	switch {
	case host.ClientID == "":
		return fmt.Errorf("%s: Config.ClientID is required", slug)
	case host.ClientSecret == "" && !secretFunc:
		return fmt.Errorf("%s: Config.ClientSecret is required", slug)
	case s.Capabilities.Revoke != (s.Endpoint.RevocationURL != "" || revokeHook):
		return fmt.Errorf("%s: the spec declares Revoke %t but has %q and a revocation hook %t", slug, s.Capabilities.Revoke, s.Endpoint.RevocationURL, revokeHook)
	case s.AuthStyle == 0:
		return fmt.Errorf("%s: the spec declares no AuthStyle", slug)
	}
	if _, err := oauthclient.NewHTTP(slug, host.HTTP); err != nil {
		return err
	}
	declared.Store(s.Strategy, s.Capabilities)
	return nil
}

// scopes returns the host's scopes, or defaults.
func (h Host) scopes(defaults []string) []string {
	if len(h.Scopes) > 0 {
		return slices.Clone(h.Scopes)
	}
	return slices.Clone(defaults)
}
