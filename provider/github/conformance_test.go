package github_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on GitHub's
// documented shapes: a GitHub App's expiring user tokens (refresh with
// rotation), comma-separated scopes, GET /user with a numeric id and GET
// /user/emails with the primary address's verified flag, and revocation by
// DELETE /applications/{client_id}/grant.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return github.New(github.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL + "/api", HTTP: s.HTTP()})
		},
		Strategy: "oauth_github", Title: "GitHub", DefaultScopes: github.DefaultScopes,
		Authorize: c.Authorize{Path: "/login/oauth/authorize", PKCE: true},
		Token: c.Token{Path: "/login/oauth/access_token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: ",", RefreshToken: true,
			Extra: func(c.User) map[string]any { return map[string]any{"refresh_token_expires_in": 15897600} }},
		Profile: c.Profile{Routes: []c.Route{
			{Path: "/api/user", Body: func(u c.User, _ []string) any {
				return map[string]any{"id": u.NumericID(), "login": u.Username, "name": c.OrNil(u.Name()), "email": nil, "avatar_url": u.AvatarURL}
			}},
			{Path: "/api/user/emails", Body: func(u c.User, _ []string) any {
				if u.Email == "" {
					return []any{}
				}
				return []any{map[string]any{"email": u.Email, "primary": true, "verified": u.Verified(), "visibility": "private"}}
			}},
		}},
		Refresh: &c.Refresh{Rotates: true},
		Revoke: &c.Revoke{Method: "DELETE", Path: "/api/applications/{client_id}/grant", TokenIn: c.InJSON, JSONMember: "access_token",
			ClientAuth: c.AuthBasic, Hints: []string{"access_token"}, Status: 204},
	})
}
