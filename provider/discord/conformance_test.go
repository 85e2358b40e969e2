package discord_test

import (
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/discord"
	c "github.com/tetherauth/tether/provider/providertest/conformance"
)

// TestConformance runs the provider conformance suite on Discord's
// documented shapes: GET /users/@me with a snowflake id, "verified" for the
// email address, the display name in global_name, an avatar hash; refresh
// with rotation and RFC 7009 revocation.
func TestConformance(t *testing.T) {
	const hash = "8342729096ea3675442027381ff50dfe"
	c.Run(t, c.Harness{
		New: func(s c.Server) (provider.Provider, error) {
			return discord.New(discord.Config{Credentials: s.Credentials(), BaseURL: s.URL, HTTP: s.HTTP()})
		},
		Strategy: "oauth_discord", Title: "Discord", DefaultScopes: discord.DefaultScopes,
		Authorize: c.Authorize{Path: "/oauth2/authorize", PKCE: true},
		Token:     c.Token{Path: "/api/oauth2/token", Auth: c.AuthBasic, ScopeSeparator: " ", RefreshToken: true},
		Profile: c.Profile{Routes: []c.Route{{Path: "/api/users/@me", Body: func(u c.User, _ []string) any {
			return map[string]any{"id": u.ID, "username": u.Username, "discriminator": "0", "global_name": c.OrNil(u.Name()),
				"avatar": hash, "email": c.OrNil(u.Email), "verified": u.Verified()}
		}}}},
		Expect: func(u c.User, want *provider.Identity) {
			want.AvatarURL = discord.DefaultCDNURL + "/avatars/" + u.ID + "/" + hash + ".png"
		},
		Refresh: &c.Refresh{Rotates: true},
		Revoke:  &c.Revoke{Path: "/api/oauth2/token/revoke", ClientAuth: c.AuthBasic},
	})
}
