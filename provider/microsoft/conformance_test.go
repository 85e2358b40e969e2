package microsoft_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/microsoft"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on the Microsoft
// identity platform's documented shapes for the common tenant: an issuer
// per tenant (tid), preferred_username, the email verified only through
// xms_edov, no picture in the ID token, refresh with rotation and a new ID
// token, and no revocation endpoint.
func TestConformance(t *testing.T) {
	const tid = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return microsoft.New(microsoft.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_microsoft", Title: "Microsoft", DefaultScopes: microsoft.DefaultScopes,
		Authorize: c.Authorize{Path: "/common/oauth2/v2.0/authorize", PKCE: true},
		Token:     c.Token{Path: "/common/oauth2/v2.0/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{IssuerPath: "/" + tid + "/v2.0", IssuerTemplate: true, JWKSPath: "/common/discovery/v2.0/keys",
			Claims: func(u c.User) map[string]any {
				m := c.StandardClaims(u)
				delete(m, "picture")
				delete(m, "email_verified")
				m["tid"], m["preferred_username"], m["xms_edov"] = tid, u.Username, u.Verified()
				return m
			}},
		Lacks: c.Lacks{Avatar: true},
		Expect: func(u c.User, want *provider.Identity) {
			if !u.Verified() {
				want.EmailVerified = nil // xms_edov says verified or nothing
			}
		},
		Refresh: &c.Refresh{Rotates: true, IDToken: true},
	})
}
