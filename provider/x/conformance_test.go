package x_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/x"
)

// TestConformance runs the provider conformance suite on X's documented
// shapes: PKCE, HTTP Basic for a confidential client, GET /2/users/me with
// {"data": {...}} and no email address, refresh with rotation, RFC 7009
// revocation.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return x.New(x.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_x", Title: "X", DefaultScopes: x.DefaultScopes,
		Authorize: c.Authorize{Path: "/i/oauth2/authorize", PKCE: true},
		Token:     c.Token{Path: "/2/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{Routes: []c.Route{{Path: "/2/users/me", Query: map[string][]string{"user.fields": {"profile_image_url"}},
			Body: func(u c.User, _ []string) any {
				return map[string]any{"data": map[string]any{"id": u.ID, "name": u.Name(), "username": u.Username, "profile_image_url": u.AvatarURL}}
			}}}},
		Lacks:   c.Lacks{Email: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/2/oauth2/revoke", ClientAuth: c.AuthBasic},
	})
}
