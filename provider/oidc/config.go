package oidc

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/verification"
)

// Defaults of a zero Config.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 1 << 20
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
	// Issuer + "/.well-known/openid-configuration".
	Issuer string

	// ClientID and ClientSecret are the host's client credentials at the
	// provider.
	ClientID     string
	ClientSecret string

	// Scopes are requested on every authorization. "openid" is added when
	// missing. Default: DefaultScopes.
	Scopes []string

	// AuthStyle is how the client authenticates at the token and revocation
	// endpoints: oauth2.AuthStyleInHeader (client_secret_basic) or
	// oauth2.AuthStyleInParams (client_secret_post). When zero, it is chosen
	// once from the discovery document's
	// token_endpoint_auth_methods_supported: client_secret_basic when listed
	// or when nothing is listed (the specification's default), else
	// client_secret_post. It is never auto-detected by trial and error.
	AuthStyle oauth2.AuthStyle

	// HTTPClient sends every request to the provider. Its Transport (or
	// http.DefaultTransport) is wrapped to apply Timeout and
	// MaxResponseBytes; its redirect policy is replaced by one that never
	// follows redirects. Default: a client of its own.
	HTTPClient *http.Client

	// Timeout bounds each request to the provider, on top of any deadline
	// of the caller's context. Default: DefaultTimeout.
	Timeout time.Duration

	// MaxResponseBytes bounds every response body; a larger one fails the
	// request with ErrResponseTooLarge. Default: DefaultMaxResponseBytes.
	MaxResponseBytes int64

	// SigningAlgorithms are the JWS algorithms ID tokens may be signed with.
	// "none" is never allowed, even when listed. Default:
	// DefaultSigningAlgorithms.
	SigningAlgorithms []string

	// Now is the clock of ID token checks and token expiries. Default:
	// time.Now.
	Now func() time.Time

	// ClockSkew is how far the provider's clock may be from Now when
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
}

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

// check reports a missing required field or an invalid one.
func (c *Config) check() error {
	switch {
	case c.Strategy.IsZero():
		return fmt.Errorf("oidc: Config.Strategy is required")
	case c.Issuer == "":
		return fmt.Errorf("oidc: Config.Issuer is required")
	case c.ClientID == "":
		return fmt.Errorf("oidc: Config.ClientID is required")
	case c.ClientSecret == "":
		return fmt.Errorf("oidc: Config.ClientSecret is required")
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
	if c.Timeout < 0 || c.MaxResponseBytes < 0 || c.ClockSkew < 0 {
		return fmt.Errorf("oidc: Config.Timeout, MaxResponseBytes and ClockSkew cannot be negative")
	}
	return nil
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
