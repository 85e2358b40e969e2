package box_test

import (
	"os"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/box"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Box's documented
// shapes: no PKCE, client credentials in the form, a token response with
// token_type "bearer", restricted_to and no scope, GET /2.0/users/me with
// a string id and the sign-in address as "login" (not said to be
// verified), single-use refresh tokens, revocation with the client
// credentials in the form; and the documented user (testdata).
func TestConformance(t *testing.T) {
	me, err := os.ReadFile("testdata/users_me.json")
	if err != nil {
		t.Fatal(err)
	}
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return box.New(box.Config{Credentials: s.Credentials(), BaseURL: s.URL + "/account", APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_box", Title: "Box", DefaultScopes: box.DefaultScopes,
		Authorize: c.Authorize{Path: "/account/api/oauth2/authorize"},
		Token: c.Token{Path: "/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"restricted_to": []any{}} }},
		Profile: c.Profile{ErrorBody: `{"type":"error","status":401,"code":"unauthorized","message":"Unauthorized","request_id":"abcdef123456"}`,
			Routes: []c.Route{{Path: "/2.0/users/me", Body: func(u c.User, _ []string) any {
				return map[string]any{"type": "user", "id": u.ID, "name": u.Name(), "login": u.Email, "avatar_url": u.AvatarURL, "status": "active"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth2/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/2.0/users/me": string(me)}, Want: provider.Identity{
			ProviderUserID: "11446498", EmailAddress: "ceo@example.com", FirstName: "Aaron", LastName: "Levie",
			AvatarURL: "https://www.box.com/api/avatar/large/181216415",
		}}},
	})
}
