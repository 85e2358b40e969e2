// Package atlassian is the Atlassian provider (strategy oauth_atlassian):
// Atlassian Cloud's OAuth 2.0 authorization code grant ("3LO"), and the
// Atlassian account of the access token from GET /me of the User Identity
// API. It is OAuth 2.0 only: 3LO issues no ID token.
//
// Sources, checked against no live server:
//   - https://developer.atlassian.com/cloud/oauth/getting-started/implementing-oauth-3lo
//     (authorization at https://auth.atlassian.com/authorize with
//     audience=api.atlassian.com, without which the access token reaches
//     no API, and prompt=consent; space-separated scopes; tokens at
//     https://auth.atlassian.com/oauth/token with the client id and
//     secret in the request body; the token response: access_token,
//     expires_in 3600, token_type "Bearer", scope, refresh_token; the
//     page names no PKCE parameter, so none is sent)
//   - https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens
//     (offline_access in the scope for a refresh token; refresh tokens
//     rotate: each refresh returns a new one and disables the one used; a
//     refused refresh answers HTTP 403 {"error":"invalid_grant",
//     "error_description":"Unknown or invalid refresh token."})
//   - https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#how-do-i-retrieve-the-public-profile-of-the-authenticated-user-
//     (GET https://api.atlassian.com/me with the read:me scope:
//     account_id, email, name, nickname, picture, account_status)
//   - https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-profile/
//     (the members of an Atlassian account's profile, and its account_id
//     format, such as "557057:4f9acfd2-6155-419b-8de5-5b5cf27a59a0")
//   - https://community.developer.atlassian.com/t/refresh-token-expire-after-36000-seconds/60806/2
//     (Atlassian staff: a refresh token expires after 90 days unused and
//     365 days in all)
//
// Atlassian's examples send the token request as a JSON body; this
// package sends the same members form-encoded (RFC 6749 section 4.1.3),
// as Auth.js's Atlassian provider does.
//
// The provider user id is "account_id", the Atlassian account's id, the
// same in every Atlassian product and never reassigned (a string: its
// format varies). The email address is "email", absent or empty when the
// user's profile visibility hides it; Atlassian documents no verification
// flag for it, so EmailVerified is nil. "name" is split at its first
// space into first and last names; Username is "nickname"; the avatar is
// "picture".
//
// The default scopes include offline_access, without which Atlassian
// issues no refresh token. Every authorization carries audience and
// prompt=consent (any other prompt is replaced: Atlassian documents only
// consent). A refresh token is single-use: store the one each refresh
// returns. Atlassian has no token revocation endpoint for 3LO apps (users
// remove an app at id.atlassian.com, Connected apps): the provider is no
// provider.Revoker.
package atlassian

import (
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Atlassian serves.
var Strategy = verification.MustParseStrategy("oauth_atlassian")

// Default URLs: the authorization server (authorization, tokens) and the
// API gateway (the profile).
const (
	DefaultBaseURL = "https://auth.atlassian.com"
	DefaultAPIURL  = "https://api.atlassian.com"
)

// Audience is the audience parameter of every authorization: the API
// gateway the access token is for.
const Audience = "api.atlassian.com"

// DefaultScopes read the user's profile and ask for a refresh token.
var DefaultScopes = []string{"read:me", "offline_access"}

// Config configures the Atlassian provider: the OAuth 2.0 integration's
// client id and secret from the Atlassian developer console (required);
// BaseURL is the authorization server and APIURL the API gateway (see
// provider.AppConfig). Custom Scopes should keep offline_access.
type Config = provider.AppConfig

// Provider is the Atlassian provider: a provider.Refresher, and no
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
}

// New returns the Atlassian provider. It does no I/O and fails when
// ClientID or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// spec is Atlassian's (see the package documentation's sources).
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Atlassian", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
		Endpoint: catalog.Endpoint{
			AuthURL: DefaultBaseURL + "/authorize", TokenURL: DefaultBaseURL + "/oauth/token", UserinfoURL: DefaultAPIURL + "/me",
		},
	},
	MapProfile: mapMe,
	OAuth2:     catalog.OAuth2Hooks{AuthParams: authParams},
}

// authParams adds the audience and the consent prompt 3LO requires.
func authParams(_ provider.AuthRequest, v url.Values) {
	v.Set("audience", Audience)
	v.Set("prompt", "consent")
}

// mapMe maps a GET /me response (see the package documentation).
func mapMe(me map[string]any) (*provider.Identity, error) {
	first, last := catalog.SplitName(catalog.String(me, "name"))
	return &provider.Identity{
		ProviderUserID: catalog.ID(me, "account_id"), Claims: me,
		EmailAddress: catalog.String(me, "email"), FirstName: first, LastName: last,
		Username: catalog.String(me, "nickname"), AvatarURL: catalog.String(me, "picture"),
	}, nil
}
