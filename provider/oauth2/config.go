package oauth2

import (
	"fmt"
	"net/url"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/verification"
)

// Defaults of a zero Config.HTTP: provider.DefaultTimeout and
// provider.DefaultMaxResponseBytes.
const (
	DefaultTimeout          = provider.DefaultTimeout
	DefaultMaxResponseBytes = provider.DefaultMaxResponseBytes
)

// Endpoint is where a provider's endpoints are.
type Endpoint struct {
	// AuthURL and TokenURL are the authorization and token endpoints
	// (RFC 6749 section 3). Required.
	AuthURL  string
	TokenURL string
	// UserinfoURL is fetched with the access token for the profile that
	// Config.MapProfile maps. Required.
	UserinfoURL string
	// RevocationURL is the RFC 7009 revocation endpoint; empty when the
	// provider has none.
	RevocationURL string
}

// Config configures a Provider. Strategy, ClientID, ClientSecret,
// Endpoint.AuthURL, Endpoint.TokenURL, Endpoint.UserinfoURL and MapProfile
// are required; every other zero field has a default.
type Config struct {
	// Strategy is the verification strategy the provider serves:
	// oauth_custom_<slug> for a provider the host defines.
	Strategy verification.Strategy

	// Title is the provider's human name. Default: the host of
	// Endpoint.AuthURL.
	Title string

	// ClientID and ClientSecret are the host's client credentials at the
	// provider.
	ClientID     string
	ClientSecret string

	// Endpoint is where the provider's endpoints are.
	Endpoint Endpoint

	// Scopes are requested on every authorization that asks for none of
	// its own. Default: none (the provider's default).
	Scopes []string

	// ScopeSeparator joins scopes in the authorization URL: " " (RFC 6749
	// section 3.3) or ",". Default: " ".
	ScopeSeparator string

	// AuthStyle is how the client authenticates at the token endpoint (and
	// an RFC 7009 revocation endpoint): xoauth2.AuthStyleInHeader
	// (client_secret_basic) or xoauth2.AuthStyleInParams
	// (client_secret_post). Zero means client_secret_basic, which RFC 6749
	// section 2.3.1 requires every server to support; it is never
	// auto-detected by trial and error.
	AuthStyle xoauth2.AuthStyle

	// DisablePKCE leaves RFC 7636 out of the flow, for a provider that
	// rejects it. PKCE S256 is used otherwise, and then an exchange without
	// a verifier is refused.
	DisablePKCE bool

	// Issuer is the authorization server's issuer identifier (RFC 8414),
	// for providers that send the RFC 9207 "iss" callback parameter; empty
	// for most OAuth 2.0 providers.
	Issuer string
	// IssuerParameterSupported says the provider always sends "iss" on
	// callbacks (RFC 9207 section 2.4).
	IssuerParameterSupported bool

	// MapProfile maps the JSON object Endpoint.UserinfoURL returns (numbers
	// as json.Number) to the identity; its ProviderUserID must not be empty.
	// Its error becomes verification.ErrFetchUser, without its text.
	MapProfile func(profile map[string]any) (*provider.Identity, error)

	// HTTP is the client, timeout, response size limit and clock of every
	// request to the provider; its zero value is the default.
	HTTP provider.HTTPSettings
}

// String describes c without its client secret.
func (c Config) String() string {
	return fmt.Sprintf("oauth2.Config{Strategy: %s, AuthURL: %q, ClientID: %q, ClientSecret: REDACTED}", c.Strategy, c.Endpoint.AuthURL, c.ClientID)
}

// GoString is String, so that %#v does not print the client secret either.
func (c Config) GoString() string { return c.String() }

// reservedAuthParams are the authorization parameters a catalogue
// provider's AuthParams hook cannot change.
var reservedAuthParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state",
	"code_challenge", "code_challenge_method",
}

// check reports a missing required field or an invalid one; h are the
// catalogue hooks, if any.
func (c *Config) check(h *hooks.OAuth2) error {
	switch {
	case c.Strategy.IsZero():
		return fmt.Errorf("oauth2: Config.Strategy is required")
	case c.ClientID == "":
		return fmt.Errorf("oauth2: Config.ClientID is required")
	case c.ClientSecret == "":
		return fmt.Errorf("oauth2: Config.ClientSecret is required")
	case h.Profile == nil && c.MapProfile == nil:
		return fmt.Errorf("oauth2: Config.MapProfile is required")
	case h.Profile == nil && c.Endpoint.UserinfoURL == "":
		return fmt.Errorf("oauth2: Config.Endpoint.UserinfoURL is required with Config.MapProfile")
	}
	for _, u := range []struct{ name, value string }{
		{"AuthURL", c.Endpoint.AuthURL}, {"TokenURL", c.Endpoint.TokenURL},
		{"UserinfoURL", c.Endpoint.UserinfoURL}, {"RevocationURL", c.Endpoint.RevocationURL},
	} {
		required := u.name == "AuthURL" || u.name == "TokenURL"
		if u.value == "" && required {
			return fmt.Errorf("oauth2: Config.Endpoint.%s is required", u.name)
		}
		if u.value != "" && !absoluteURL(u.value) {
			return fmt.Errorf("oauth2: Config.Endpoint.%s %q is not an absolute http(s) URL", u.name, u.value)
		}
	}
	switch c.AuthStyle {
	case xoauth2.AuthStyleAutoDetect, xoauth2.AuthStyleInHeader, xoauth2.AuthStyleInParams:
	default:
		return fmt.Errorf("oauth2: Config.AuthStyle %d is not an oauth2.AuthStyle", c.AuthStyle)
	}
	switch c.ScopeSeparator {
	case "", " ", ",":
	default:
		return fmt.Errorf("oauth2: Config.ScopeSeparator %q is neither a space nor a comma", c.ScopeSeparator)
	}
	return nil
}

// absoluteURL reports whether s is an absolute http or https URL without a
// fragment.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Fragment == ""
}
