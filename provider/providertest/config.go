package providertest

import (
	"slices"
	"time"
)

// Defaults of a zero Config.
const (
	DefaultClientID       = "test-client"
	DefaultClientSecret   = "test-secret"
	DefaultAccessTokenTTL = time.Hour
	DefaultIDTokenTTL     = time.Hour
)

// CodeTTL is how long an authorization code can be redeemed.
const CodeTTL = time.Minute

// Client authentication methods at the token and revocation endpoints, as
// named in token_endpoint_auth_methods_supported.
const (
	AuthMethodBasic = "client_secret_basic"
	AuthMethodPost  = "client_secret_post"
)

// Endpoint paths, relative to the issuer.
const (
	PathDiscovery = "/.well-known/openid-configuration"
	PathAuthorize = "/authorize"
	PathToken     = "/token"
	PathUserinfo  = "/userinfo"
	PathJWKS      = "/jwks"
	PathRevoke    = "/revoke"
)

// Config configures a provider. The zero Config is ready to use: client
// "test-client" with secret "test-secret", any http(s) redirect URI, both
// client authentication methods, PKCE S256 required, refresh token rotation,
// the RFC 9207 "iss" parameter, and every requested scope granted.
type Config struct {
	// ClientID and ClientSecret are the credentials of the provider's one
	// client. Defaults: DefaultClientID and DefaultClientSecret.
	ClientID     string
	ClientSecret string

	// RedirectURIs are the registered redirect URIs, compared exactly. When
	// empty, any absolute http or https URI without a fragment is accepted.
	RedirectURIs []string

	// AuthMethods are the client authentication methods the token and
	// revocation endpoints accept (AuthMethodBasic, AuthMethodPost).
	// Default: both.
	AuthMethods []string

	// AccessTokenTTL is the lifetime of access tokens. Default:
	// DefaultAccessTokenTTL.
	AccessTokenTTL time.Duration

	// IDTokenTTL is the lifetime of ID tokens. Default: DefaultIDTokenTTL.
	IDTokenTTL time.Duration

	// DisableIssuerParameter stops the provider from advertising
	// authorization_response_iss_parameter_supported and from sending "iss"
	// on callbacks (RFC 9207).
	DisableIssuerParameter bool

	// PKCEOptional accepts authorization requests without a code_challenge.
	// A code_challenge_method other than S256 is always rejected.
	PKCEOptional bool

	// DisableRefreshTokenRotation keeps a refresh token valid after use and
	// omits refresh_token from refresh responses.
	DisableRefreshTokenRotation bool

	// RefreshReuseGrace is how long a rotated refresh token may still be
	// redeemed (as Ory Hydra's grace period). Past it, or with the zero
	// default, a rotated token that comes back is reuse: the provider
	// revokes the whole grant (RFC 9700 section 4.14.2), as Hydra does
	// without a grace period, and counts it in Stats.ReuseDetections.
	RefreshReuseGrace time.Duration

	// Interactive shows the HTML sign-in form on every authorization
	// request, even when a user is signed in with SetLogin (the form is then
	// filled in with that user). Without it, the form is shown only when
	// nobody is signed in.
	Interactive bool

	// GrantScopes decides which scopes an authorization grants, given the
	// requested ones; it may return fewer (the user declined some) or more.
	// It is called without any lock held. Default: every requested scope.
	GrantScopes func(requested []string) []string

	// Now is the provider's clock, for token lifetimes and code expiry.
	// Default: time.Now.
	Now func() time.Time

	// MaxEntries bounds each of the provider's tables (users, codes,
	// tokens), as a real provider bounds what one client can make it keep.
	// Expired codes and tokens go first; past the bound, the oldest
	// entries go (a signed-in user is kept). Default: DefaultMaxEntries.
	MaxEntries int
}

// DefaultMaxEntries is the default of Config.MaxEntries.
const DefaultMaxEntries = 10_000

// MaxFieldBytes bounds each field of the sign-in form (sub, email, name,
// picture): longer values are refused, as a real provider refuses them.
const MaxFieldBytes = 1024

// withDefaults returns c with its zero fields replaced by defaults and its
// slices copied, so that the caller's later changes do not reach the
// provider.
func (c Config) withDefaults() Config {
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.ClientSecret == "" {
		c.ClientSecret = DefaultClientSecret
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	if len(c.AuthMethods) == 0 {
		c.AuthMethods = []string{AuthMethodBasic, AuthMethodPost}
	} else {
		c.AuthMethods = slices.Clone(c.AuthMethods)
	}
	if c.AccessTokenTTL <= 0 {
		c.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if c.IDTokenTTL <= 0 {
		c.IDTokenTTL = DefaultIDTokenTTL
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = DefaultMaxEntries
	}
	return c
}

// scopesSupported is what discovery advertises. The provider grants any
// scope a client asks for; these are the ones it knows claims for.
var scopesSupported = []string{"openid", "email", "profile", "offline_access"}

// claimsSupported is what discovery advertises as claims_supported.
var claimsSupported = []string{
	"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash",
	"name", "given_name", "family_name", "picture", "preferred_username",
	"email", "email_verified",
}
