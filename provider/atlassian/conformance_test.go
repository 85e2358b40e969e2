package atlassian_test

import (
	"os"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/atlassian"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Atlassian's
// documented shapes: audience and prompt=consent on every authorization,
// no PKCE, client credentials in the body, GET /me with a string
// account_id and no email verification flag, refresh with rotation, no
// revocation; and the documented /me example (testdata/me.json).
func TestConformance(t *testing.T) {
	me, err := os.ReadFile("testdata/me.json")
	if err != nil {
		t.Fatal(err)
	}
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return atlassian.New(atlassian.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/gateway", HTTP: s.HTTP()})
		},
		Strategy: "oauth_atlassian", Title: "Atlassian", DefaultScopes: atlassian.DefaultScopes,
		Authorize: c.Authorize{Path: "/authorize", Params: map[string][]string{"audience": {"api.atlassian.com"}, "prompt": {"consent"}}},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"code":401,"message":"Unauthorized"}`, Routes: []c.Route{{Path: "/gateway/me",
			Body: func(u c.User, _ []string) any {
				return map[string]any{"account_type": "atlassian", "account_id": u.ID, "email": u.Email, "name": u.Name(),
					"nickname": u.Username, "picture": u.AvatarURL, "account_status": "active", "locale": "en-US"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/gateway/me": string(me)}, Want: provider.Identity{
			ProviderUserID: "112233aa-bb11-cc22-33dd-445566abcabc", EmailAddress: "mia@example.com", FirstName: "Mia", LastName: "Krystof",
			Username: "mkrystof", AvatarURL: "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/112233aa-bb11-cc22-33dd-445566abcabc/1234abcd-9876-54aa-33aa-1234dcba/128",
		}}},
	})
}
