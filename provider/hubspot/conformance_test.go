package hubspot_test

import (
	"errors"
	"net/http"
	"path"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/hubspot"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on HubSpot's
// documented shapes: the "oauth" scope, no PKCE, client credentials in the
// form, a token response with lowercase "bearer" and no scope, refresh
// without rotation, the access token's metadata as the profile (numeric
// user_id and hub_id, the email address in "user", the granted scopes),
// and DELETE of refresh tokens (HTTP 204).
//
// HubSpot puts the token in the path of the metadata and revocation
// endpoints, which the suite cannot state (its routes have fixed paths and
// read Bearer tokens): the client the harness gives the provider checks
// that each such request has the token as its last path segment and no
// Authorization header, and hands the fake the fixed path with the token as
// a Bearer token (bearerForFake).
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			hc := &http.Client{Transport: bearerForFake{s.Client.Transport}}
			return hubspot.New(hubspot.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: provider.HTTPSettings{Client: hc}})
		},
		Strategy: "oauth_hubspot", Title: "HubSpot", DefaultScopes: hubspot.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize"},
		Token:     c.Token{Path: "/oauth/v1/token", Auth: c.AuthPost, TokenType: "bearer", RefreshToken: true},
		Profile: c.Profile{ReportsScopes: true, ErrorBody: `{"status": "error", "message": "Token not found", "correlationId": "6f7e2c1a-0b1d-4c8e-9a2f-3d4b5c6e7f80"}`,
			Routes: []c.Route{{Path: "/oauth/v1/access-tokens", Body: func(u c.User, scopes []string) any {
				return map[string]any{"token": "not-the-access-token", "user": c.OrNil(u.Email), "hub_domain": "demo.hubapi.com", "scopes": scopes,
					"hub_id": 62515, "app_id": 456789, "expires_in": 1754, "user_id": u.NumericID(), "token_type": "access"}
			}}}},
		Lacks:   c.Lacks{EmailVerified: true, Names: true, Username: true, Avatar: true},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Method: "DELETE", Path: "/oauth/v1/refresh-tokens", TokenIn: c.InBearer, Hints: []string{"refresh_token"}, Status: http.StatusNoContent},
		// https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/oauth/v1/access-tokens": metadata},
			Want: provider.Identity{ProviderUserID: "123456", EmailAddress: "test@hubspot.com"}}},
	})
}

// metadata is the documented response of GET /oauth/v1/access-tokens/{token}.
const metadata = `{"token": "CNye4dqFMBICAAEYhOKlAyCNrw4oj_ctMhkA", "user": "test@hubspot.com", "hub_domain": "demo.hubapi.com",
  "scopes": ["oauth", "crm.objects.contacts.read"], "scope_to_scope_group_pks": [25, 31], "trial_scopes": [],
  "trial_scope_to_scope_group_pks": [], "hub_id": 62515, "app_id": 456789, "expires_in": 1754, "user_id": 123456, "token_type": "access"}`

// bearerForFake refuses a request to a token-in-path endpoint that is not
// as HubSpot documents it, and hands the fake the endpoint's fixed path
// with the token as a Bearer token.
type bearerForFake struct{ base http.RoundTripper }

func (b bearerForFake) RoundTrip(r *http.Request) (*http.Response, error) {
	dir, token := path.Split(r.URL.Path)
	if dir != "/oauth/v1/access-tokens/" && dir != "/oauth/v1/refresh-tokens/" {
		return b.base.RoundTrip(r)
	}
	if token == "" || r.Header.Get("Authorization") != "" {
		return nil, errors.New("not HubSpot's token-in-path request")
	}
	r = r.Clone(r.Context())
	r.URL.Path, r.URL.RawPath = path.Clean(dir), ""
	r.Header.Set("Authorization", "Bearer "+token)
	return b.base.RoundTrip(r)
}
