package provider_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/spotify"
	"github.com/tetherauth/tether/provider/x"
)

// Catalogue providers are built from the host's app registration at each
// provider. Most packages' Config is provider.AppConfig: client credentials,
// and optionally scopes, base URLs (a self-managed instance, a test's fake),
// HTTP settings and an OpenID Connect clock skew. The others add what their
// provider needs (Facebook's Graph API version, LinkedIn's PKCE opt-in).
func Example_catalogue() {
	app := func(clientID, secretVar string) provider.AppConfig {
		return provider.AppConfig{Credentials: provider.Credentials{ClientID: clientID, ClientSecret: "secret-of-" + secretVar}} // os.Getenv(secretVar)
	}
	selfManaged := app("5e0d1f0b8ac2f6a4b2b1b0c1d9e8f7a6", "GITLAB_CLIENT_SECRET")
	selfManaged.BaseURL = "https://code.example.com/gitlab"

	var all []provider.Provider
	add := func(p provider.Provider, err error) error {
		all = append(all, p)
		return err
	}
	err := errors.Join(
		add(spotify.New(app("5fe01282e44241328a84e7c5cc169165", "SPOTIFY_CLIENT_SECRET"))),
		add(dropbox.New(app("k7pq2xd4m9v1c3b", "DROPBOX_APP_SECRET"))),
		add(linear.New(app("a1b2c3d4e5f60718293a4b5c6d7e8f90", "LINEAR_CLIENT_SECRET"))),
		add(x.New(app("M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ", "X_CLIENT_SECRET"))), // OAuth 2.0, not the OAuth 1.0a API key
		add(gitlab.New(selfManaged)),
		add(discord.New(discord.Config{Credentials: app("1097226305263472640", "DISCORD_CLIENT_SECRET").Credentials})),
		add(facebook.New(facebook.Config{Credentials: app("1234567890123456", "FACEBOOK_APP_SECRET").Credentials})),
		add(linkedin.New(linkedin.Config{Credentials: app("86h3n7xx6k6nti", "LINKEDIN_CLIENT_SECRET").Credentials})),
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range all {
		md := p.Metadata()
		fmt.Println(p.Strategy(), md.Title, md.Issuer, md.DefaultScopes)
	}
	// Output:
	// oauth_spotify Spotify  [user-read-email user-read-private]
	// oauth_dropbox Dropbox  [account_info.read]
	// oauth_linear Linear  [read]
	// oauth_x X  [tweet.read users.read offline.access]
	// oauth_gitlab GitLab https://code.example.com/gitlab [openid profile email]
	// oauth_discord Discord  [identify email]
	// oauth_facebook Facebook  [email public_profile]
	// oauth_linkedin_oidc LinkedIn https://www.linkedin.com/oauth [openid profile email]
}
