package catalog

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/oidc"
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

// NewOAuth2 returns the OAuth 2.0 provider of spec for host as a *P, the
// catalogue package's Provider type: a struct embedding exactly the
// interfaces the provider has (see Capabilities). It does no I/O; it fails,
// with the provider's slug as prefix, when the host left out its
// credentials or set a negative HTTP setting, or when spec contradicts P
// (a Revoker without a revocation endpoint, or the other way round).
func NewOAuth2[P any](spec OAuth2, host Host) (*P, error) {
	if err := spec.check(capabilitiesOf[P](), host, spec.Revoke != nil, false); err != nil {
		return nil, err
	}
	if host.ClockSkew != 0 {
		return nil, fmt.Errorf("%s: Config.ClockSkew is for OpenID Connect providers", spec.Strategy.Slug())
	}
	move, err := spec.relocate(host)
	if err != nil {
		return nil, err
	}
	spec.Endpoint = spec.Endpoint.Map(move)
	if spec.Transport != nil {
		host.HTTP.Client = wrapTransport(host.HTTP.Client, spec.Transport)
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
	return fill[P](p)
}

// NewOIDC returns the OpenID Connect provider of spec for host as a *P,
// with the endpoints of spec (no discovery request). It does no I/O and
// fails as NewOAuth2 does; the client secret may be missing when spec has
// a ClientSecretFunc.
func NewOIDC[P any](spec OIDC, host Host) (*P, error) {
	if err := spec.check(capabilitiesOf[P](), host, spec.Revoke != nil, spec.ClientSecretFunc != nil); err != nil {
		return nil, err
	}
	move, err := spec.relocate(host)
	if err != nil {
		return nil, err
	}
	spec.Endpoint, spec.Issuer = spec.Endpoint.Map(move), move(spec.Issuer)
	if spec.Transport != nil {
		host.HTTP.Client = wrapTransport(host.HTTP.Client, spec.Transport)
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

			IssuerParameterSupported: spec.IssuerParameter,
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
	return fill[P](p)
}

// check reports what is missing from host, and a spec whose declared
// capabilities its endpoints contradict.
func (s *Spec) check(c Capabilities, host Host, revokeHook, secretFunc bool) error {
	slug := s.Strategy.Slug()
	switch {
	case host.ClientID == "":
		return fmt.Errorf("%s: Config.ClientID is required", slug)
	case host.ClientSecret == "" && !secretFunc:
		return fmt.Errorf("%s: Config.ClientSecret is required", slug)
	case c.Revoke != (s.Endpoint.RevocationURL != "" || revokeHook):
		return fmt.Errorf("%s: the Provider type is a Revoker: %t, but the spec has revocation endpoint %q and a revocation hook: %t", slug, c.Revoke, s.Endpoint.RevocationURL, revokeHook)
	case s.AuthStyle == 0:
		return fmt.Errorf("%s: the spec declares no AuthStyle", slug)
	}
	if _, err := oauthclient.NewHTTP(slug, host.HTTP); err != nil {
		return err
	}
	return nil
}

// scopes returns the host's scopes, or defaults.
func (h Host) scopes(defaults []string) []string {
	if len(h.Scopes) > 0 {
		return slices.Clone(h.Scopes)
	}
	return slices.Clone(defaults)
}

// wrapTransport returns a copy of c (a default client when nil) whose
// transport is wrap of c's (or the default transport).
func wrapTransport(c *http.Client, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	out := &http.Client{}
	var rt http.RoundTripper
	if c != nil {
		out.Jar, out.Timeout, rt = c.Jar, c.Timeout, c.Transport
	} else {
		rt = oauthclient.DefaultTransport()
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	out.Transport = wrap(rt)
	return out
}
