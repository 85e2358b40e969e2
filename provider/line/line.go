// Package line is the LINE Login provider (strategy oauth_line): LINE
// Login v2.1's web login, OpenID Connect with the issuer
// https://access.line.me and ID tokens signed with HS256, keyed with the
// channel secret.
//
// Sources, checked against no live server:
//   - https://developers.line.biz/en/docs/line-login/integrate-line-login/
//     (authorization at https://access.line.me/oauth2/v2.1/authorize with
//     space-separated scopes profile, openid and email, a nonce, PKCE with
//     S256; the token request carries client_id and client_secret in the
//     form; the email permission must be applied for in the LINE
//     Developers Console before the email scope releases an address)
//   - https://developers.line.biz/en/docs/line-login/verify-id-token/ (the
//     ID token of web login is signed with HS256 keyed with the channel
//     secret, without a "kid"; iss https://access.line.me, aud the channel
//     ID; claims sub, name, picture and, with the email scope, email; only
//     native apps and LIFF get ES256 ID tokens from
//     https://api.line.me/oauth2/v2.1/certs)
//   - https://developers.line.biz/en/reference/line-login/ (tokens at
//     https://api.line.me/oauth2/v2.1/token: access tokens last 30 days,
//     every response has a refresh token, a refresh returns a new one;
//     POST https://api.line.me/oauth2/v2.1/revoke with access_token,
//     client_id and client_secret, form encoded, to revoke an access
//     token)
//
// The ID token is verified with the channel secret as OpenID Connect Core
// section 3.1.3.7 prescribes for MAC algorithms; HS256 is the only
// algorithm accepted, so a token cannot choose another key. The provider
// user id is "sub" (U followed by 32 hex digits), unique to the user within
// the channel's provider and stable. "name", the display name, is split at
// its first space into first and last names; the avatar is "picture".
// LINE has no username. The email address comes only with the email scope,
// which DefaultScopes leave out because LINE grants it per channel on
// application: add it to Config.Scopes once the channel has the
// permission. LINE does not say whether the address was verified, so
// EmailVerified is nil.
//
// Tokens refresh, and a refresh returns a new refresh token. Revoke
// revokes access tokens with the channel's credentials; LINE documents no
// revocation of refresh tokens, so for one it returns an error wrapping
// provider.ErrRevocationUnsupported and sends nothing.
package line

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
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

// DefaultScopes ask for the ID token with the profile ("openid" is always
// added); add "email" for a channel with the email permission.
var DefaultScopes = []string{"openid", "profile"}

// Config configures the LINE provider: ClientID is the LINE Login
// channel's Channel ID and ClientSecret its Channel secret (required),
// which also verifies the ID tokens; BaseURL is the login site, the issuer,
// and APIURL the API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the LINE provider. It refreshes tokens and revokes access
// tokens, and is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is LINE's (see the package documentation's sources).
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "LINE", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth2/v2.1/authorize",
			TokenURL:      DefaultAPIURL + "/oauth2/v2.1/token",
			RevocationURL: DefaultAPIURL + "/oauth2/v2.1/revoke",
		},
	},
	Issuer: DefaultBaseURL,
	OIDC:   catalog.OIDCHooks{ClientSecretHS256: true, Revoke: revoke},
}

// New returns the LINE provider, sending nothing to LINE; it fails on
// missing channel credentials or an invalid setting.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }

// revoke posts an access token with the channel's credentials to the
// revocation endpoint (see the package documentation).
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	client, endpoint, token, hint := r.Client, r.Endpoint, r.Token, r.Hint
	if hint == "refresh_token" {
		return fmt.Errorf("line: LINE revokes access tokens only (%w)", provider.ErrRevocationUnsupported)
	}
	form := url.Values{"access_token": {token}, "client_id": {r.ClientID}, "client_secret": {r.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("line: revocation request: %w", catalog.Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, _, err := catalog.Do(client, req); err != nil {
		return fmt.Errorf("line: revocation failed: %w", err)
	}
	return nil
}
