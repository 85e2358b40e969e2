// Package instagram is the Instagram provider (strategy oauth_instagram):
// the Instagram API with Instagram Login (Business Login for Instagram),
// OAuth 2.0 with Meta's conventions, and the professional account from the
// "me" node of graph.instagram.com.
//
// Sources, checked against no live server:
//   - https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
//     (Business Login: the instagram_business_* scopes; the code is
//     exchanged at https://api.instagram.com/oauth/access_token with
//     client_id, client_secret, grant_type=authorization_code, redirect_uri
//     and code in the form, for a short-lived (one hour) token:
//     {"data": [{"access_token", "user_id", "permissions"}]}, which earlier
//     versions of the page, and integrators, show without "data":
//     {"access_token", "user_id", "permissions"}; no token_type, no
//     expires_in, no refresh token)
//   - https://developers.facebook.com/docs/instagram-platform/reference/oauth-authorize
//     (GET https://api.instagram.com/oauth/authorize with client_id,
//     redirect_uri, response_type=code, a comma-separated scope and state;
//     Instagram appends "#_" to the redirect URI, a fragment the browser
//     keeps)
//   - https://developers.facebook.com/docs/instagram-platform/reference/me
//     and https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started
//     (GET https://graph.instagram.com/v25.0/me with fields: user_id (the
//     professional account's id), id (app-scoped), username, name,
//     account_type, profile_picture_url)
//   - https://developers.facebook.com/docs/instagram-platform/reference/access_token
//     and https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token
//     (the short-lived token's exchange for a 60-day one, ig_exchange_token,
//     and that token's refresh, ig_refresh_token: GET requests with the
//     access token, not an OAuth 2.0 refresh token; out of this package's
//     scope, see below)
//   - https://developers.facebook.com/blog/post/2024/09/04/update-on-instagram-basic-display-api/
//     (the Basic Display API, which personal accounts used, ended on
//     December 4, 2024)
//
// Only Instagram professional (business and creator) accounts can sign in.
// The provider user id is "user_id" of the me node, the professional
// account's id, a string of digits (the token response's user_id is a JSON
// number past 2^53 in some answers: every digit is kept either way). The
// app-scoped "id" stays in Claims. Instagram discloses no email address.
// "name" is split at its first space into first and last names; Username is
// "username"; the avatar is "profile_picture_url", a CDN URL that expires.
//
// The token response is not RFC 6749's: the provider's client rewrites it
// (see tokenAnswer) from the "data" array, if any, with token_type "bearer"
// when it has none (Instagram user tokens are bearer tokens) and the granted
// "permissions" as its scope. Tokens do not refresh (the access token lasts
// one hour; exchanging it for a long-lived one is the host's to do with its
// own requests), so the provider is no provider.Refresher. Instagram has no
// token revocation endpoint (users remove the app in their settings, and
// Meta calls the app's deauthorize callback): the provider is no
// provider.Revoker. PKCE is not documented and is left out.
package instagram

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Instagram serves.
var Strategy = verification.MustParseStrategy("oauth_instagram")

// GraphVersion is the version of the Graph API the me node is read from.
const GraphVersion = "v25.0"

// Default URLs: the Instagram API (authorization, tokens) and the Graph API
// (the profile).
const (
	DefaultBaseURL = "https://api.instagram.com"
	DefaultAPIURL  = "https://graph.instagram.com"
)

// DefaultScopes read the professional account's profile.
var DefaultScopes = []string{"instagram_business_basic"}

// Config configures the Instagram provider: ClientID is the Instagram app
// ID and ClientSecret the Instagram app secret from the App Dashboard
// (required); BaseURL is the Instagram API and APIURL the Graph API (see
// provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Instagram provider: neither a provider.Refresher nor a
// provider.Revoker. It is safe for concurrent use.
type Provider struct{ provider.Provider }

// spec is Instagram's (see the package documentation's sources).
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Instagram", DefaultScopes: DefaultScopes,
		Transport: func(base http.RoundTripper) http.RoundTripper { return tokenAnswer{base} },
		BaseURL:   DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
		Endpoint: catalog.Endpoint{
			AuthURL:     DefaultBaseURL + "/oauth/authorize",
			TokenURL:    DefaultBaseURL + "/oauth/access_token",
			UserinfoURL: DefaultAPIURL + "/" + GraphVersion + "/me?fields=user_id,username,name,account_type,profile_picture_url",
		},
	},
	ScopeSeparator: ",",
	MapProfile:     mapMe,
}

// New returns the Instagram provider. It does no I/O and fails when
// ClientID or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) {
	return catalog.NewOAuth2[Provider](spec, catalog.App(cfg))
}

// tokenAnswer is the transport of the provider's client: the 200 answer of
// each POST it sends, which is the code exchange (the profile is a GET),
// goes back through normalize. Requests go to base as they are.
type tokenAnswer struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t tokenAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	raw, err := catalog.ReadBody(resp.Body) // beneath the client's size limit
	if err != nil {
		return nil, err
	}
	body := normalize(raw)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// normalize returns Instagram's token response as RFC 6749 section 5.1
// has it: the first element of "data" when the response is wrapped in it,
// token_type "bearer" when it has none, and "permissions" as "scope". Every
// other member, a user_id number included, is kept byte for byte; a
// response without an access token is returned as it is.
func normalize(raw []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	var data []map[string]json.RawMessage
	if _, ok := m["access_token"]; !ok && json.Unmarshal(m["data"], &data) == nil && len(data) > 0 {
		m = data[0]
	}
	if _, ok := m["access_token"]; !ok {
		return raw
	}
	if tt := ""; json.Unmarshal(m["token_type"], &tt) != nil || tt == "" {
		m["token_type"] = json.RawMessage(`"bearer"`)
	}
	if _, ok := m["scope"]; !ok && m["permissions"] != nil {
		m["scope"] = m["permissions"]
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

// mapMe maps the me node (see the package documentation).
func mapMe(me map[string]any) (*provider.Identity, error) {
	id := &provider.Identity{Claims: me, ProviderUserID: catalog.ID(me, "user_id")}
	id.Username, id.AvatarURL = catalog.String(me, "username"), catalog.String(me, "profile_picture_url")
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(me, "name"))
	return id, nil
}
