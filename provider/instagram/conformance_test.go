package instagram_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/instagram"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Instagram's
// documented shapes: comma-separated scopes, no PKCE, client credentials in
// the form, a token response without token_type (null here: the suite
// always sends one), expires_in or refresh token, with user_id as a JSON
// number and the granted permissions (read as the scope), the me node of
// the Graph API with fields, Graph API errors, no email address, no
// refresh, no revocation. The "data"-wrapped token response is
// TestNormalize's.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return instagram.New(instagram.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_instagram", Title: "Instagram", DefaultScopes: instagram.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth/authorize", ScopeSeparator: ","},
		Token: c.Token{Path: "/oauth/access_token", Auth: c.AuthPost, NoExpiry: true, ScopeSeparator: ",", ScopeMember: "permissions", Extra: func(u c.User) map[string]any {
			var userID any = u.NumericID()
			if strings.Trim(u.ID, "0123456789") != "" { // the examples' user
				userID = u.ID
			}
			return map[string]any{"token_type": nil, "user_id": userID}
		}},
		Profile: c.Profile{
			ErrorBody: `{"error": {"message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEfGhIjK"}}`,
			Routes: []c.Route{{Path: "/" + instagram.GraphVersion + "/me", Query: url.Values{"fields": {"user_id,username,name,account_type,profile_picture_url"}},
				Body: func(u c.User, _ []string) any {
					return map[string]any{"id": "app-scoped-" + u.ID, "user_id": u.ID, "username": u.Username, "name": c.OrNil(u.Name()),
						"account_type": "BUSINESS", "profile_picture_url": u.AvatarURL}
				}}}},
		Lacks: c.Lacks{Email: true},
		// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/" + instagram.GraphVersion + "/me": me}, Want: provider.Identity{
			ProviderUserID: "17841400008460056", FirstName: "Jay", LastName: "Posiris", Username: "jayposiris",
			AvatarURL: "https://scontent.cdninstagram.com/v/t51.2885-19/profile.jpg",
		}}},
	})
}

// me is the documented response of GET /me (the picture URL shortened).
const me = `{"id": "7590649647655446", "user_id": "17841400008460056", "username": "jayposiris", "name": "Jay Posiris",
  "account_type": "BUSINESS", "profile_picture_url": "https://scontent.cdninstagram.com/v/t51.2885-19/profile.jpg"}`
