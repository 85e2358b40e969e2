// Package box is the Box provider (strategy oauth_box): OAuth 2.0 with a
// Box Platform app's client-side ("OAuth 2.0 with user authentication")
// flow, and the user of the access token from GET /2.0/users/me.
//
// Sources, checked against no live server:
//   - https://developer.box.com/guides/authentication/oauth2/ and
//     https://developer.box.com/reference/get-authorize/ (authorization at
//     https://account.box.com/api/oauth2/authorize; an optional
//     space-separated scope; no PKCE parameter)
//   - https://developer.box.com/guides/api-calls/permissions-and-errors/scopes/
//     (scopes in the authorization URL restrict the token to a subset of
//     the app's, such as root_readonly; without them the token gets every
//     scope the app was configured with)
//   - https://developer.box.com/reference/post-oauth2-token/ and
//     https://developer.box.com/reference/resources/access-token/ (tokens
//     at https://api.box.com/oauth2/token with client_id and client_secret
//     in the form; the token: access_token, expires_in, token_type
//     "bearer", restricted_to, refresh_token; no scope member)
//   - https://developer.box.com/guides/authentication/tokens/refresh/
//     (access tokens last 60 minutes; a refresh token lasts 60 days and
//     can be used once: each refresh returns a new one)
//   - https://developer.box.com/reference/post-oauth2-revoke/ (POST
//     https://api.box.com/oauth2/revoke with client_id, client_secret and
//     the access or refresh token in the form; an empty 200 answer)
//   - https://developer.box.com/reference/get-users-me/ and
//     https://developer.box.com/reference/resources/user/ (GET
//     https://api.box.com/2.0/users/me: id, a string of digits, name,
//     login, avatar_url)
//
// The provider user id is "id", Box's id of the user, which Box sends as
// a string and which never changes. The email address is "login", the
// address the user signs in to Box with; Box documents no verification
// for it, so EmailVerified is nil ("notification_email.is_confirmed"
// speaks of another address). "name" is split at its first space into
// first and last names; Box has no username. The avatar is "avatar_url".
//
// The default scope, root_readonly, restricts the token to reading files
// and folders; GET /2.0/users/me answers any token. Refresh tokens
// rotate: store the one each refresh returns. Revoke revokes either
// token, which ends the pair.
package box

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Box serves.
var Strategy = verification.MustParseStrategy("oauth_box")

// Default URLs: the account website (authorization) and the API (tokens,
// revocation, the profile).
const (
	DefaultBaseURL = "https://account.box.com"
	DefaultAPIURL  = "https://api.box.com"
)

// DefaultScopes restrict the token to reading (see the package
// documentation); the app must have the "Read all files and folders"
// scope.
var DefaultScopes = []string{"root_readonly"}

// Config configures the Box provider: the app's client id and secret
// from the Box Developer Console (required); BaseURL is the account
// website and APIURL the API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Box provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is Box's (see the package documentation's sources).
var spec = catalog.OAuth2{MapProfile: mapMe, Spec: catalog.Spec{
	Strategy: Strategy, Title: "Box", DefaultScopes: DefaultScopes,
	BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL,
	AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
	Endpoint: catalog.Endpoint{
		AuthURL: DefaultBaseURL + "/api/oauth2/authorize", TokenURL: DefaultAPIURL + "/oauth2/token",
		UserinfoURL: DefaultAPIURL + "/2.0/users/me", RevocationURL: DefaultAPIURL + "/oauth2/revoke",
	},
}}

// New returns the Box provider. It does no I/O and fails when ClientID or
// ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// mapMe maps a GET /2.0/users/me response (see the package
// documentation).
func mapMe(user map[string]any) (*provider.Identity, error) {
	id := &provider.Identity{Claims: user, ProviderUserID: catalog.ID(user, "id")}
	id.EmailAddress, id.AvatarURL = catalog.String(user, "login"), catalog.String(user, "avatar_url")
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(user, "name"))
	return id, nil
}
