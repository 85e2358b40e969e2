package linear_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linear"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Linear's
// documented shapes: PKCE, comma-separated scopes, client credentials in
// the form, the GraphQL viewer query (a POST, whose errors come with HTTP
// 200), refresh, and revocation of the access token sent as the bearer
// token.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return linear.New(linear.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linear", Title: "Linear", DefaultScopes: linear.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", ScopeSeparator: ",", PKCE: true},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"errors": [{"message": "Authentication required", "extensions": {"code": "AUTHENTICATION_ERROR"}}]}`,
			Routes: []c.Route{{Method: "POST", Path: "/graphql", Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"viewer": map[string]any{"id": u.ID, "name": c.OrNil(u.Name()),
					"displayName": u.Username, "email": c.OrNil(u.Email), "avatarUrl": c.OrNil(u.AvatarURL)}}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth/revoke", TokenIn: c.InBearer, Hints: []string{"access_token"}},
	})
}
