package bitbucket_test

import (
	"os"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/bitbucket"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Bitbucket
// Cloud's documented shapes: HTTP Basic, no PKCE, a token response with
// "scopes" (no "scope") and token_type "bearer", GET /2.0/user with a
// braced uuid and GET /2.0/user/emails with is_primary and is_confirmed,
// refresh without rotation, no revocation; and the documented responses
// (testdata), whose primary address is unconfirmed.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return bitbucket.New(bitbucket.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/api", HTTP: s.HTTP()})
		},
		Strategy: "oauth_bitbucket", Title: "Bitbucket", DefaultScopes: bitbucket.DefaultScopes,
		Authorize: c.Authorize{Path: "/site/oauth2/authorize"},
		Token: c.Token{Path: "/site/oauth2/access_token", Auth: c.AuthBasic, TokenType: "bearer", RefreshToken: true,
			Extra: func(c.User) map[string]any {
				return map[string]any{"scopes": "account email", "state": "authorization_code"}
			}},
		Profile: c.Profile{ErrorBody: `{"type":"error","error":{"message":"Access token expired."}}`, Routes: []c.Route{
			{Path: "/api/2.0/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"type": "user", "uuid": "{" + u.ID + "}", "account_id": "557058:" + u.ID, "nickname": u.Username,
					"display_name": u.Name(), "links": map[string]any{"avatar": map[string]any{"href": u.AvatarURL}}}
			}},
			{Path: "/api/2.0/user/emails", Body: func(u c.User, _ []string) any {
				values := []any{map[string]any{"type": "email", "email": "other-" + u.ID + "@example.com", "is_primary": false, "is_confirmed": true}}
				if u.Email != "" {
					values = append(values, map[string]any{"type": "email", "email": u.Email, "is_primary": true, "is_confirmed": u.Verified()})
				}
				return map[string]any{"pagelen": 10, "page": 1, "size": len(values), "values": values}
			}},
		}},
		Expect:  func(u c.User, want *provider.Identity) { want.ProviderUserID = "{" + u.ID + "}" },
		Refresh: &c.Refresh{},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/api/2.0/user": doc(t, "user.json"), "/api/2.0/user/emails": doc(t, "emails.json")},
			Want: provider.Identity{
				ProviderUserID: "{d301aafa-d676-4ee0-88be-962be7417567}", EmailAddress: "erik@example.com", EmailVerified: new(false),
				FirstName: "Erik", LastName: "van Zijst", Username: "evzijst",
				AvatarURL: "https://secure.gravatar.com/avatar/59bc6cdd5ab8b0e8b7d5e5e7c4c6e4e9?d=https%3A%2F%2Favatar-management--avatars.us-west-2.prod.public.atl-paas.net%2Finitials%2FEV-4.png",
			}}},
	})
}

// doc returns testdata/name, a response Bitbucket's documentation shows.
func doc(t *testing.T, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
