package tiktok_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/tiktok"
)

// TestConformance runs the provider conformance suite on TikTok's
// documented shapes: client_key in place of client_id (authorization,
// token and revocation requests), comma-separated scopes, no PKCE for web
// apps, the client secret in the form, a token response with open_id and
// refresh_expires_in, rotating refresh tokens, user/info with the fields
// parameter and an "error" object whose code is "ok" on success (and not
// "ok", with HTTP 200, on failure), no email address, and revocation of
// access tokens. It runs with the default scope and again with
// user.info.profile, which adds the username.
func TestConformance(t *testing.T) {
	for _, scopes := range [][]string{tiktok.DefaultScopes, {"user.info.basic", "user.info.profile"}} {
		t.Run(scopes[len(scopes)-1], func(t *testing.T) { c.Run(t, harness(scopes)) })
	}
}

// harness is TikTok's for an app that requests scopes.
func harness(scopes []string) c.Harness {
	fields, profile := "open_id,union_id,avatar_url,display_name", slices.Contains(scopes, "user.info.profile")
	if profile {
		fields += ",username"
	}
	return c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return tiktok.New(tiktok.Config{Credentials: s.Credentials(), Scopes: scopes, BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_tiktok", Title: "TikTok", DefaultScopes: scopes, ClientIDParam: "client_key",
		Authorize: c.Authorize{Path: "/v2/auth/authorize/", ScopeSeparator: ","},
		Token: c.Token{Path: "/v2/oauth/token/", Auth: c.AuthPost, ScopeSeparator: ",", RefreshToken: true,
			Extra: func(u c.User) map[string]any { return map[string]any{"open_id": u.ID, "refresh_expires_in": 15552000} }},
		Profile: c.Profile{
			ErrorBody: `{"data": {}, "error": {"code": "access_token_invalid", "message": "The access token is invalid or not found in the request.", "log_id": "20220829194722CBE87ED59D524E727021"}}`,
			Routes: []c.Route{{Path: "/v2/user/info/", Query: url.Values{"fields": {fields}}, Body: func(u c.User, _ []string) any {
				user := map[string]any{"open_id": u.ID, "union_id": "union-" + u.ID, "avatar_url": u.AvatarURL, "display_name": u.Name()}
				if profile {
					user["username"] = u.Username
				}
				return map[string]any{"data": map[string]any{"user": user}, "error": map[string]any{"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"}}
			}}}},
		Lacks:   c.Lacks{Email: true, Username: !profile},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/v2/oauth/revoke/", TokenIn: c.InFormParam, FormParam: "token", ClientAuth: c.AuthPost, Hints: []string{"access_token"}},
		// https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v2/user/info/": userInfo}, Want: provider.Identity{
			ProviderUserID: "723f24d7-e717-40f8-a2b6-cb8464cd23b4", FirstName: "Tik", LastName: "Toker", Username: "tiktoker",
			AvatarURL: "https://p19-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/b17f0e4b3a4f4a50993cf72cda8b88b8~c5_168x168.jpeg",
		}}},
	}
}

// userInfo is the documented response of GET /v2/user/info/.
const userInfo = `{"data": {"user": {"avatar_url": "https://p19-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/b17f0e4b3a4f4a50993cf72cda8b88b8~c5_168x168.jpeg",
  "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4", "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
  "display_name": "Tik Toker", "username": "tiktoker"}},
 "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"}}`
