package dropbox_test

import (
	"net/url"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/dropbox"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Dropbox's
// documented shapes: PKCE, HTTP Basic, token_access_type=offline on every
// authorization, the get_current_account RPC (a POST) with a structured
// name and email_verified, refresh without rotation, and revocation of the
// access token sent as the bearer token.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return dropbox.New(dropbox.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_dropbox", Title: "Dropbox", DefaultScopes: dropbox.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true, Params: url.Values{"token_access_type": {"offline"}}},
		Token:     c.Token{Path: "/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"error_summary": "invalid_access_token/...", "error": {".tag": "invalid_access_token"}}`,
			Routes: []c.Route{{Method: "POST", Path: "/2/users/get_current_account", Body: func(u c.User, _ []string) any {
				return map[string]any{"account_id": "dbid:" + u.ID, "email": c.OrNil(u.Email), "email_verified": u.Verified(),
					"name":              map[string]any{"given_name": u.FirstName, "surname": u.LastName, "display_name": u.Name()},
					"profile_photo_url": u.AvatarURL, "account_type": map[string]any{".tag": "basic"}}
			}}}},
		Lacks: c.Lacks{Username: true},
		Expect: func(u c.User, want *provider.Identity) {
			want.ProviderUserID = "dbid:" + u.ID
		},
		Refresh: &c.Refresh{},
		Revoke:  &c.Revoke{Path: "/2/auth/token/revoke", TokenIn: c.InBearer, Hints: []string{"access_token"}, Response: "null"},
	})
}
