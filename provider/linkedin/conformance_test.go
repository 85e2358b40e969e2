package linkedin_test

import (
	"net/url"
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
		Strategy: "oauth_linkedin_oidc", Title: "LinkedIn", DefaultScopes: linkedin.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/v2/authorization"},
		Token:     c.Token{Path: "/oauth/v2/accessToken", Auth: c.AuthPost, ScopeSeparator: ",", RefreshToken: true},
		IDToken:   &c.IDToken{IssuerPath: "/oauth", JWKSPath: "/oauth/openid/jwks", Claims: c.StandardClaims, OmitNonce: true},
		Lacks:     c.Lacks{Username: true},
		Refresh:   &c.Refresh{},
		Revoke:    &c.Revoke{Path: "/oauth/v2/revoke", ClientAuth: c.AuthPost},
	})
}

// TestLegacyConformance runs the suite on the retired "Sign In with
// LinkedIn" (oauth_linkedin): no PKCE, client credentials in the form, a
// token response without scope, the lite profile with a decorated
// picture, and the email address from a second request.
func TestLegacyConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return linkedin.NewLegacy(linkedin.LegacyConfig{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_linkedin", Title: "LinkedIn (legacy)", DefaultScopes: linkedin.LegacyScopes,
		Authorize: c.Authorize{Path: "/oauth/v2/authorization"},
		Token:     c.Token{Path: "/oauth/v2/accessToken", Auth: c.AuthPost, RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}`, Routes: []c.Route{
			{Path: "/v2/me", Query: url.Values{"projection": {"(id,localizedFirstName,localizedLastName,profilePicture(displayImage~:playableStreams))"}},
				Body: func(u c.User, _ []string) any {
					small := map[string]any{"identifiers": []any{map[string]any{"identifier": u.AvatarURL + "?size=100", "identifierType": "EXTERNAL_URL"}}}
					large := map[string]any{"identifiers": []any{map[string]any{"identifier": u.AvatarURL, "identifierType": "EXTERNAL_URL"}}}
					return map[string]any{"id": u.ID, "localizedFirstName": c.OrNil(u.FirstName), "localizedLastName": c.OrNil(u.LastName),
						"profilePicture": map[string]any{"displayImage": "urn:li:digitalmediaAsset:C4D00AQ", "displayImage~": map[string]any{"elements": []any{small, large}}}}
				}},
			{Path: "/v2/emailAddress", Query: url.Values{"q": {"members"}, "projection": {"(elements*(handle~))"}},
				Body: func(u c.User, _ []string) any {
					if u.Email == "" {
						return map[string]any{"elements": []any{}}
					}
					return map[string]any{"elements": []any{map[string]any{"handle": "urn:li:emailAddress:3775708763", "handle~": map[string]any{"emailAddress": u.Email}}}}
				}},
		}},
		Lacks:   c.Lacks{EmailVerified: true, Username: true},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Path: "/oauth/v2/revoke", ClientAuth: c.AuthPost},
	})
}
