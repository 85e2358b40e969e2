// Package line is the LINE Login provider (strategy oauth_line): LINE
// Login v2.1's authorization code flow with PKCE, and the profile from
// GET /v2/profile.
//
// Sources, checked against no live server:
//   - https://developers.line.biz/en/docs/line-login/integrate-line-login/
//     (authorization at https://access.line.me/oauth2/v2.1/authorize with
//     space-separated scopes profile, openid and email; PKCE with S256; the
//     token request carries client_id and client_secret in the form)
//   - https://developers.line.biz/en/reference/line-login/ (tokens at
//     https://api.line.me/oauth2/v2.1/token: access tokens last 30 days,
//     every response has a refresh token; GET
//     https://api.line.me/v2/profile with the access token: userId,
//     displayName, pictureUrl, statusMessage; POST
//     https://api.line.me/oauth2/v2.1/revoke with access_token, client_id
//     and client_secret, form encoded, to revoke an access token)
//   - https://developers.line.biz/en/docs/line-login/verify-id-token/ (the
//     ID token of web login is signed with HS256, keyed with the channel
//     secret, without a "kid"; only native apps and LIFF get ES256 ID
//     tokens under https://api.line.me/oauth2/v2.1/certs, the only
//     algorithm the discovery document lists; the email address is in
//     the ID token only)
//
// # Why not OpenID Connect
//
// LINE's issuer is https://access.line.me, but provider/oidc, the
// catalogue's OpenID Connect base, verifies ID tokens with asymmetric
// algorithms and a JWKS only: it refuses HS256, so every web-login ID
// token would fail the exchange. The OAuth 2.0 base, the other one, does
// not hand the token response's id_token to a profile hook, so neither a
// local HS256 check with the channel secret nor LINE's verify endpoint
// (POST https://api.line.me/oauth2/v2.1/verify, which takes the ID
// token) can be used. The identity therefore comes from the documented
// profile endpoint, which the access token itself authenticates.
//
// The provider user id is the profile's "userId" (U followed by 32 hex
// digits), the same value as the ID token's "sub": unique to the user
// within the channel's provider, and stable. The display name is split at
// its first space into first and last names; the avatar is "pictureUrl",
// absent when the user has no picture; "statusMessage" stays in
// Identity.Claims. LINE has no username, and the profile has no email
// address (LINE releases it in the ID token only), so EmailAddress is
// empty and DefaultScopes do not ask for the email permission.
//
// Tokens refresh; LINE does not say whether a refresh rotates the refresh
// token, and one it returns replaces the one redeemed. Revoke revokes
// access tokens with the channel's credentials; LINE documents no
// revocation of refresh tokens, so for one it returns an error wrapping
// provider.ErrRevocationUnsupported and sends nothing.
package line

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/claims"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy LINE serves.
var Strategy = verification.MustParseStrategy("oauth_line")

// Default URLs: the login site (authorization) and the API (tokens, the
// profile, revocation).
const (
	DefaultBaseURL = "https://access.line.me"
	DefaultAPIURL  = "https://api.line.me"
)

// DefaultScopes read the profile.
var DefaultScopes = []string{"profile"}

// Config configures the LINE provider: ClientID is the LINE Login
// channel's Channel ID and ClientSecret its Channel secret (required);
// BaseURL is the login site and APIURL the API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the LINE provider. It refreshes tokens and revokes access
// tokens, and is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the LINE provider, sending nothing to LINE; it fails on
// missing channel credentials or an invalid setting.
func New(cfg Config) (*Provider, error) {
	return catalog.NewOAuth2[Provider](catalog.OAuth2{
		Spec: catalog.Spec{
			Strategy: Strategy, Title: "LINE", DefaultScopes: DefaultScopes,
			BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: xoauth2.AuthStyleInParams,
			Endpoint: catalog.Endpoint{
				AuthURL:       DefaultBaseURL + "/oauth2/v2.1/authorize",
				TokenURL:      DefaultAPIURL + "/oauth2/v2.1/token",
				UserinfoURL:   DefaultAPIURL + "/v2/profile",
				RevocationURL: DefaultAPIURL + "/oauth2/v2.1/revoke",
			},
		},
		MapProfile: mapProfile,
		OAuth2:     hooks.OAuth2{Revoke: channel(cfg.Credentials).revoke},
	}, catalog.App(cfg))
}

// mapProfile maps a GET /v2/profile response.
func mapProfile(p map[string]any) (*provider.Identity, error) {
	id := &provider.Identity{
		ProviderUserID: claims.ID(p, "userId"),
		AvatarURL:      claims.String(p, "pictureUrl"),
		Claims:         p,
	}
	id.FirstName, id.LastName = claims.SplitName(claims.String(p, "displayName"))
	return id, nil
}

// channel are the credentials a revocation request carries.
type channel provider.Credentials

// revoke posts an access token with the channel's credentials to the
// revocation endpoint (see the package documentation).
func (c channel) revoke(ctx context.Context, client *http.Client, endpoint, token, hint string) error {
	if hint == "refresh_token" {
		return fmt.Errorf("line: LINE revokes access tokens only (%w)", provider.ErrRevocationUnsupported)
	}
	form := url.Values{"access_token": {token}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("line: revocation request: %w", oauthclient.Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, _, err := oauthclient.Do(client, req); err != nil {
		return fmt.Errorf("line: revocation failed: %w", err)
	}
	return nil
}
