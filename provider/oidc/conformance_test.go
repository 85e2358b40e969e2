package oidc_test

import (
	"context"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/verification"
)

// TestConformance runs the provider conformance suite on a generic OpenID
// Connect provider configured by discovery, as a host configures its
// oauth_custom_ one: ID token and userinfo, refresh, RFC 7009 revocation.
func TestConformance(t *testing.T) {
	claims := func(u conformance.User) map[string]any {
		c := conformance.StandardClaims(u)
		c["preferred_username"] = u.Username
		return c
	}
	userinfo := func(u conformance.User, _ []string) any {
		c := claims(u)
		c["sub"] = u.ID
		return c
	}
	conformance.Run(t, conformance.Harness{
		New: func(s conformance.Server) (provider.Provider, error) {
			return oidc.New(context.Background(), oidc.Config{
				Strategy: verification.MustParseStrategy("oauth_custom_dev"), Title: "Dev",
				Issuer: s.URL, ClientID: s.ClientID, ClientSecret: s.ClientSecret, HTTP: s.HTTP(),
			})
		},
		Strategy: "oauth_custom_dev", Title: "Dev", DefaultScopes: oidc.DefaultScopes,
		Authorize: conformance.Authorize{Path: "/authorize", PKCE: true},
		Token:     conformance.Token{Path: "/token", Auth: conformance.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		IDToken:   &conformance.IDToken{JWKSPath: "/jwks", Discovery: true, Claims: claims},
		Profile:   conformance.Profile{Routes: []conformance.Route{{Path: "/userinfo", Body: userinfo}}},
		Refresh:   &conformance.Refresh{Rotates: true, IDToken: true},
		Revoke:    &conformance.Revoke{Path: "/revoke", ClientAuth: conformance.AuthBasic},

		VerifiesIDTokens: true,
	})
}
