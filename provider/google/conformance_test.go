package google_test

import (
	"net/url"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/google"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Google's
// documented shapes: access_type=offline with prompt=consent for a refresh
// token, client_secret_post, the identity from the ID token alone (no
// username), refresh without rotation with a new ID token, RFC 7009
// revocation, and ID tokens of native clients.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return google.New(google.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_google", Title: "Google", DefaultScopes: google.DefaultScopes,
		Authorize: c.Authorize{Path: "/o/oauth2/v2/auth", PKCE: true, OfflineParams: url.Values{"access_type": {"offline"}, "prompt": {"consent"}}},
		Token:     c.Token{Path: "/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		IDToken:   &c.IDToken{JWKSPath: "/oauth2/v3/certs", Claims: c.StandardClaims},
		Lacks:     c.Lacks{Username: true},
		Refresh:   &c.Refresh{IDToken: true},
		Revoke:    &c.Revoke{Path: "/revoke", ClientAuth: c.AuthPost},

		VerifiesIDTokens: true,
	})
}
