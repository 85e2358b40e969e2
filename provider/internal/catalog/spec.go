package catalog

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Endpoint is where a catalogue provider's endpoints are: absolute URLs,
// as the provider's documentation names them (the model is x/oauth2's
// endpoints package).
type Endpoint struct {
	// AuthURL and TokenURL are the authorization and token endpoints.
	AuthURL  string
	TokenURL string
	// UserinfoURL is, for OAuth 2.0, the profile the mapping reads (empty
	// when a Profile hook reads it); for OpenID Connect, the UserInfo
	// endpoint, or empty when the identity comes from the ID token alone.
	UserinfoURL string
	// JWKSURL is the key set of ID tokens (OpenID Connect only).
	JWKSURL string
	// RevocationURL is the RFC 7009 revocation endpoint, or empty.
	RevocationURL string
}

// Rebase returns e with every URL that starts with from starting with to
// instead: how a Config's BaseURL (a self-managed instance, a national
// cloud, a test's fake) moves the documented endpoints.
func (e Endpoint) Rebase(from, to string) Endpoint {
	return e.Map(func(u string) string {
		if rest, ok := strings.CutPrefix(u, from); ok {
			return to + rest
		}
		return u
	})
}

// Map returns e with f applied to every URL that is not empty.
func (e Endpoint) Map(f func(string) string) Endpoint {
	for _, u := range []*string{&e.AuthURL, &e.TokenURL, &e.UserinfoURL, &e.JWKSURL, &e.RevocationURL} {
		if *u != "" {
			*u = f(*u)
		}
	}
	return e
}

// Capabilities are what a provider can do besides the code flow. They are
// declared once, by the interfaces the package's Provider type embeds
// (provider.Refresher, provider.Revoker, provider.IDTokenVerifier), and
// read from it with CapabilitiesOf; NewOAuth2 and NewOIDC hold the Spec to
// them.
type Capabilities struct {
	// Refresh: the provider issues refresh tokens (to some clients at
	// least) and the Provider is a provider.Refresher.
	Refresh bool
	// Revoke: the provider has a revocation endpoint (Endpoint.RevocationURL
	// or a Revoke hook) and the Provider is a provider.Revoker.
	Revoke bool
	// VerifyIDToken: native clients obtain ID tokens the host accepts, and
	// the Provider is a provider.IDTokenVerifier (OpenID Connect only).
	VerifyIDToken bool
}

// Spec is what every catalogue provider declares, whatever its protocol.
type Spec struct {
	// Strategy is oauth_<slug>; the slug prefixes every error of New.
	Strategy verification.Strategy
	// Title is the human name ("GitHub").
	Title string
	// Endpoint are the documented endpoints (rebased for tests).
	Endpoint Endpoint
	// DefaultScopes are requested when the host's Config.Scopes is empty.
	DefaultScopes []string
	// AuthStyle is the client authentication the provider documents:
	// xoauth2.AuthStyleInHeader (client_secret_basic) or
	// xoauth2.AuthStyleInParams (client_secret_post). Required: it is
	// never guessed.
	AuthStyle xoauth2.AuthStyle
	// DisablePKCE leaves PKCE out, for providers that refuse it. PKCE S256
	// is sent otherwise.
	DisablePKCE bool
	// BaseURL and APIURL are the documented base URLs that Endpoint's URLs
	// (and an OpenID Connect issuer) start with, the package's
	// DefaultBaseURL and DefaultAPIURL, which a host's
	// provider.AppConfig.BaseURL and APIURL replace. APIURL is empty when
	// every endpoint is on BaseURL's host. A package with a Config of its
	// own, which moves its endpoints itself, leaves both empty.
	BaseURL, APIURL string
	// Transport, when set, wraps the transport of the host's client (or
	// the default one) beneath Tether's own layers (timeout, size limit,
	// tracing, no redirects), for a wire format x/oauth2 cannot send or
	// read: Notion's JSON token requests, TikTok's client_key, HubSpot's
	// token in the URL path (which spans then never record), Instagram's
	// token response, Twitch's token errors. It sees every request of the
	// provider, secrets included, and must not log or keep them; a
	// response body it reads is not bounded yet by the size limit above
	// it, so it reads with ReadBody.
	Transport func(base http.RoundTripper) http.RoundTripper
}

