package spotify_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
	"github.com/tetherauth/tether/provider/spotify"
)

// TestConformance runs the provider conformance suite on Spotify's
// documented shapes: PKCE, HTTP Basic, GET /v1/me with account_id as the
// immutable id, the Spotify user id as username, display_name, images and
// an email Spotify calls unverified; refresh that may rotate; no
// revocation endpoint.
func TestConformance(t *testing.T) {
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return spotify.New(spotify.Config{Credentials: s.Credentials(), BaseURL: s.URL, APIURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_spotify", Title: "Spotify", DefaultScopes: spotify.DefaultScopes,
		Authorize: c.Authorize{Path: "/authorize", PKCE: true},
		Token:     c.Token{Path: "/api/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{Routes: []c.Route{{Path: "/v1/me", Body: func(u c.User, _ []string) any {
			return map[string]any{"account_id": u.ID, "id": u.Username, "display_name": c.OrNil(u.Name()),
				"email": c.OrNil(u.Email), "images": []any{map[string]any{"url": u.AvatarURL, "height": 300, "width": 300}},
				"product": "premium", "type": "user"}
		}}}},
		Lacks:   c.Lacks{EmailVerified: true},
		Refresh: &c.Refresh{Rotates: true},
	})
}
