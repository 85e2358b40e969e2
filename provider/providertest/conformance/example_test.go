package conformance_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/verification"
)

// mapAcmeProfile is the host's own profile mapping, which the suite runs:
// {"id": 123, "email": "...", "name": "...", "login": "...", "avatar": "..."}.
func mapAcmeProfile(m map[string]any) (*provider.Identity, error) {
	id, ok := m["id"].(json.Number) // every digit, never a float64
	if !ok {
		return nil, errors.New("acme: no numeric id")
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	first, last, _ := strings.Cut(str("name"), " ")
	return &provider.Identity{
		ProviderUserID: id.String(), EmailAddress: str("email"), FirstName: first, LastName: last,
		Username: str("login"), AvatarURL: str("avatar"), Claims: m,
	}, nil
}

// acmeHarness declares Acme's endpoints and shapes: client_secret_post,
// PKCE, space-separated scopes, refresh tokens that do not rotate, no
// revocation endpoint, a profile that does not say whether the email
// address is verified. Its route maps the fixture users to Acme's JSON.
func acmeHarness() conformance.Harness {
	return conformance.Harness{
		New: func(s conformance.Server) (provider.Provider, error) {
			return oauth2.New(oauth2.Config{
				Strategy: verification.MustParseStrategy("oauth_custom_acme"), Title: "Acme",
				ClientID: s.ClientID, ClientSecret: s.ClientSecret, HTTP: s.HTTP(),
				Endpoint:  oauth2.Endpoint{AuthURL: s.URL + "/authorize", TokenURL: s.URL + "/token", UserinfoURL: s.URL + "/me"},
				Scopes:    []string{"profile", "email"},
				AuthStyle: xoauth2.AuthStyleInParams, MapProfile: mapAcmeProfile,
			})
		},
		Strategy: "oauth_custom_acme", Title: "Acme", DefaultScopes: []string{"profile", "email"},
		Authorize: conformance.Authorize{Path: "/authorize", PKCE: true},
		Token:     conformance.Token{Path: "/token", Auth: conformance.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: conformance.Profile{Routes: []conformance.Route{{Path: "/me",
			Body: func(u conformance.User, _ []string) any {
				return map[string]any{"id": u.NumericID(), "email": conformance.OrNil(u.Email),
					"name": conformance.OrNil(u.Name()), "login": u.Username, "avatar": u.AvatarURL}
			}}}},
		Refresh: &conformance.Refresh{},
		// A generic oauth2 provider is a Revoker; without a revocation
		// endpoint its Revoke says it is unsupported and sends nothing.
		Revoke: &conformance.Revoke{Unsupported: true},
		Lacks:  conformance.Lacks{EmailVerified: true},
	}
}

// A host runs the suite on its own oauth_custom_ provider from a test, with
// a harness that declares the provider's documented shapes.
func ExampleRun() {
	// In the host's acme_test.go:
	_ = func(t *testing.T) {
		conformance.Run(t, acmeHarness())
	}
}

// TestExampleHarness runs the example's harness, so that the example is
// known to pass.
func TestExampleHarness(t *testing.T) { conformance.Run(t, acmeHarness()) }
