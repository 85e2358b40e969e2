package coinbase_test

import (
	"os"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/coinbase"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Coinbase's
// documented shapes: PKCE S256, space-separated scopes, client
// credentials in the form, token_type "bearer" (Ory Hydra), GET /v2/user
// with the user in "data" and API errors as {"errors": [...]}, single-use
// refresh tokens, RFC 7009 revocation with the client credentials in the
// form; and the documented user (testdata).
func TestConformance(t *testing.T) {
	user, err := os.ReadFile("testdata/user.json")
	if err != nil {
		t.Fatal(err)
	}
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return coinbase.New(coinbase.Config{Credentials: s.Credentials(), BaseURL: s.URL + "/login", APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_coinbase", Title: "Coinbase", DefaultScopes: coinbase.DefaultScopes,
		Authorize: c.Authorize{Path: "/login/oauth2/auth", PKCE: true},
		Token:     c.Token{Path: "/login/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"errors":[{"id":"invalid_token","message":"The access token is invalid"}]}`,
			Routes: []c.Route{{Path: "/v2/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"id": u.ID, "name": c.OrNil(u.Name()), "username": c.OrNil(u.Username),
					"avatar_url": u.AvatarURL, "email": u.Email, "resource": "user", "resource_path": "/v2/user"}}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/login/oauth2/revoke", ClientAuth: c.AuthPost},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v2/user": string(user)}, Want: provider.Identity{
			ProviderUserID: "9da7a204-544e-5fd1-9a12-61176c5d4cd8", EmailAddress: "user1@example.com", FirstName: "User", LastName: "One",
			Username: "user1", AvatarURL: "https://images.coinbase.com/avatar?h=vR%2FY8igBoPwuwGren5JMwvDNGpURAY%2F0nRIOgH%2FY2Qh%2BQ6nomR3qusA%2Bh6o2%0Af9rH&s=128",
		}}},
	})
}
