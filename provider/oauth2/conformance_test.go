package oauth2_test

import (
	"encoding/json"
	"errors"
	"testing"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/verification"
)

// acmeProfile maps the profile of a host's own provider, the way a host
// writes it: {"id": 123, "email": "...", "email_verified": true, "given_name",
// "family_name", "handle", "avatar"}.
func acmeProfile(m map[string]any) (*provider.Identity, error) {
	id, ok := m["id"].(json.Number)
	if !ok {
		return nil, errors.New("acme: the profile has no numeric id")
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	ident := &provider.Identity{
		ProviderUserID: id.String(), EmailAddress: str("email"), FirstName: str("given_name"),
		LastName: str("family_name"), Username: str("handle"), AvatarURL: str("avatar"), Claims: m,
	}
	if v, ok := m["email_verified"].(bool); ok && ident.EmailAddress != "" {
		ident.EmailVerified = &v
	}
	return ident, nil
}

// TestConformance runs the provider conformance suite on a generic OAuth 2.0
// provider configured as a host would configure its oauth_custom_ one.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		New: func(s conformance.Server) (provider.Provider, error) {
			return oauth2.New(oauth2.Config{
				Strategy: verification.MustParseStrategy("oauth_custom_acme"), Title: "Acme",
				ClientID: s.ClientID, ClientSecret: s.ClientSecret,
				Endpoint: oauth2.Endpoint{
					AuthURL: s.URL + "/oauth/authorize", TokenURL: s.URL + "/oauth/token",
					UserinfoURL: s.URL + "/v1/me", RevocationURL: s.URL + "/oauth/revoke",
				},
				Scopes: []string{"profile", "email"}, AuthStyle: xoauth2.AuthStyleInParams,
				MapProfile: acmeProfile, HTTP: s.HTTP(),
			})
		},
		Strategy: "oauth_custom_acme", Title: "Acme", DefaultScopes: []string{"profile", "email"},
		Authorize: conformance.Authorize{Path: "/oauth/authorize", PKCE: true},
		Token:     conformance.Token{Path: "/oauth/token", Auth: conformance.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: conformance.Profile{Routes: []conformance.Route{{Path: "/v1/me", Body: func(u conformance.User, _ []string) any {
			m := map[string]any{"id": u.NumericID(), "handle": u.Username, "avatar": u.AvatarURL,
				"given_name": conformance.OrNil(u.FirstName), "family_name": conformance.OrNil(u.LastName)}
			if u.Email != "" {
				m["email"], m["email_verified"] = u.Email, u.Verified()
			}
			return m
		}}}},
		Refresh: &conformance.Refresh{Rotates: true},
		Revoke:  &conformance.Revoke{Path: "/oauth/revoke", ClientAuth: conformance.AuthPost},
	})
}
