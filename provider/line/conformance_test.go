package line_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/line"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on LINE Login's
// documented shapes: PKCE, the channel's credentials in the token form,
// refresh tokens, and GET /v2/profile with userId, displayName and
// pictureUrl (no email address), whose errors are {"message": ...}.
//
// The suite's fake reads a revoked token from the RFC 7009 "token"
// parameter, and LINE's endpoint takes "access_token": the suite runs on
// the provider without its Revoker, and TestRevoke covers revocation.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			p, err := line.New(line.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
			if err != nil {
				return nil, err
			}
			return struct {
				provider.Provider
				provider.Refresher
			}{p.Provider, p.Refresher}, nil
		},
		Strategy: "oauth_line", Title: "LINE", DefaultScopes: line.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/v2.1/authorize", PKCE: true},
		Token:     c.Token{Path: "/oauth2/v2.1/token", Auth: c.AuthPost, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{ErrorBody: `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`,
			Routes: []c.Route{{Path: "/v2/profile", Body: func(u c.User, _ []string) any {
				return map[string]any{"userId": u.ID, "displayName": u.Name(), "pictureUrl": u.AvatarURL, "statusMessage": "Hello, LINE!"}
			}}}},
		Lacks:   c.Lacks{Email: true, Username: true},
		Refresh: &c.Refresh{Rotates: true},
		Examples: []c.Example{{Name: "Documented", Bodies: map[string]string{"/v2/profile": `{"userId":"U4af4980629...",` +
			`"displayName":"Brown","pictureUrl":"https://profile.line-scdn.net/abcdefghijklmn","statusMessage":"Hello, LINE!"}`},
			Want: provider.Identity{ProviderUserID: "U4af4980629...", FirstName: "Brown", AvatarURL: "https://profile.line-scdn.net/abcdefghijklmn"}}},
	})
}
