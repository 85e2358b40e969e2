package apple_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Sign in with
// Apple's documented shapes: response_mode=form_post with the "user"
// parameter carrying the names, a client secret that is an ES256 JWT
// (client_secret_post), email_verified as a string, no scope in the token
// response, refresh with a new ID token and no rotation, revocation at
// /auth/revoke.
func TestConformance(t *testing.T) {
	_, key := newKey(t)
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return apple.New(apple.Config{ClientID: s.ClientID, TeamID: teamID, KeyID: keyID, PrivateKey: key, BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_apple", Title: "Apple", DefaultScopes: []string{"openid", "name", "email"}, AnyClientSecret: true,
		Authorize: c.Authorize{Path: "/auth/authorize", PKCE: true, Params: url.Values{"response_mode": {"form_post"}},
			CallbackParams: func(u c.User) url.Values {
				if u.Name() == "" {
					return nil
				}
				b, _ := json.Marshal(map[string]any{"name": map[string]string{"firstName": u.FirstName, "lastName": u.LastName}, "email": u.Email})
				return url.Values{"user": {string(b)}}
			}},
		Token: c.Token{Path: "/auth/token", Auth: c.AuthPost, RefreshToken: true},
		IDToken: &c.IDToken{JWKSPath: "/auth/keys", Claims: func(u c.User) map[string]any {
			if u.Email == "" {
				return nil
			}
			return map[string]any{"email": u.Email, "email_verified": strconv.FormatBool(u.Verified()), "is_private_email": "false"}
		}},
		Lacks:   c.Lacks{Username: true, Avatar: true},
		Refresh: &c.Refresh{IDToken: true},
		Revoke:  &c.Revoke{Path: "/auth/revoke", ClientAuth: c.AuthPost},

		VerifiesIDTokens: true,
	})
}
