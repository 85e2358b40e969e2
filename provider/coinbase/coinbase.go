// Package coinbase is the Coinbase provider (strategy oauth_coinbase):
// OAuth 2.0 with PKCE at Coinbase's login service (login.coinbase.com),
// and the user of the access token from GET /v2/user of the Coinbase App
// API.
//
// Sources, checked against no live server:
//   - https://docs.cdp.coinbase.com/coinbase-app/oauth2-integration/reference
//     (authorization at https://login.coinbase.com/oauth2/auth with
//     code_challenge and code_challenge_method, S256 or plain, plain when
//     the method is left out: S256 is always sent; a state of 8 characters
//     or more; tokens at https://login.coinbase.com/oauth2/token)
//   - https://docs.cdp.coinbase.com/coinbase-app/oauth2-integration/integrations
//     (the authorization example joins scopes with "+", a space: the
//     reference's "comma separated" is the retired form)
//   - https://docs.cdp.coinbase.com/coinbase-app/oauth2-integration/access-and-refresh-tokens
//     (offline_access in the scope for a refresh token; access tokens last
//     one hour; a refresh token lasts 1.5 years and can be exchanged once,
//     for a new access and refresh token; the client id and secret travel
//     in the form)
//   - https://docs.cdp.coinbase.com/coinbase-app/oauth2-integration/overview
//     (revocation at https://login.coinbase.com/oauth2/revoke; PKCE
//     strongly recommended; new OAuth clients are temporarily not
//     accepted, existing ones keep working)
//   - https://docs.cdp.coinbase.com/coinbase-app/oauth2-integration/scopes
//     (wallet:user:read for the user, wallet:user:email for the address)
//   - https://docs.cdp.coinbase.com/coinbase-app/track-apis/users#show-current-user
//     (GET https://api.coinbase.com/v2/user: {"data": {id, name,
//     username, avatar_url, email}}; errors as {"errors": [{id,
//     message}]})
//
// The provider user id is "data.id", a UUID Coinbase assigns to the user
// and never changes. The email address is "data.email", present with
// wallet:user:email; Coinbase documents no verification flag, so
// EmailVerified is nil. "data.name" is split at its first space into first
// and last names; Username is "data.username" (absent when the user has
// none); the avatar is "data.avatar_url". No CB-VERSION header is sent:
// the mapping reads members every API version has.
//
// The default scopes include offline_access, without which Coinbase
// issues no refresh token. Refresh tokens are single-use: store the one
// each refresh returns. Revoke revokes an access or refresh token at the
// revocation endpoint (RFC 7009, client credentials in the form).
package coinbase

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Coinbase serves.
var Strategy = verification.MustParseStrategy("oauth_coinbase")

// Default URLs: the login service (authorization, tokens, revocation) and
// the API (the profile).
const (
	DefaultBaseURL = "https://login.coinbase.com"
	DefaultAPIURL  = "https://api.coinbase.com"
)

// DefaultScopes read the user and the email address, and ask for a
// refresh token.
var DefaultScopes = []string{"wallet:user:read", "wallet:user:email", "offline_access"}

// Config configures the Coinbase provider: the OAuth client's id and
// secret from the CDP portal (required); BaseURL is the login service and
// APIURL the API (see provider.AppConfig). Custom Scopes should keep
// offline_access.
type Config = provider.AppConfig

// Provider is the Coinbase provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the Coinbase provider. It does no I/O and fails when
// ClientID or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// spec is Coinbase's (see the package documentation's sources).
var spec = catalog.OAuth2{
	MapProfile: mapUser,
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Coinbase", DefaultScopes: DefaultScopes, AuthStyle: catalog.ClientSecretPost,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL,
		Endpoint: catalog.Endpoint{
			AuthURL: DefaultBaseURL + "/oauth2/auth", TokenURL: DefaultBaseURL + "/oauth2/token",
			RevocationURL: DefaultBaseURL + "/oauth2/revoke", UserinfoURL: DefaultAPIURL + "/v2/user",
		},
	},
}

// mapUser maps a GET /v2/user response, the user in "data" (see the
// package documentation); an "errors" answer has none, and no id.
func mapUser(resp map[string]any) (*provider.Identity, error) {
	user := catalog.Object(resp, "data")
	first, last := catalog.SplitName(catalog.String(user, "name"))
	return &provider.Identity{
		ProviderUserID: catalog.ID(user, "id"), EmailAddress: catalog.String(user, "email"),
		FirstName: first, LastName: last, Username: catalog.String(user, "username"),
		AvatarURL: catalog.String(user, "avatar_url"), Claims: user,
	}, nil
}
