package provider_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/atlassian"
	"github.com/tetherauth/tether/provider/bitbucket"
	"github.com/tetherauth/tether/provider/box"
	"github.com/tetherauth/tether/provider/coinbase"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/hubspot"
	"github.com/tetherauth/tether/provider/huggingface"
	"github.com/tetherauth/tether/provider/instagram"
	"github.com/tetherauth/tether/provider/line"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/notion"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/provider/spotify"
	"github.com/tetherauth/tether/provider/tiktok"
	"github.com/tetherauth/tether/provider/vercel"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/provider/xero"
)

// Catalogue providers are built from the host's app registration at each
// provider. Most packages' Config is provider.AppConfig: client credentials,
// and optionally scopes, base URLs (a self-managed instance, a test's fake),
// HTTP settings and an OpenID Connect clock skew. The others add what their
// provider needs (Facebook's Graph API version, LinkedIn's PKCE opt-in,
// Slack's workspace).
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
		add(atlassian.New(app("Qm3xR8vLp2TnYc6WkZ0aBd4Fh7Js9Ue1", "ATLASSIAN_CLIENT_SECRET"))),
		add(bitbucket.New(app("Zq8LmW3pXr7TnVb2Kc", "BITBUCKET_CONSUMER_SECRET"))),
		add(box.New(app("ly1nj6n11vionaie65emwzk575hnnmrk", "BOX_CLIENT_SECRET"))),
		add(coinbase.New(app("2f6c1d3e-8a9b-4c7d-b1e2-f3a4b5c6d7e8", "COINBASE_CLIENT_SECRET"))),
		add(huggingface.New(app("2b8f6c1e-0d4a-4c7e-9a31-5f2e8b7c6d10", "HF_CLIENT_SECRET"))),
		add(line.New(app("1234567890", "LINE_CHANNEL_SECRET"))), // the channel ID and secret
		add(vercel.New(app("cl_be6c3c8b9f340d4a20feefab2862a49a", "VERCEL_CLIENT_SECRET"))),
		add(xero.New(app("91E5715B1199038080D6D0296EBC1648", "XERO_CLIENT_SECRET"))),
		add(notion.New(app("463558a3-725e-4f37-b6d3-0889894f68de", "NOTION_CLIENT_SECRET"))),
		add(tiktok.New(app("awx1b2c3d4e5f6g7", "TIKTOK_CLIENT_SECRET"))), // the client key
		add(hubspot.New(app("5a9c3d2e-7b1f-4e6a-9c0d-1e2f3a4b5c6d", "HUBSPOT_CLIENT_SECRET"))),
		add(instagram.New(app("990602627938098", "INSTAGRAM_APP_SECRET"))), // the Instagram app ID
		add(discord.New(discord.Config{Credentials: app("1097226305263472640", "DISCORD_CLIENT_SECRET").Credentials})),
		add(facebook.New(facebook.Config{Credentials: app("1234567890123456", "FACEBOOK_APP_SECRET").Credentials})),
		add(linkedin.New(linkedin.Config{Credentials: app("86h3n7xx6k6nti", "LINKEDIN_CLIENT_SECRET").Credentials})),
		// TeamID restricts sign-in to one Slack workspace.
		add(slack.New(slack.Config{Credentials: app("25259531569.1115258246291", "SLACK_CLIENT_SECRET").Credentials, TeamID: "T0R7GR"})),
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
	// oauth_atlassian Atlassian  [read:me offline_access]
	// oauth_bitbucket Bitbucket  [account email]
	// oauth_box Box  [root_readonly]
	// oauth_coinbase Coinbase  [wallet:user:read wallet:user:email offline_access]
	// oauth_huggingface Hugging Face https://huggingface.co [openid profile email]
	// oauth_line LINE https://access.line.me [openid profile]
	// oauth_vercel Vercel https://vercel.com [openid email profile offline_access]
	// oauth_xero Xero https://identity.xero.com [openid profile email offline_access]
	// oauth_notion Notion  []
	// oauth_tiktok TikTok  [user.info.basic]
	// oauth_hubspot HubSpot  [oauth]
	// oauth_instagram Instagram  [instagram_business_basic]
	// oauth_discord Discord  [identify email]
	// oauth_facebook Facebook  [email public_profile]
	// oauth_linkedin_oidc LinkedIn https://www.linkedin.com/oauth [openid profile email]
	// oauth_slack Slack https://slack.com [openid profile email]
}
