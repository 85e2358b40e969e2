// Package spotify is the Spotify provider (strategy oauth_spotify): OAuth
// 2.0 Authorization Code with PKCE at the Spotify Accounts service, and
// GET /v1/me of the Web API for the profile.
//
// Sources, checked against no live server:
//   - https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow
//     (authorization at https://accounts.spotify.com/authorize with
//     code_challenge_method=S256; tokens at
//     https://accounts.spotify.com/api/token; a refresh may return a new
//     refresh token)
//   - https://developer.spotify.com/documentation/web-api/tutorials/code-flow
//     (a confidential client authenticates with HTTP Basic)
//   - https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile
//     (GET https://api.spotify.com/v1/me: id, account_id, display_name,
//     email, images[].url)
//
// The provider user id is the profile's "account_id", which Spotify
// documents as the immutable identifier to link accounts by, or "id" (the
// Spotify user id) for a profile without one. The display name is split at
// its first space into first and last names; Username is "id"; the avatar
// is the first image's URL. Spotify says the email address ("email", with
// the user-read-email scope) is unverified, so EmailVerified is always nil.
//
// Tokens refresh, and Spotify may rotate the refresh token. Spotify has no
// token revocation endpoint (users remove an app's access in their account
// settings): the provider is no provider.Revoker.
package spotify

import (
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Spotify serves.
var Strategy = verification.MustParseStrategy("oauth_spotify")

// Default URLs: the Accounts service (authorization, tokens) and the Web
// API (the profile).
const (
	DefaultBaseURL = "https://accounts.spotify.com"
	DefaultAPIURL  = "https://api.spotify.com"
)

// DefaultScopes read the profile and the email address.
var DefaultScopes = []string{"user-read-email", "user-read-private"}

// Config configures the Spotify provider: the app's client id and secret
// from the Spotify Developer Dashboard (required), and the settings every
// app-only catalogue provider has (see provider.AppConfig; BaseURL is the
// Accounts service, APIURL the Web API).
type Config = provider.AppConfig

// Provider is the Spotify provider: a provider.Refresher, and no
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
}

// spec is Spotify's (see the package documentation's sources).
var spec = catalog.OAuth2{MapProfile: mapUser, Spec: catalog.Spec{
	Strategy: Strategy, Title: "Spotify", DefaultScopes: DefaultScopes,
	BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
	Endpoint: catalog.Endpoint{
		AuthURL:     DefaultBaseURL + "/authorize",
		TokenURL:    DefaultBaseURL + "/api/token",
		UserinfoURL: DefaultAPIURL + "/v1/me",
	},
}}

// New returns the Spotify provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// mapUser maps a GET /v1/me response (see the package documentation).
func mapUser(me map[string]any) (*provider.Identity, error) {
	id := &provider.Identity{
		ProviderUserID: catalog.ID(me, "account_id"),
		EmailAddress:   catalog.String(me, "email"),
		Username:       catalog.String(me, "id"),
		Claims:         me,
	}
	if id.ProviderUserID == "" {
		id.ProviderUserID = id.Username
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(me, "display_name"))
	if images, _ := me["images"].([]any); len(images) > 0 {
		first, _ := images[0].(map[string]any)
		id.AvatarURL = catalog.String(first, "url")
	}
	return id, nil
}
