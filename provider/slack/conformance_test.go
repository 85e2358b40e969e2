package slack_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/slack"
)

// TestConformance runs the provider conformance suite on Sign in with
// Slack's documented shapes: openid.connect.token with "ok" and no scope,
// an ID token with the team and user ids and no username, refresh with
// token rotation, and auth.revoke, which revokes the access token it is
// called with.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return slack.New(slack.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_slack", Title: "Slack", DefaultScopes: slack.DefaultScopes,
		Authorize: c.Authorize{Path: "/openid/connect/authorize", PKCE: true},
		Token: c.Token{Path: "/api/openid.connect.token", Auth: c.AuthPost, RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"ok": true} }},
		IDToken: &c.IDToken{JWKSPath: "/openid/connect/keys", Claims: func(u c.User) map[string]any {
			m := c.StandardClaims(u)
			m[slack.TeamIDClaim], m["https://slack.com/user_id"] = "T0R7GR", "U"+u.ID
			return m
		}},
		Lacks:   c.Lacks{Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Path: "/api/auth.revoke", TokenIn: c.InBearer, Hints: []string{"access_token"},
			Response: `{"ok":true,"revoked":true}`},
	})
}
