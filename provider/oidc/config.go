package oidc

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/verification"
)

// Defaults of a zero Config.
// DefaultTimeout and DefaultMaxResponseBytes are those of a zero
// Config.HTTP: provider.DefaultTimeout and provider.DefaultMaxResponseBytes.
const (
	DefaultTimeout          = provider.DefaultTimeout
	DefaultMaxResponseBytes = provider.DefaultMaxResponseBytes
	DefaultClockSkew        = time.Minute
)

// DefaultScopes are requested when Config.Scopes is empty.
var DefaultScopes = []string{"openid", "email", "profile"}

// DefaultSigningAlgorithms are the ID token algorithms accepted when
// Config.SigningAlgorithms is empty: every asymmetric algorithm go-oidc
// verifies.
var DefaultSigningAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

// Config configures a Provider. Strategy, Issuer, ClientID and ClientSecret
// are required; every other zero field has a default.
type Config struct {
	// Strategy is the verification strategy the provider serves, such as
	// oauth_custom_dev.
	Strategy verification.Strategy

	// Title is the provider's human name. Default: the issuer's host.
	Title string

	// Issuer is the provider's issuer identifier, exactly as its discovery
	// document and ID tokens spell it; discovery is read from
	// Issuer + "/.well-known/openid-configuration" unless Endpoints is set.
	//
	// An issuer containing the placeholder {tenantid}, such as Microsoft's
	// "https://login.microsoftonline.com/{tenantid}/v2.0", is a template
	// for multi-tenant providers: an ID token is accepted only when its
	// "tid" claim is a tenant id (a GUID) and its "iss" is the template
	// with {tenantid} replaced by that "tid". The issuer check is never
	// switched off. A template needs Endpoints (there is no discovery
	// document at a template), and Metadata reports no issuer for it, since
	// no single value can be compared with an RFC 9207 "iss" parameter.
	Issuer string

	// Endpoints, when set, are the provider's endpoints, and no discovery
	// document is read: New does no I/O. Catalogue providers use it, since
	// their endpoints are documented constants and a host should start
	// without reaching them.
	Endpoints *Endpoints

	// ClientID and ClientSecret are the host's client credentials at the
	// provider.
	ClientID     string
	ClientSecret string

	// AdditionalAudiences are the host's other client ids at this provider
	// (a mobile app's, a One Tap client's) whose ID tokens VerifyIDToken
	// accepts besides ClientID's. The code flow accepts ClientID's only.
	AdditionalAudiences []string

	// Scopes are requested on every authorization. "openid" is added when
	// missing. Default: DefaultScopes.
	Scopes []string

	// AuthStyle is how the client authenticates at the token and revocation
	// endpoints: oauth2.AuthStyleInHeader (client_secret_basic) or
	// oauth2.AuthStyleInParams (client_secret_post). When zero, it is chosen
	// once from the discovery document's
	// token_endpoint_auth_methods_supported: client_secret_basic when listed
	// or when nothing is listed (the specification's default), else
	// client_secret_post; with Endpoints, client_secret_basic. It is never
	// auto-detected by trial and error.
	AuthStyle oauth2.AuthStyle

	// HTTP is the client, timeout, response size limit and clock of every
	// request to the provider (the clock also checks ID tokens); its zero
	// value is the default.
	HTTP provider.HTTPSettings

	// SigningAlgorithms are the JWS algorithms ID tokens may be signed with.
	// "none" is never allowed, even when listed. Default:
	// DefaultSigningAlgorithms.
	SigningAlgorithms []string

	// ClockSkew is how far the provider's clock may be from HTTP.Now when
	// checking an ID token's exp and iat. Default: DefaultClockSkew.
	ClockSkew time.Duration

	// ExtraAuthParams are added to every authorization URL, such as
	// {"hd": "example.com"}. They cannot replace the parameters the
	// protocol needs (response_type, client_id, redirect_uri, scope, state,
	// code_challenge, code_challenge_method, nonce); "prompt" and
	// "login_hint" are defaults that a request's own values replace.
	ExtraAuthParams map[string]string

	// SkipUserinfo skips the userinfo request: the identity comes from the
	// ID token alone.
	SkipUserinfo bool

	// DisablePKCE leaves RFC 7636 out of the flow: no code_challenge in the
	// authorization URL, no code_verifier in the token request. Only for
	// providers that reject PKCE from a confidential client (LinkedIn, for
	// most apps); the nonce and the client secret still bind the code.
	DisablePKCE bool
}

// Endpoints are a provider's endpoints and capabilities, for providers
// configured without discovery (Config.Endpoints).
type Endpoints struct {
	// AuthURL, TokenURL and JWKSURL are required.
	AuthURL  string
	TokenURL string
	JWKSURL  string
	// UserinfoURL is the UserInfo endpoint; empty when the provider has
	// none (the identity then comes from the ID token alone).
	UserinfoURL string
	// RevocationURL is the RFC 7009 revocation endpoint; empty when the
	// provider has none (Revoke then returns ErrNoRevocationEndpoint).
	RevocationURL string
	// IssuerParameterSupported is
	// authorization_response_iss_parameter_supported (RFC 9207).
	IssuerParameterSupported bool
}

