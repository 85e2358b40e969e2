package linkedin_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linkedin"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on LinkedIn's
// documented shapes (Sign In with LinkedIn using OpenID Connect): no PKCE
// by default, issuer /oauth, ID tokens without a nonce, comma-separated
// scopes in the token response, refresh tokens for partners (not rotated),
// revocation at /oauth/v2/revoke.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return linkedin.New(linkedin.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linkedin", Title: "LinkedIn", DefaultScopes: linkedin.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/v2/authorization"},
		Token:     c.Token{Path: "/oauth/v2/accessToken", Auth: c.AuthPost, ScopeSeparator: ",", RefreshToken: true},
		IDToken:   &c.IDToken{IssuerPath: "/oauth", JWKSPath: "/oauth/openid/jwks", Claims: c.StandardClaims, OmitNonce: true},
		Lacks:     c.Lacks{Username: true},
		Refresh:   &c.Refresh{},
		Revoke:    &c.Revoke{Path: "/oauth/v2/revoke", ClientAuth: c.AuthPost},
	})
}
