// Package linear is the Linear provider (strategy oauth_linear): OAuth 2.0
// with PKCE, and the user of the access token from Linear's GraphQL API.
//
// Sources, checked against no live server:
//   - https://linear.app/developers/oauth-2-0-authentication (authorization
//     at https://linear.app/oauth/authorize with a comma-separated scope
//     list, "read" always granted, PKCE; tokens at
//     https://api.linear.app/oauth/token, form-encoded, with the client id
//     and secret in the form; refresh tokens for every application since
//     April 1, 2026; revocation at https://api.linear.app/oauth/revoke)
//   - https://linear.app/developers/graphql (POST
//     https://api.linear.app/graphql; the viewer query returns the
//     authenticated user: id, name, displayName, email, avatarUrl)
//
// The provider user id is the viewer's "id", a UUID that never changes.
// Linear does not say whether the email address was verified, so
// EmailVerified is nil. The name is split at its first space into first
// and last names; Username is "displayName", unique within the user's
// workspace. The avatar is "avatarUrl", absent when none is set. A GraphQL
// error comes back as HTTP 200 with an "errors" member and no viewer: it
// fails the exchange with oauth_fetch_user_error.
//
// Tokens refresh. Revoke posts the access token as the bearer token to
// the revocation endpoint, which ends the authorization; given a refresh
// token it wraps provider.ErrRevocationUnsupported, and the account
// Service goes on to the access token.
package linear

import (
	"context"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Linear serves.
var Strategy = verification.MustParseStrategy("oauth_linear")

// Default URLs: the app (authorization) and the API (tokens, GraphQL).
const (
	DefaultBaseURL = "https://linear.app"
	DefaultAPIURL  = "https://api.linear.app"
)

// DefaultScopes read the user's account ("read" is always granted).
var DefaultScopes = []string{"read"}

// viewerQuery is the GraphQL request of the profile.
const viewerQuery = `{"query":"query { viewer { id name displayName email avatarUrl } }"}`

// Config configures the Linear provider: the OAuth2 application's client
// id and secret (required); BaseURL is the app and APIURL the API (see
// provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Linear provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is Linear's (see the package documentation's sources).
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Linear", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth/authorize",
			TokenURL:      DefaultAPIURL + "/oauth/token",
			UserinfoURL:   DefaultAPIURL + "/graphql",
			RevocationURL: DefaultAPIURL + "/oauth/revoke",
		},
	},
	ScopeSeparator: ",",
	OAuth2:         catalog.OAuth2Hooks{Profile: profile, Revoke: catalog.RevokeByBearer("linear")},
}

// New returns the Linear provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// profile runs the viewer query (see the package documentation).
func profile(ctx context.Context, api *catalog.API, _ *provider.Token) (*provider.Identity, error) {
	var resp struct {
		Data struct {
			Viewer map[string]any `json:"viewer"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := api.PostJSON(ctx, api.UserinfoURL(), []byte(viewerQuery), &resp); err != nil {
		return nil, err
	}
	v := resp.Data.Viewer
	if len(resp.Errors) > 0 || v == nil {
		return nil, verification.ErrFetchUser.WithLongMessage("Linear answered the profile query with an error.")
	}
	id := &provider.Identity{
		ProviderUserID: catalog.ID(v, "id"),
		EmailAddress:   catalog.String(v, "email"),
		Username:       catalog.String(v, "displayName"),
		AvatarURL:      catalog.String(v, "avatarUrl"),
		Claims:         v,
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(v, "name"))
	return id, nil
}
