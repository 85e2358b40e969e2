// Package dropbox is the Dropbox provider (strategy oauth_dropbox): OAuth
// 2.0 with PKCE, and the account of the access token from the
// users/get_current_account RPC endpoint.
//
// Sources, checked against no live server:
//   - https://developers.dropbox.com/oauth-guide and
//     https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize
//     (authorization at https://www.dropbox.com/oauth2/authorize with PKCE
//     S256; token_access_type=offline for a refresh token; tokens at
//     https://api.dropboxapi.com/oauth2/token with the client id and secret
//     in HTTP Basic or in the form; refresh tokens do not rotate)
//   - https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account
//     (POST https://api.dropboxapi.com/2/users/get_current_account without
//     a body, scope account_info.read: account_id, name.given_name,
//     name.surname, name.display_name, email, email_verified,
//     profile_photo_url)
//   - https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke
//     (POST https://api.dropboxapi.com/2/auth/token/revoke authenticated
//     with the access token to revoke: it disables that token, its refresh
//     token and every access token of that refresh token)
//
// The provider user id is "account_id" ("dbid:" and 40 characters),
// Dropbox's unique and stable id of the account. The email address comes
// with Dropbox's "email_verified" (Dropbox warns not to rely on the address
// without it). First and last names are "name.given_name" and
// "name.surname"; Dropbox has no username. The avatar is
// "profile_photo_url", absent when none is set.
//
// Every authorization asks for token_access_type=offline, so the code
// comes with a refresh token (Dropbox's short-lived access tokens last
// four hours). Revoke revokes by access token, which ends the whole
// grant; given a refresh token it wraps provider.ErrRevocationUnsupported,
// and the account Service goes on to the access token.
package dropbox

import (
	"context"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Dropbox serves.
var Strategy = verification.MustParseStrategy("oauth_dropbox")

// Default URLs: the website (authorization) and the API (tokens, RPC).
const (
	DefaultBaseURL = "https://www.dropbox.com"
	DefaultAPIURL  = "https://api.dropboxapi.com"
)

// DefaultScopes read the account (apps with scoped access).
var DefaultScopes = []string{"account_info.read"}

// Config configures the Dropbox provider: ClientID is the app key and
// ClientSecret the app secret from the Dropbox App Console (required);
// BaseURL is the website and APIURL the API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Dropbox provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is Dropbox's (see the package documentation's sources).
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Dropbox", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth2/authorize",
			TokenURL:      DefaultAPIURL + "/oauth2/token",
			UserinfoURL:   DefaultAPIURL + "/2/users/get_current_account",
			RevocationURL: DefaultAPIURL + "/2/auth/token/revoke",
		},
	},
	OAuth2: catalog.OAuth2Hooks{Profile: profile, AuthParams: authParams, Revoke: catalog.RevokeByBearer("dropbox")},
}

// New returns the Dropbox provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// authParams asks for a refresh token with the code.
func authParams(_ provider.AuthRequest, v url.Values) { v.Set("token_access_type", "offline") }

// profile reads POST /2/users/get_current_account (see the package
// documentation).
func profile(ctx context.Context, api *catalog.API, _ *provider.Token) (*provider.Identity, error) {
	var acct map[string]any
	if err := api.PostJSON(ctx, api.UserinfoURL(), nil, &acct); err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, catalog.ErrMalformedResponse
	}
	return mapAccount(acct), nil
}

func mapAccount(acct map[string]any) *provider.Identity {
	id := &provider.Identity{
		ProviderUserID: catalog.ID(acct, "account_id"),
		EmailAddress:   catalog.String(acct, "email"),
		AvatarURL:      catalog.String(acct, "profile_photo_url"),
		Claims:         acct,
	}
	if id.EmailAddress != "" {
		id.EmailVerified = catalog.Bool(acct, "email_verified")
	}
	name, _ := acct["name"].(map[string]any)
	id.FirstName, id.LastName = catalog.String(name, "given_name"), catalog.String(name, "surname")
	if id.FirstName == "" && id.LastName == "" {
		id.FirstName, id.LastName = catalog.SplitName(catalog.String(name, "display_name"))
	}
	return id
}
