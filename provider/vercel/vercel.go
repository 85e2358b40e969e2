// Package vercel is the "Sign in with Vercel" provider (strategy
// oauth_vercel): OpenID Connect with Vercel's documented endpoints, no
// discovery request at start-up.
//
// Sources, checked against no live server:
//   - https://vercel.com/docs/sign-in-with-vercel/authorization-server-api
//     (authorization at https://vercel.com/oauth/authorize with
//     client_id, redirect_uri, response_type=code, nonce, state and a
//     required code_challenge; the space-separated scopes openid, email,
//     profile and offline_access, scopes the app was not configured with
//     being filtered out; tokens at https://api.vercel.com/login/oauth/token,
//     revocation at https://api.vercel.com/login/oauth/token/revoke,
//     userinfo at https://api.vercel.com/login/oauth/userinfo)
//   - https://vercel.com/.well-known/openid-configuration (issuer
//     https://vercel.com, keys at https://vercel.com/.well-known/jwks,
//     RS256, code_challenge_methods_supported S256,
//     token_endpoint_auth_methods_supported and
//     revocation_endpoint_auth_methods_supported with
//     client_secret_basic, claims_supported sub, preferred_username,
//     email, picture and no email_verified,
//     authorization_response_iss_parameter_supported)
//   - https://vercel.com/docs/sign-in-with-vercel/tokens (the ID token's
//     claims: sub, name, preferred_username, picture, email; access tokens
//     last an hour, refresh tokens 30 days and are replaced on each use)
//
// The provider user id is the ID token's "sub", the Vercel user id. The
// identity comes from the ID token alone: "name" is split at its first
// space into first and last names, Username is "preferred_username", the
// avatar "picture", the email address "email" (email scope). Vercel lists
// no email_verified claim, so EmailVerified is nil unless a token carries
// one.
//
// PKCE S256, which Vercel requires, is always sent; the client
// authenticates with HTTP Basic (client_secret_basic) at the token and
// revocation endpoints. Vercel sends the RFC 9207 "iss" callback parameter
// (https://vercel.com; its discovery document says
// authorization_response_iss_parameter_supported), so
// Metadata().IssuerParameterSupported is true and the account Service
// refuses a callback without it or with another issuer (mix-up defense).
//
// Refresh tokens come with the offline_access scope, which DefaultScopes
// include; each refresh returns a new refresh token, which replaces the
// one redeemed. Revoke uses Vercel's RFC 7009 revocation endpoint.
package vercel

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Vercel serves.
var Strategy = verification.MustParseStrategy("oauth_vercel")

// Default URLs: the website (authorization, keys, and the issuer) and the
// API (tokens, revocation).
const (
	DefaultBaseURL = "https://vercel.com"
	DefaultAPIURL  = "https://api.vercel.com"
)

// DefaultScopes are the OpenID Connect scopes for the profile and email,
// and offline_access for a refresh token.
var DefaultScopes = []string{"openid", "email", "profile", "offline_access"}

// spec is Vercel's (see the package documentation's sources).
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Vercel", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth/authorize",
			TokenURL:      DefaultAPIURL + "/login/oauth/token",
			JWKSURL:       DefaultBaseURL + "/.well-known/jwks",
			RevocationURL: DefaultAPIURL + "/login/oauth/token/revoke",
		},
	},
	Issuer:          DefaultBaseURL,
	IssuerParameter: true,
}

// Config configures the Vercel provider: the app's client id and secret
// (required; the app's Manage page), BaseURL, the website, and APIURL, the
// API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Vercel provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the Vercel provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }
