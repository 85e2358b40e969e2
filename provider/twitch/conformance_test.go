package twitch_test

import (
	"net/url"
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/twitch"
)

// TestConformance runs the provider conformance suite on Twitch's
// documented shapes: the claims parameter on every authorization,
// client_secret_post, a token response with token_type "bearer" and the
// scopes as a JSON array, an ID token with email, email_verified, picture
// and preferred_username but no names, refresh with a new refresh token,
// and revocation of access tokens with the client id in the form.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return twitch.New(twitch.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_twitch", Title: "Twitch", DefaultScopes: twitch.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true, Params: url.Values{"claims": {
			`{"id_token":{"email":null,"email_verified":null,"picture":null,"preferred_username":null},` +
				`"userinfo":{"email":null,"email_verified":null,"picture":null,"preferred_username":null}}`}}},
		Token: c.Token{Path: "/oauth2/token", Auth: c.AuthPost, TokenType: "bearer", ScopeSeparator: " ", RefreshToken: true,
			// Twitch sends the granted scopes (the suite's are the
			// defaults) as a JSON array.
			Extra: func(c.User) map[string]any { return map[string]any{"scope": twitch.DefaultScopes} }},
		IDToken: &c.IDToken{IssuerPath: "/oauth2", JWKSPath: "/oauth2/keys", Claims: func(u c.User) map[string]any {
			m := map[string]any{"preferred_username": u.Username, "picture": u.AvatarURL}
			if u.Email != "" {
				m["email"], m["email_verified"] = u.Email, u.Verified()
			}
			return m
		}},
		Lacks:   c.Lacks{Names: true},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/oauth2/revoke", ClientAuth: c.AuthNone, Hints: []string{"access_token"}},
	})
}
