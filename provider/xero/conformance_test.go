package xero_test

import (
	"fmt"
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/xero"
)

// TestConformance runs the provider conformance suite on Sign in with
// Xero's documented shapes: authorization on the login site, tokens and
// keys on the identity service with HTTP Basic, PKCE, an ID token with
// xero_userid (a GUID besides "sub"), given and family names, the email
// address as preferred_username and no picture or email_verified, refresh
// with rotation, and RFC 7009 revocation of refresh tokens only.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return xero.New(xero.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_xero", Title: "Xero", DefaultScopes: xero.DefaultScopes,
		Authorize: c.Authorize{Path: "/identity/connect/authorize", PKCE: true},
		Token:     c.Token{Path: "/connect/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/.well-known/openid-configuration/jwks", Claims: func(u c.User) map[string]any {
			m := map[string]any{"xero_userid": userID(u), "global_session_id": "c6f3b1a2e8d94f0b", "preferred_username": u.Email}
			if u.Email != "" {
				m["email"] = u.Email
			}
			if u.Name() != "" {
				m["given_name"], m["family_name"] = u.FirstName, u.LastName
			}
			return m
		}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true, Avatar: true},
		Expect:  func(u c.User, want *provider.Identity) { want.ProviderUserID = userID(u) },
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/connect/revocation", ClientAuth: c.AuthBasic, Hints: []string{"refresh_token"}},
	})
}

// userID is u's xero_userid, a GUID made of its id.
func userID(u c.User) string {
	var n uint64
	fmt.Sscan(u.ID, &n)
	return fmt.Sprintf("1945e5a3-6a9f-4f4c-9a3f-%012x", n)
}
