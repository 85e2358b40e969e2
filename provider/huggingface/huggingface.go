// Package huggingface is the "Sign in with Hugging Face" provider (strategy
// oauth_huggingface): OpenID Connect with Hugging Face's documented
// endpoints, no discovery request at start-up.
//
// Sources, checked against no live server:
//   - https://huggingface.co/docs/hub/oauth (the OAuth / OpenID Connect
//     flow; scopes openid, profile, email and the repository, inference
//     and discussion scopes; "all other information is available in the
//     OpenID metadata")
//   - https://huggingface.co/.well-known/openid-configuration (issuer
//     https://huggingface.co; authorization at
//     https://huggingface.co/oauth/authorize, tokens at
//     https://huggingface.co/oauth/token, userinfo at
//     https://huggingface.co/oauth/userinfo, keys at
//     https://huggingface.co/oauth/jwks)
//   - https://huggingface.co/docs/hub/spaces-oauth (access tokens last 8
//     hours by default, at most 30 days; no refresh token is described)
//   - the UserInfo type of the official @huggingface/hub SDK,
//     lib/oauth-handle-redirect.d.ts (sub, "unique identifier for the
//     user, even in case of rename"; name, preferred_username, picture,
//     email, email_verified, isPro, orgs)
//
// The provider user id is "sub", which stays the same when the user
// renames the account. The profile comes from the userinfo endpoint,
// merged over the ID token's claims: "name" is split at its first space
// into first and last names (Hugging Face sends no given or family name),
// Username is "preferred_username" (the account name), the avatar is
// "picture", and the email address ("email" scope) comes with its
// "email_verified" flag as Hugging Face sends it. The other members
// (isPro, orgs) stay in Identity.Claims.
//
// PKCE S256 is sent; the token endpoint takes the client credentials with
// HTTP Basic (client_secret_basic, the OpenID Connect default).
//
// Hugging Face documents no refresh token and no revocation endpoint for
// OAuth apps: a user signs in again when the access token expires, and
// the provider is neither a provider.Refresher nor a provider.Revoker.
package huggingface

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Hugging Face serves.
var Strategy = verification.MustParseStrategy("oauth_huggingface")

// DefaultBaseURL is the Hugging Face Hub: every endpoint is on it, and it
// is the issuer.
const DefaultBaseURL = "https://huggingface.co"

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "profile", "email"}

// spec is Hugging Face's (see the package documentation's sources).
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Hugging Face", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, AuthStyle: catalog.ClientSecretBasic,
		Endpoint: catalog.Endpoint{
			AuthURL:     DefaultBaseURL + "/oauth/authorize",
			TokenURL:    DefaultBaseURL + "/oauth/token",
			UserinfoURL: DefaultBaseURL + "/oauth/userinfo",
			JWKSURL:     DefaultBaseURL + "/oauth/jwks",
		},
	},
	Issuer: DefaultBaseURL,
}

// Config configures the Hugging Face provider: the OAuth app's client id
// and secret (required; Settings, Connected Applications), and BaseURL,
// the Hub (see provider.AppConfig; Hugging Face has no APIURL).
type Config = provider.AppConfig

// Provider is the Hugging Face provider: no provider.Refresher and no
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
}

// New returns the Hugging Face provider. It does no I/O and fails when
// ClientID or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }
