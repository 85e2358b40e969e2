package notion_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/notion"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Notion's
// documented shapes: owner=user, no PKCE, HTTP Basic and a JSON token
// request body, a token response with "bearer", no expires_in and the
// workspace and owner, rotating refresh tokens, the bot user of GET
// /v1/users/me with its owner, Notion's error object, and JSON revocation
// of access tokens.
//
// Two shapes the suite cannot express are adapted: it expects a scope
// parameter, and Notion has no scopes, so the harness configures one
// (TestAuthCodeURL checks the default URL); its fake reads token requests
// as forms, so the client the harness gives the provider checks that each
// is JSON and hands the fake the same members as a form (formForFake).
func TestConformance(t *testing.T) {
	scopes := []string{"conformance.scope"}
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			hc := &http.Client{Transport: formForFake{s.Client.Transport}}
			return notion.New(notion.Config{Credentials: s.Credentials(), Scopes: scopes, BaseURL: s.URL, HTTP: provider.HTTPSettings{Client: hc}})
		},
		Strategy: "oauth_notion", Title: "Notion", DefaultScopes: scopes,
		Authorize: c.Authorize{Path: "/v1/oauth/authorize", Params: url.Values{"owner": {"user"}}},
		Token: c.Token{Path: "/v1/oauth/token", Auth: c.AuthBasic, TokenType: "bearer", RefreshToken: true, NoExpiry: true,
			Extra: func(u c.User) map[string]any {
				return map[string]any{"bot_id": "bot-" + u.ID, "workspace_id": "ws-1", "workspace_name": "Ada's Notion Workspace",
					"workspace_icon": nil, "owner": map[string]any{"type": "user", "user": person(u)}, "duplicated_template_id": nil}
			}},
		Profile: c.Profile{ErrorBody: `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`,
			Routes: []c.Route{{Path: "/v1/users/me", Body: func(u c.User, _ []string) any {
				return map[string]any{"object": "user", "id": "bot-" + u.ID, "type": "bot", "name": "Tether", "avatar_url": nil,
					"bot": map[string]any{"owner": map[string]any{"type": "user", "user": person(u)}, "workspace_name": "Ada's Notion Workspace"}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Path: "/v1/oauth/revoke", TokenIn: c.InJSON, JSONMember: "token", ClientAuth: c.AuthBasic,
			Hints: []string{"access_token"}, Response: `{"request_id":"3c90c3cc-0d44-4b50-8888-8dd25736052a"}`},
		// https://developers.notion.com/changelog/retrieve-information-about-your-token
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v1/users/me": botUser}, Want: provider.Identity{
			ProviderUserID: "5389a034-eb5c-47b5-8a9e-f79c99ef166c", EmailAddress: "christine@makenotion.com",
			FirstName: "christine", LastName: "makenotion",
		}}},
	})
}

// botUser is the documented response of GET /v1/users/me.
const botUser = `{"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "pied piper", "avatar_url": null, "type": "bot",
  "bot": {"owner": {"type": "user", "user": {"object": "user", "id": "5389a034-eb5c-47b5-8a9e-f79c99ef166c",
    "name": "christine makenotion", "avatar_url": null, "type": "person", "person": {"email": "christine@makenotion.com"}}}}}`

// person is u as a Notion person user.
func person(u c.User) map[string]any {
	p := map[string]any{"object": "user", "id": u.ID, "type": "person", "name": c.OrNil(u.Name()), "avatar_url": u.AvatarURL, "person": map[string]any{}}
	if u.Email != "" {
		p["person"] = map[string]any{"email": u.Email}
	}
	return p
}

// formForFake refuses a token request that is not the JSON body (with
// Notion-Version) Notion documents, and re-encodes it as the form the
// suite's fake reads.
type formForFake struct{ base http.RoundTripper }

func (f formForFake) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v1/oauth/token" {
		return f.base.RoundTrip(r)
	}
	var members map[string]string
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Notion-Version") != notion.APIVersion ||
		json.NewDecoder(r.Body).Decode(&members) != nil {
		return nil, errors.New("the token request is not Notion's JSON body")
	}
	form := url.Values{}
	for k, v := range members {
		form.Set(k, v)
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(strings.NewReader(form.Encode()))
	r.ContentLength = int64(len(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.base.RoundTrip(r)
}
