package facebook_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/facebook"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Facebook's
// documented shapes: comma-separated permissions, a token response without
// scope or refresh token, the me node with fields and appsecret_proof (the
// granted permissions come from it), Graph API errors, and DELETE
// /me/permissions.
func TestConformance(t *testing.T) {
	v := "/" + facebook.DefaultGraphVersion
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return facebook.New(facebook.Config{Credentials: s.Credentials(), BaseURL: s.URL, GraphURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_facebook", Title: "Facebook", DefaultScopes: facebook.DefaultScopes,
		Authorize: c.Authorize{Path: v + "/dialog/oauth", ScopeSeparator: ",", PKCE: true},
		Token:     c.Token{Path: v + "/oauth/access_token", Auth: c.AuthPost, TokenType: "bearer"},
		Profile: c.Profile{ReportsScopes: true, ErrorBody: `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`,
			Routes: []c.Route{{Path: v + "/me", Query: map[string][]string{"fields": nil, "appsecret_proof": nil}, Body: me}}},
		Lacks:  c.Lacks{EmailVerified: true, Username: true},
		Revoke: &c.Revoke{Method: "DELETE", Path: v + "/me/permissions", TokenIn: c.InBearer, Hints: []string{"access_token"}, Response: `{"success":true}`},
	})
}

// me is the me node for fields=id,name,first_name,last_name,email,picture,permissions.
func me(u c.User, scopes []string) any {
	perms := []any{}
	for _, s := range scopes {
		perms = append(perms, map[string]any{"permission": s, "status": "granted"})
	}
	m := map[string]any{"id": u.ID, "picture": map[string]any{"data": map[string]any{"url": u.AvatarURL, "is_silhouette": false}},
		"permissions": map[string]any{"data": perms}}
	if u.Email != "" {
		m["email"] = u.Email
	}
	if u.Name() != "" {
		m["name"], m["first_name"], m["last_name"] = u.Name(), u.FirstName, u.LastName
	}
	return m
}
