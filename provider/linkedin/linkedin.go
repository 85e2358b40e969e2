// Package linkedin serves LinkedIn's two sign-in products under Clerk's
// strategy names:
//
//   - oauth_linkedin_oidc (Strategy, New): "Sign In with LinkedIn using
//     OpenID Connect", the product LinkedIn offers today.
//   - oauth_linkedin (LegacyStrategy, NewLegacy): the retired "Sign In with
//     LinkedIn" (OAuth 2.0 with r_liteprofile and r_emailaddress), which
//     LinkedIn deprecated on August 1, 2023 and no longer grants to new
//     apps. Clerk keeps the strategy for instances created before; so does
//     Tether. A new app uses oauth_linkedin_oidc.
//
// Until this release, Tether served the OpenID Connect product under
// oauth_linkedin. A host that stored accounts under that name and keeps
// using New renames their provider to oauth_linkedin_oidc (the provider
// user id, "sub", is the same member id for the app).
//
// # OpenID Connect (oauth_linkedin_oidc)
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
//
// # Legacy (oauth_linkedin)
//
// Sources, checked against no live server:
//   - https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin
//     (the deprecation notice; scopes r_liteprofile and r_emailaddress;
//     GET https://api.linkedin.com/v2/me with the projection
//     (id,localizedFirstName,localizedLastName,profilePicture(displayImage~:playableStreams));
//     GET https://api.linkedin.com/v2/emailAddress?q=members&projection=(elements*(handle~)))
//   - https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
//     (the same authorization, token and revocation endpoints as the
//     OpenID Connect product, client credentials in the form, no PKCE for
//     web apps, refresh tokens for approved partners only)
//
// The provider user id is the profile's "id"; the names are the localized
// first and last names; the avatar is the largest image of the decorated
// profile picture. The email address is the member's primary address when
// r_emailaddress was granted; LinkedIn does not say it was verified, so
// EmailVerified is nil. There is no username.
package linkedin

import (
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy of LinkedIn's OpenID Connect product.
var Strategy = verification.MustParseStrategy("oauth_linkedin_oidc")

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
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy: Strategy, Title: "LinkedIn", DefaultScopes: DefaultScopes,
			BaseURL: DefaultBaseURL, Endpoint: endpoint,
			AuthStyle: catalog.ClientSecretPost, DisablePKCE: !cfg.PKCE,
		},
		Issuer: Issuer,
		OIDC:   catalog.OIDCHooks{AllowMissingNonce: true},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew, BaseURL: cfg.BaseURL})
}
