package gitlab_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/gitlab"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on GitLab's
// documented shapes: an ID token whose sub is the numeric user id and whose
// nickname is the username, refresh with rotation, RFC 7009 revocation.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return gitlab.New(gitlab.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_gitlab", Title: "GitLab", DefaultScopes: gitlab.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", PKCE: true},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/oauth/discovery/keys", Claims: func(u c.User) map[string]any {
			m := c.StandardClaims(u)
			delete(m, "given_name")
			delete(m, "family_name")
			m["nickname"] = u.Username
			return m
		}},
		Refresh: &c.Refresh{Rotates: true, IDToken: true},
		Revoke:  &c.Revoke{Path: "/oauth/revoke", ClientAuth: c.AuthPost},
	})
}
