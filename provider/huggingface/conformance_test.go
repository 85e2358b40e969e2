package huggingface_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/huggingface"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Hugging Face's
// documented shapes: PKCE, HTTP Basic at the token endpoint, an ID token
// with the subject only and the profile from /oauth/userinfo (one "name",
// preferred_username, picture, email with email_verified, isPro and
// orgs), no refresh token and no revocation.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return huggingface.New(huggingface.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_huggingface", Title: "Hugging Face", DefaultScopes: huggingface.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", PKCE: true},
		Token:     c.Token{Path: "/oauth/token", Auth: c.AuthBasic, ScopeSeparator: " "},
		IDToken:   &c.IDToken{JWKSPath: "/oauth/jwks"},
		Profile:   c.Profile{Routes: []c.Route{{Path: "/oauth/userinfo", Body: userinfo}}},
	})
}

// userinfo is GET /oauth/userinfo for the openid, profile and email scopes.
func userinfo(u c.User, _ []string) any {
	m := map[string]any{"sub": u.ID, "name": c.OrNil(u.Name()), "preferred_username": u.Username,
		"profile": "https://huggingface.co/" + u.Username, "picture": u.AvatarURL, "isPro": false, "orgs": []any{}}
	if u.Email != "" {
		m["email"], m["email_verified"] = u.Email, u.Verified()
	}
	return m
}