// OAuth2 is a catalogue OAuth 2.0 provider: its Spec, then its quirks.
type OAuth2 struct {
	Spec
	// ScopeSeparator joins scopes: " " (the default) or ",".
	ScopeSeparator string
	// MapProfile maps the JSON object at Endpoint.UserinfoURL to the
	// identity, unless a Profile hook reads the profile itself.
	MapProfile func(profile map[string]any) (*provider.Identity, error)
	// OAuth2 are the hooks: Profile, APIHeader, AuthParams, Revoke.
	hooks.OAuth2
}

// OIDC is a catalogue OpenID Connect provider: its Spec, then its quirks.
// The userinfo endpoint is read only when Endpoint.UserinfoURL is set.
type OIDC struct {
	Spec
	// Issuer is the issuer identifier, or an issuer template with
	// {tenantid} (see oidc.Config.Issuer).
	Issuer string
	// ExtraAuthParams are added to every authorization URL.
	ExtraAuthParams map[string]string
	// IssuerParameter says the provider sends RFC 9207's "iss" on every
	// authorization response (its discovery document's
	// authorization_response_iss_parameter_supported), which the account
	// Service then requires to be the issuer.
	IssuerParameter bool
	// OIDC are the hooks: ClientSecretFunc, AllowMissingNonce,
	// AuthParams, CheckClaims, MapIdentity, Revoke.
	hooks.OIDC
}

// Host is what the host configured in a catalogue package's Config that
// the base reads.
type Host struct {
	provider.Credentials
	// Scopes replace Spec.DefaultScopes when not empty.
	Scopes []string
	// HTTP is the package Config's HTTP field.
	HTTP provider.HTTPSettings
	// ClockSkew and AdditionalAudiences are as in oidc.Config (OpenID
	// Connect only).
	ClockSkew           time.Duration
	AdditionalAudiences []string
	// BaseURL and APIURL replace Spec.BaseURL and Spec.APIURL when set.
	BaseURL, APIURL string
}

// App is the Host of a package whose Config is provider.AppConfig.
func App(cfg provider.AppConfig) Host {
	return Host{
		Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew,
		BaseURL: cfg.BaseURL, APIURL: cfg.APIURL,
	}
}

// relocate returns the function that moves a documented URL (an endpoint,
// the issuer) from the spec's base URLs to the host's, after checking the
// host's.
func (s *Spec) relocate(h Host) (func(string) string, error) {
	slug := s.Strategy.Slug()
	switch {
	case s.BaseURL == "" && (h.BaseURL != "" || h.APIURL != ""):
		return nil, fmt.Errorf("catalog: %s moves its endpoints itself, yet the Host has base URLs", slug)
	case s.APIURL == "" && h.APIURL != "":
		return nil, fmt.Errorf("%s: Config.APIURL is not used: every endpoint is on BaseURL's host", slug)
	case s.BaseURL == "":
		return func(u string) string { return u }, nil
	}
	base, err := BaseURL(slug, "BaseURL", h.BaseURL, s.BaseURL)
	if err != nil {
		return nil, err
	}
	api := ""
	if s.APIURL != "" {
		if api, err = BaseURL(slug, "APIURL", h.APIURL, s.APIURL); err != nil {
			return nil, err
		}
	}
	return func(u string) string {
		if rest, ok := strings.CutPrefix(u, s.APIURL); ok && s.APIURL != "" {
			return api + rest
		}
		if rest, ok := strings.CutPrefix(u, s.BaseURL); ok {
			return base + rest
		}
		return u
	}, nil
}

// BaseURL returns value without a trailing slash, or def when value is
// empty, and fails unless it is an absolute http(s) URL without query,
// fragment or user info. pkg and field name the setting in the error.
func BaseURL(pkg, field, value, def string) (string, error) {
	return oauthclient.BaseURL(pkg, field, value, def)
}
