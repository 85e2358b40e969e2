// Package tiktok is the TikTok provider (strategy oauth_tiktok): Login Kit
// for Web over OAuth 2.0 (v2), with the app's client key where OAuth 2.0
// has a client id, and the user from GET /v2/user/info/.
//
// Sources, checked against no live server:
//   - https://developers.tiktok.com/doc/login-kit-web (authorization at
//     https://www.tiktok.com/v2/auth/authorize/ with client_key, a
//     comma-separated scope, response_type=code, redirect_uri, state)
//   - https://developers.tiktok.com/doc/oauth-user-access-token-management
//     (tokens at https://open.tiktokapis.com/v2/oauth/token/, form-encoded:
//     client_key, client_secret, code, grant_type, redirect_uri; the
//     response: access_token, expires_in, open_id, refresh_expires_in,
//     refresh_token, scope (comma-separated), token_type "Bearer"; a
//     code_verifier only for mobile and desktop apps; revocation at
//     https://open.tiktokapis.com/v2/oauth/revoke/ with client_key,
//     client_secret and the access token)
//   - https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token
//     (grant_type=refresh_token at the token endpoint; refresh tokens are
//     rotated: the previous one stops working)
//   - https://developers.tiktok.com/doc/oauth-error-handling (token
//     endpoint errors: error, error_description, log_id)
//   - https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info (GET
//     https://open.tiktokapis.com/v2/user/info/ with the required fields
//     query parameter; {"data": {"user": {...}}, "error": {"code", "message",
//     "log_id"}}, whose error.code is "ok" on success; open_id, union_id,
//     avatar_url and display_name with user.info.basic, username with
//     user.info.profile)
//
// The provider user id is "open_id", TikTok's id of the user for this app
// (another app of the same developer gets another; "union_id" is the
// developer-wide one, kept in Claims). TikTok never discloses an email
// address. The display name is split at its first space into first and last
// names; Username is "username", requested only when the token was granted
// user.info.profile; the avatar is "avatar_url" (a signed CDN URL that
// expires). A user/info answer whose error.code is not "ok", even with HTTP
// 200, fails the exchange with oauth_fetch_user_error.
//
// OAuth 2.0 clients send client_id; TikTok takes client_key. The
// authorization URL carries client_key besides the client_id the base
// always sends, and the provider's HTTP client renames client_id to
// client_key in every form it posts (token, refresh and revocation
// requests; see keyTransport). PKCE is left out: TikTok asks for it from
// mobile and desktop apps only, hex-encoded unlike RFC 7636. Tokens
// refresh (access tokens last hours: read expires_in), and each refresh
// rotates the refresh token. Revoke revokes an access token, which ends
// the user's authorization of the app (the form: client_key, client_secret,
// token); given a refresh token it wraps provider.ErrRevocationUnsupported,
// and the account Service goes on to the access token.
package tiktok

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy TikTok serves.
var Strategy = verification.MustParseStrategy("oauth_tiktok")

// Provider is the TikTok provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// Config configures the TikTok provider: the app's client key (as
// ClientID) and client secret (required); BaseURL is the website and
// APIURL the Open API (see provider.AppConfig).
type Config = provider.AppConfig

// Default URLs: the website (authorization) and the Open API (tokens,
// revocation, the profile).
const (
	DefaultBaseURL = "https://www.tiktok.com"
	DefaultAPIURL  = "https://open.tiktokapis.com"
)

// DefaultScopes read the basic profile (open_id, avatar, display name).
// Add user.info.profile for the username.
var DefaultScopes = []string{"user.info.basic"}

// Fields of user/info: basicFields with user.info.basic, and username
// with user.info.profile.
const (
	basicFields  = "open_id,union_id,avatar_url,display_name"
	profileScope = "user.info.profile"
)

// spec is TikTok's (see the package documentation's sources); New adds
// the revocation, which needs the client credentials.
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "TikTok", DefaultScopes: DefaultScopes,
		Transport: func(base http.RoundTripper) http.RoundTripper { return keyTransport{base} },
		BaseURL:   DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/v2/auth/authorize/",
			TokenURL:      DefaultAPIURL + "/v2/oauth/token/",
			UserinfoURL:   DefaultAPIURL + "/v2/user/info/",
			RevocationURL: DefaultAPIURL + "/v2/oauth/revoke/",
		},
	},
	ScopeSeparator: ",",
	OAuth2: catalog.OAuth2Hooks{
		Profile:    profile,
		AuthParams: func(_ provider.AuthRequest, v url.Values) { v.Set("client_key", v.Get("client_id")) },
		Revoke:     revoke,
	},
}

// New returns the TikTok provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) {
	return catalog.NewOAuth2[Provider](spec, catalog.App(cfg))
}

// keyTransport is the transport of the provider's client: in every form it
// posts, the client_id that x/oauth2 and RFC 7009 revocation send becomes
// the client_key TikTok reads. Other requests go to base as they are (nil
// is http.DefaultTransport).
type keyTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	if r.Method != http.MethodPost || r.Body == nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		return base.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(b))
	if err == nil && form.Has("client_id") {
		form["client_key"] = form["client_id"]
		delete(form, "client_id")
		b = []byte(form.Encode())
	}
	out := r.Clone(r.Context())
	out.ContentLength = int64(len(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(b))), nil }
	out.Body, _ = out.GetBody()
	return base.RoundTrip(out)
}

// profile reads user/info with the fields the granted scopes allow (see
// the package documentation).
func profile(ctx context.Context, api *catalog.API, tok *provider.Token) (*provider.Identity, error) {
	fields := basicFields
	if slices.Contains(tok.Scopes, profileScope) {
		fields += ",username"
	}
	var resp struct {
		Data struct {
			User map[string]any `json:"user"`
		} `json:"data"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := api.GetJSON(ctx, api.UserinfoURL()+"?"+url.Values{"fields": {fields}}.Encode(), &resp); err != nil {
		return nil, err
	}
	u := resp.Data.User
	if resp.Error.Code != "ok" || u == nil {
		return nil, verification.ErrFetchUser.WithLongMessage("TikTok answered the user info request with an error.").
			Wrap(catalog.NewOAuthError(http.StatusOK, resp.Error.Code))
	}
	id := &provider.Identity{Claims: u, ProviderUserID: catalog.ID(u, "open_id")}
	id.Username, id.AvatarURL = catalog.String(u, "username"), catalog.String(u, "avatar_url")
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(u, "display_name"))
	return id, nil
}

// revoke revokes an access token with the client credentials in the form,
// without token_type_hint, which TikTok documents none of.
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	if r.Hint == "refresh_token" {
		return fmt.Errorf("tiktok: TikTok revokes the authorization by its access token (%w)", provider.ErrRevocationUnsupported)
	}
	return catalog.Revoke(ctx, r.Client, catalog.Revocation{URL: r.Endpoint, ClientID: r.ClientID, ClientSecret: r.ClientSecret, AuthStyle: catalog.ClientSecretPost}, r.Token, "")
}