// tenantPlaceholder marks an issuer template (Config.Issuer).
const tenantPlaceholder = "{tenantid}"

// String describes c without its client secret.
func (c Config) String() string {
	return fmt.Sprintf("oidc.Config{Strategy: %s, Issuer: %q, ClientID: %q, ClientSecret: REDACTED}", c.Strategy, c.Issuer, c.ClientID)
}

// GoString is String, so that %#v does not print the client secret either.
func (c Config) GoString() string { return c.String() }

// reservedAuthParams are the authorization parameters ExtraAuthParams cannot
// set.
var reservedAuthParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state",
	"code_challenge", "code_challenge_method", "nonce",
}

// check reports a missing required field or an invalid one; h are the
// catalogue hooks, if any.
func (c *Config) check(h *hooks.OIDC) error {
	switch {
	case c.Strategy.IsZero():
		return fmt.Errorf("oidc: Config.Strategy is required")
	case c.Issuer == "":
		return fmt.Errorf("oidc: Config.Issuer is required")
	case c.ClientID == "":
		return fmt.Errorf("oidc: Config.ClientID is required")
	case c.ClientSecret == "" && h.ClientSecretFunc == nil:
		return fmt.Errorf("oidc: Config.ClientSecret is required")
	case c.ClientSecret != "" && h.ClientSecretFunc != nil:
		return fmt.Errorf("oidc: Config.ClientSecret and a client secret function are exclusive")
	}
	if h.ClientSecretHS256 && (c.Endpoints == nil || len(c.SigningAlgorithms) > 0) {
		return fmt.Errorf("oidc: HS256 ID tokens need Config.Endpoints and no Config.SigningAlgorithms")
	}
	if strings.Contains(c.Issuer, tenantPlaceholder) {
		if c.Endpoints == nil {
			return fmt.Errorf("oidc: Config.Issuer %q is a template: it needs Config.Endpoints", c.Issuer)
		}
		if strings.Count(c.Issuer, tenantPlaceholder) != 1 {
			return fmt.Errorf("oidc: Config.Issuer %q has more than one %s", c.Issuer, tenantPlaceholder)
		}
	}
	if e := c.Endpoints; e != nil {
		for _, u := range []struct{ name, value string }{
			{"AuthURL", e.AuthURL}, {"TokenURL", e.TokenURL}, {"JWKSURL", e.JWKSURL},
			{"UserinfoURL", e.UserinfoURL}, {"RevocationURL", e.RevocationURL},
		} {
			optional := u.name == "UserinfoURL" || u.name == "RevocationURL" || (u.name == "JWKSURL" && h.ClientSecretHS256)
			if u.value == "" && !optional {
				return fmt.Errorf("oidc: Config.Endpoints.%s is required", u.name)
			}
			if u.value != "" && !absoluteURL(u.value) {
				return fmt.Errorf("oidc: Config.Endpoints.%s %q is not an absolute http(s) URL", u.name, u.value)
			}
		}
	}
	switch c.AuthStyle {
	case oauth2.AuthStyleAutoDetect, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams:
	default:
		return fmt.Errorf("oidc: Config.AuthStyle %d is not an oauth2.AuthStyle", c.AuthStyle)
	}
	for k := range c.ExtraAuthParams {
		if slices.Contains(reservedAuthParams, k) {
			return fmt.Errorf("oidc: Config.ExtraAuthParams cannot set %q", k)
		}
	}
	if c.ClockSkew < 0 {
		return fmt.Errorf("oidc: Config.ClockSkew cannot be negative")
	}
	return nil
}

// absoluteURL reports whether s is an absolute http or https URL without a
// fragment.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Fragment == ""
}

// signingAlgorithms returns the allowlist of ID token algorithms: the
// configured ones without "none", or the defaults.
func signingAlgorithms(configured []string) ([]string, error) {
	if len(configured) == 0 {
		return slices.Clone(DefaultSigningAlgorithms), nil
	}
	var out []string
	for _, a := range configured {
		switch {
		case strings.EqualFold(a, "none"):
			// Never: an unsigned token proves nothing.
		case slices.Contains(DefaultSigningAlgorithms, a):
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		default:
			return nil, fmt.Errorf("oidc: signing algorithm %q is not supported", a)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("oidc: Config.SigningAlgorithms allows no algorithm")
	}
	return out, nil
}

// withOpenID returns scopes with "openid" first when it was missing.
func withOpenID(scopes []string) []string {
	if slices.Contains(scopes, "openid") {
		return slices.Clone(scopes)
	}
	return append([]string{"openid"}, scopes...)
}

// chooseAuthStyle picks the client authentication of the token endpoint from
// discovery's token_endpoint_auth_methods_supported.
func chooseAuthStyle(methods []string) oauth2.AuthStyle {
	if len(methods) == 0 || slices.Contains(methods, "client_secret_basic") {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}
