package vercel_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/vercel"
)

// TestConformance runs the provider conformance suite on Sign in with
// Vercel's documented shapes: PKCE, HTTP Basic at the token and revocation
// endpoints (on the API host), an ID token with name, preferred_username,
// picture and email but no email_verified, refresh with rotation, RFC 7009
// revocation.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return vercel.New(vercel.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_vercel", Title: "Vercel", DefaultScopes: vercel.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", PKCE: true},
		Token:     c.Token{Path: "/login/oauth/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/.well-known/jwks", Claims: func(u c.User) map[string]any {
			m := map[string]any{"preferred_username": u.Username, "picture": u.AvatarURL, "jti": "50e67781-c8b6-4391-98d1-89d755bb095a"}
			if u.Name() != "" {
				m["name"] = u.Name()
			}
			if u.Email != "" {
				m["email"] = u.Email
			}
			return m
		}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/login/oauth/token/revoke", ClientAuth: c.AuthBasic},
		// The ID token payload of https://vercel.com/docs/sign-in-with-vercel/tokens.
		Examples: []c.Example{{Name: "Documented", Claims: map[string]any{
			"sub": "345e869043f1e55f8bdc837c", "nbf": 1519945200, "jti": "50e67781-c8b6-4391-98d1-89d755bb095a",
			"name": "John Doe", "preferred_username": "john-doe", "email": "user@example.com",
			"picture": "https://api.vercel.com/www/avatar/00159aa4c88348dedc91a456b457d1baa48df6d",
		}, Want: provider.Identity{
			ProviderUserID: "345e869043f1e55f8bdc837c", EmailAddress: "user@example.com", FirstName: "John", LastName: "Doe",
			Username: "john-doe", AvatarURL: "https://api.vercel.com/www/avatar/00159aa4c88348dedc91a456b457d1baa48df6d",
		}}},
	})
}
