// Package linkedin is the "Sign In with LinkedIn using OpenID Connect"
// provider (strategy oauth_linkedin).
//
// The provider user id is the ID token's "sub" (LinkedIn's member id for
// this application). Email, email_verified, given and family names and
// picture come from the ID token. LinkedIn has no username.
//
// # Quirks absorbed
//
// LinkedIn's issuer is "https://www.linkedin.com/oauth" (its discovery
// document's; older tokens said "https://www.linkedin.com", which is no
// longer accepted). LinkedIn leaves the nonce out of its ID tokens although
// the authorization request sends one: a missing nonce is accepted
// (provider/oidc's AllowMissingNonce), a wrong one never is. LinkedIn
// refuses PKCE from web applications unless LinkedIn enabled it for the
// app, so PKCE is off unless Config.PKCE says otherwise; the code stays
// bound to the client secret and the state. The token endpoint takes the
// client credentials in the form (client_secret_post).
//
// LinkedIn issues refresh tokens to approved partners only; Refresh works
// for them. Revoke uses LinkedIn's revocation endpoint.
package linkedin

import (
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy LinkedIn serves.
var Strategy = verification.MustParseStrategy("oauth_linkedin")

// Issuer is LinkedIn's issuer identifier.
const Issuer = "https://www.linkedin.com/oauth"

// DefaultBaseURL is LinkedIn's website, the base of its OAuth endpoints.
const DefaultBaseURL = "https://www.linkedin.com"

// DefaultScopes are the OpenID Connect scopes LinkedIn supports.
var DefaultScopes = []string{"openid", "profile", "email"}

// Config configures the LinkedIn provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the LinkedIn app's client id and secret.
	provider.Credentials
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// PKCE sends PKCE S256, for apps LinkedIn enabled it for.
	PKCE bool
	// BaseURL, when set, replaces DefaultBaseURL for every endpoint (and
	// the issuer becomes BaseURL + "/oauth"), for tests against a fake.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to LinkedIn; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// endpoint is LinkedIn's, from
// https://www.linkedin.com/oauth/.well-known/openid-configuration and
// https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow.
var endpoint = catalog.Endpoint{
	AuthURL:       DefaultBaseURL + "/oauth/v2/authorization",
	TokenURL:      DefaultBaseURL + "/oauth/v2/accessToken",
	JWKSURL:       DefaultBaseURL + "/oauth/openid/jwks",
	RevocationURL: DefaultBaseURL + "/oauth/v2/revoke",
}

// Provider is the LinkedIn provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the LinkedIn provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	base, err := catalog.BaseURL("linkedin", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "LinkedIn",
			Endpoint:      endpoint.Rebase(DefaultBaseURL, base),
			DefaultScopes: DefaultScopes,
			AuthStyle:     xoauth2.AuthStyleInParams,
			DisablePKCE:   !cfg.PKCE,
		},
		Issuer: base + "/oauth",
		OIDC:   hooks.OIDC{AllowMissingNonce: true},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew})
}
