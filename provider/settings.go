package provider

import (
	"fmt"
	"net/http"
	"time"
)

// Defaults of a zero HTTPSettings.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 1 << 20
)

// HTTPSettings is how a provider uses the network and the clock: the same
// for provider/oidc, provider/oauth2 and every catalogue provider, each of
// whose Configs has it as the field HTTP. The zero value is the default
// of every field.
type HTTPSettings struct {
	// Client sends every request to the provider. Its Transport (or a
	// default one) is wrapped to apply Timeout and MaxResponseBytes; its
	// redirect policy is replaced by one that never follows redirects, so
	// a code, a token or a client secret is never sent anywhere but to the
	// endpoint configured for it. Default: a client of the provider's own.
	Client *http.Client

	// Timeout bounds each request to the provider, on top of any deadline
	// of the caller's context, even when Client has none. Default:
	// DefaultTimeout.
	Timeout time.Duration

	// MaxResponseBytes bounds every response body; a larger one fails the
	// request with ErrResponseTooLarge. Default: DefaultMaxResponseBytes.
	MaxResponseBytes int64

	// Now is the clock of token expiries (and of ID token checks).
	// Default: time.Now.
	Now func() time.Time
}

// Credentials are the host's client credentials at a provider. Catalogue
// Configs embed them, so that a Config printed by mistake, with %v, %+v or
// %#v, shows the client id and never the secret.
type Credentials struct {
	// ClientID is the client identifier the provider issued to the host's
	// application (RFC 6749 section 2.2).
	ClientID string
	// ClientSecret is the client's secret. It is never printed.
	ClientSecret string
}

// String describes c without its client secret.
func (c Credentials) String() string {
	return fmt.Sprintf("provider.Credentials{ClientID: %q, ClientSecret: REDACTED}", c.ClientID)
}

// GoString is String, so that %#v does not print the client secret either.
func (c Credentials) GoString() string { return c.String() }

// AppConfig is the Config of most catalogue providers: the host's app
// registration at the provider and nothing else (a package whose provider
// needs more, such as Apple's signing key or Microsoft's tenant, has a
// Config of its own). ClientID and ClientSecret are required; every other
// zero field has a default.
type AppConfig struct {
	// Credentials are the client id and secret the provider issued to
	// the host's app.
	Credentials
	// Scopes are requested on every authorization. Default: the
	// package's DefaultScopes.
	Scopes []string
	// BaseURL replaces the package's DefaultBaseURL, the host its
	// authorization endpoint is on, for every endpoint on that host, and
	// APIURL its DefaultAPIURL, for the endpoints on the API's host: a
	// self-managed instance, a regional host, a test's fake. Each is an
	// absolute http(s) URL without query or fragment. A provider whose
	// endpoints are all on one host has no DefaultAPIURL and refuses an
	// APIURL.
	BaseURL, APIURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to the provider; its zero value is the default.
	HTTP HTTPSettings
	// ClockSkew is the leeway of ID token time checks, as in
	// oidc.Config, for an OpenID Connect provider; an OAuth 2.0 provider
	// refuses it.
	ClockSkew time.Duration
}
