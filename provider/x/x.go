// Package x is the X (formerly Twitter) provider (strategy oauth_x): OAuth
// 2.0 Authorization Code with PKCE, which X requires, as a confidential
// client (HTTP Basic client authentication), and GET /2/users/me for the
// profile.
//
// The provider user id is the user's numeric id ("data.id", a string in
// X's API v2). Username is the @handle without "@"; the display name is
// split at its first space into first and last names; the avatar is
// "profile_image_url". X shares no email address through this API:
// EmailAddress is always empty and EmailVerified nil.
//
// The default scopes include offline.access, without which X issues no
// refresh token. Revoke uses X's RFC 7009 endpoint.
package x

import (
	"errors"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy X serves.
var Strategy = verification.MustParseStrategy("oauth_x")

// Default URLs: X's website (authorization) and API (tokens, users).
const (
	DefaultBaseURL = "https://x.com"
	DefaultAPIURL  = "https://api.x.com"
)

// DefaultScopes read the user (users.read needs tweet.read) and ask for a
// refresh token.
var DefaultScopes = []string{"tweet.read", "users.read", "offline.access"}

// userFields are the user fields GET /2/users/me returns besides id, name
// and username.
const userFields = "profile_image_url"

// Config configures the X provider: the OAuth 2.0 client id and secret of
// a confidential client (required; not the API key and secret of OAuth
// 1.0a); BaseURL is X's website and APIURL its API (see
// provider.AppConfig).
type Config = provider.AppConfig

// Provider is the X provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is X's, as its OAuth 2.0 Authorization Code with PKCE and users/me
// documentation name them; confidential clients authenticate with HTTP
// Basic.
var spec = catalog.OAuth2{MapProfile: mapUser, Spec: catalog.Spec{
	Strategy: Strategy, Title: "X", DefaultScopes: DefaultScopes,
	BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
	Endpoint: catalog.Endpoint{
		AuthURL:       DefaultBaseURL + "/i/oauth2/authorize",
		TokenURL:      DefaultAPIURL + "/2/oauth2/token",
		UserinfoURL:   DefaultAPIURL + "/2/users/me?user.fields=" + userFields,
		RevocationURL: DefaultAPIURL + "/2/oauth2/revoke",
	},
}}

// New returns the X provider. It does no I/O and fails when ClientID or
// ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// mapUser maps a GET /2/users/me response, {"data": {...}}.
func mapUser(m map[string]any) (*provider.Identity, error) {
	u := catalog.Object(m, "data")
	if u == nil {
		return nil, errors.New("x: the response has no data object")
	}
	id := &provider.Identity{
		ProviderUserID: catalog.ID(u, "id"),
		AvatarURL:      catalog.String(u, "profile_image_url"),
		Username:       catalog.String(u, "username"),
		Claims:         u,
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(u, "name"))
	return id, nil
}
