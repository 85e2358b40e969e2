package catalog_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	"github.com/tetherauth/tether/provider/atlassian"
	"github.com/tetherauth/tether/provider/bitbucket"
	"github.com/tetherauth/tether/provider/box"
	"github.com/tetherauth/tether/provider/coinbase"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/hubspot"
	"github.com/tetherauth/tether/provider/huggingface"
	"github.com/tetherauth/tether/provider/instagram"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/line"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/microsoft"
	"github.com/tetherauth/tether/provider/notion"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/provider/spotify"
	"github.com/tetherauth/tether/provider/tiktok"
	"github.com/tetherauth/tether/provider/twitch"
	"github.com/tetherauth/tether/provider/twitter"
	"github.com/tetherauth/tether/provider/vercel"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/provider/xero"
	"github.com/tetherauth/tether/verification"
)

// builders build each catalogue provider from credentials alone (Apple
// from a key, see appleKey).
var builders = map[string]func(provider.AppConfig) (provider.Provider, error){
	"apple": func(c provider.AppConfig) (provider.Provider, error) {
		if c.ClientSecret == "" {
			return apple.New(apple.Config{ClientID: c.ClientID, BaseURL: c.BaseURL})
		}
		return apple.New(apple.Config{ClientID: c.ClientID, TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: []byte(appleKey), BaseURL: c.BaseURL})
	},
	"discord": func(c provider.AppConfig) (provider.Provider, error) {
		return discord.New(discord.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"facebook": func(c provider.AppConfig) (provider.Provider, error) {
		return facebook.New(facebook.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"github": func(c provider.AppConfig) (provider.Provider, error) {
		return github.New(github.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"gitlab": func(c provider.AppConfig) (provider.Provider, error) {
		return gitlab.New(c)
	},
	"google": func(c provider.AppConfig) (provider.Provider, error) {
		return google.New(google.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"linkedin": func(c provider.AppConfig) (provider.Provider, error) {
		return linkedin.NewLegacy(linkedin.LegacyConfig{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"linkedin_oidc": func(c provider.AppConfig) (provider.Provider, error) {
		return linkedin.New(linkedin.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"microsoft": func(c provider.AppConfig) (provider.Provider, error) {
		return microsoft.New(microsoft.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"slack": func(c provider.AppConfig) (provider.Provider, error) {
		return slack.New(slack.Config{Credentials: c.Credentials, BaseURL: c.BaseURL})
	},
	"dropbox": func(c provider.AppConfig) (provider.Provider, error) {
		return dropbox.New(c)
	},
	"linear": func(c provider.AppConfig) (provider.Provider, error) {
		return linear.New(c)
	},
	"spotify": func(c provider.AppConfig) (provider.Provider, error) {
		return spotify.New(c)
	},
	"x":           func(c provider.AppConfig) (provider.Provider, error) { return x.New(c) },
	"hubspot":     func(c provider.AppConfig) (provider.Provider, error) { return hubspot.New(c) },
	"instagram":   func(c provider.AppConfig) (provider.Provider, error) { return instagram.New(c) },
	"notion":      func(c provider.AppConfig) (provider.Provider, error) { return notion.New(c) },
	"tiktok":      func(c provider.AppConfig) (provider.Provider, error) { return tiktok.New(c) },
	"atlassian":   func(c provider.AppConfig) (provider.Provider, error) { return atlassian.New(c) },
	"bitbucket":   func(c provider.AppConfig) (provider.Provider, error) { return bitbucket.New(c) },
	"box":         func(c provider.AppConfig) (provider.Provider, error) { return box.New(c) },
	"coinbase":    func(c provider.AppConfig) (provider.Provider, error) { return coinbase.New(c) },
	"huggingface": func(c provider.AppConfig) (provider.Provider, error) { return huggingface.New(c) },
	"line":        func(c provider.AppConfig) (provider.Provider, error) { return line.New(c) },
	"twitch":      func(c provider.AppConfig) (provider.Provider, error) { return twitch.New(c) },
	"twitter":     func(c provider.AppConfig) (provider.Provider, error) { return twitter.New(c) },
	"vercel":      func(c provider.AppConfig) (provider.Provider, error) { return vercel.New(c) },
	"xero":        func(c provider.AppConfig) (provider.Provider, error) { return xero.New(c) },
}

// creds are client credentials every builder accepts.
var creds = provider.Credentials{ClientID: "id", ClientSecret: "secret"}

// TestBadBaseURL: every provider refuses a base URL that is not an
// absolute http(s) URL without query or fragment, with its slug first.
func TestBadBaseURL(t *testing.T) {
	for slug, build := range builders {
		for _, u := range []string{"example.com", "ftp://example.com", "https://example.com/?x=1", "https://example.com/#f"} {
			_, err := build(provider.AppConfig{Credentials: creds, BaseURL: u})
			if err == nil || !strings.HasPrefix(err.Error(), slug+": ") || !strings.Contains(err.Error(), "BaseURL") {
				t.Errorf("%s with BaseURL %q: %v", slug, u, err)
			}
		}
	}
}

// TestAppConfigRefusals: a provider.AppConfig setting a provider cannot
// use fails New instead of being ignored.
func TestAppConfigRefusals(t *testing.T) {
	for name, c := range map[string]struct {
		build func(provider.AppConfig) (provider.Provider, error)
		cfg   provider.AppConfig
		want  string
	}{
		"APIURL of a one-host provider": {builders["gitlab"], provider.AppConfig{Credentials: creds, APIURL: "https://api.example"}, "gitlab: Config.APIURL is not used"},
		"ClockSkew of OAuth 2.0":        {builders["spotify"], provider.AppConfig{Credentials: creds, ClockSkew: time.Minute}, "spotify: Config.ClockSkew is for OpenID Connect"},
		"bad APIURL":                    {builders["x"], provider.AppConfig{Credentials: creds, APIURL: "api.x.com"}, "x: Config.APIURL"},
		// OAuth 1.0a: no scopes, one host, no ID token.
		"Scopes of OAuth 1.0a":    {builders["twitter"], provider.AppConfig{Credentials: creds, Scopes: []string{"tweet.read"}}, "twitter: Config.Scopes must be empty"},
		"APIURL of OAuth 1.0a":    {builders["twitter"], provider.AppConfig{Credentials: creds, APIURL: "https://api.x.com"}, "twitter: Config.APIURL must be empty"},
		"ClockSkew of OAuth 1.0a": {builders["twitter"], provider.AppConfig{Credentials: creds, ClockSkew: time.Minute}, "twitter: Config.ClockSkew must be zero"},
	} {
		if _, err := c.build(c.cfg); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q...", name, err, c.want)
		}
	}
}

// TestConfigErrors: the settings of a provider's own Config that New
// refuses, with the provider's slug first.
func TestConfigErrors(t *testing.T) {
	for name, newWith := range map[string]func() error{
		"discord: CDNURL": func() error {
			_, err := discord.New(discord.Config{Credentials: creds, CDNURL: "cdn.discordapp.com"})
			return err
		},
		"facebook: GraphVersion": func() error {
			_, err := facebook.New(facebook.Config{Credentials: creds, GraphVersion: "25"})
			return err
		},
		"facebook: GraphURL": func() error {
			_, err := facebook.New(facebook.Config{Credentials: creds, GraphURL: "graph.facebook.com"})
			return err
		},
		"github: APIURL": func() error {
			_, err := github.New(github.Config{Credentials: creds, APIURL: "api.github.com"})
			return err
		},
		"microsoft: Tenant": func() error {
			_, err := microsoft.New(microsoft.Config{Credentials: creds, Tenant: "contoso.onmicrosoft.com"})
			return err
		},
		"microsoft: AllowedTenants": func() error {
			_, err := microsoft.New(microsoft.Config{Credentials: creds, AllowedTenants: []string{"contoso"}})
			return err
		},
		"slack: TeamID": func() error {
			_, err := slack.New(slack.Config{Credentials: creds, TeamID: "wonderland"})
			return err
		},
	} {
		slug, field, _ := strings.Cut(name, ": ")
		if err := newWith(); err == nil || !strings.HasPrefix(err.Error(), slug+": ") || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// appleKey is a throwaway P-256 key in .p8 form.
var appleKey = func() string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}()

// TestCapabilities holds each provider's type, which declares its
// capabilities, to the provider's documentation: a capability the provider
// lacks is absent from its type (Microsoft is no Revoker, Facebook and
// Spotify are no Refresher or no Revoker), and only X's OAuth 1.0a
// integration is a provider.OAuth1.
func TestCapabilities(t *testing.T) {
	want := map[string]catalog.Capabilities{
		"apple":         {Refresh: true, Revoke: true, VerifyIDToken: true},
		"discord":       {Refresh: true, Revoke: true},
		"dropbox":       {Refresh: true, Revoke: true},
		"facebook":      {Revoke: true},
		"github":        {Refresh: true, Revoke: true},
		"gitlab":        {Refresh: true, Revoke: true},
		"google":        {Refresh: true, Revoke: true, VerifyIDToken: true},
		"linear":        {Refresh: true, Revoke: true},
		"linkedin":      {Refresh: true, Revoke: true},
		"linkedin_oidc": {Refresh: true, Revoke: true},
		"microsoft":     {Refresh: true},
		"slack":         {Refresh: true, Revoke: true},
		"spotify":       {Refresh: true},
		"x":             {Refresh: true, Revoke: true},
		"hubspot":       {Refresh: true, Revoke: true},
		"instagram":     {},
		"notion":        {Refresh: true, Revoke: true},
		"tiktok":        {Refresh: true, Revoke: true},
		"atlassian":     {Refresh: true},
		"bitbucket":     {Refresh: true},
		"box":           {Refresh: true, Revoke: true},
		"coinbase":      {Refresh: true, Revoke: true},
		"huggingface":   {},
		"line":          {Refresh: true, Revoke: true},
		"twitch":        {Refresh: true, Revoke: true},
		"twitter":       {}, // OAuth 1.0a: RevokeCredentials, no Revoker
		"vercel":        {Refresh: true, Revoke: true},
		"xero":          {Refresh: true, Revoke: true},
	}
	for _, s := range provider.Catalogue() {
		if _, ok := want[s.Slug()]; !ok || builders[s.Slug()] == nil {
			t.Errorf("%s is in the catalogue but not in this test", s)
		}
	}
	for slug, build := range builders {
		p, err := build(provider.AppConfig{Credentials: creds})
		if err != nil {
			t.Fatalf("%s: %v", slug, err)
		}
		if p.Strategy().Slug() != slug {
			t.Errorf("%s serves %s", slug, p.Strategy())
		}
		if got := catalog.CapabilitiesOf(p); got != want[slug] {
			t.Errorf("%s's type has %+v, want %+v", slug, got, want[slug])
		}
		if _, ok := p.(provider.OAuth1); ok != (slug == "twitter") {
			t.Errorf("%s is a provider.OAuth1: %v, want %v (only twitter speaks OAuth 1.0a)", slug, ok, !ok)
		}
	}
}

// TestMissingCredentials: every provider fails without a client id or
// secret, with its slug first.
func TestMissingCredentials(t *testing.T) {
	for slug, build := range builders {
		for field, c := range map[string]provider.AppConfig{
			"ClientID":     {Credentials: provider.Credentials{ClientSecret: "s"}},
			"ClientSecret": {Credentials: provider.Credentials{ClientID: "i"}},
		} {
			if slug == "apple" && field == "ClientSecret" {
				field = "TeamID" // Apple makes its secret from a key
			}
			_, err := build(c)
			if err == nil || !strings.HasPrefix(err.Error(), slug+": ") || !strings.Contains(err.Error(), field) {
				t.Errorf("%s without %s: %v", slug, field, err)
			}
		}
	}
}

// A Provider type that contradicts its spec fails New.
func TestSpecContradictsType(t *testing.T) {
	type revoker struct {
		provider.Provider
		provider.Revoker
	}
	type notRevoker struct{ provider.Provider }
	type extra struct {
		provider.Provider
		n int
	}
	spec := catalog.OAuth2{Spec: catalog.Spec{
		Strategy: verification.MustParseStrategy("oauth_acme"), Title: "Acme", AuthStyle: xoauth2.AuthStyleInHeader,
		Endpoint: catalog.Endpoint{AuthURL: "https://acme.example/a", TokenURL: "https://acme.example/t", UserinfoURL: "https://acme.example/me"},
	}, MapProfile: func(map[string]any) (*provider.Identity, error) { return nil, nil }}
	host := catalog.Host{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}}
	if _, err := catalog.NewOAuth2[revoker](spec, host); err == nil || !strings.HasPrefix(err.Error(), "acme: ") {
		t.Errorf("a Revoker without revocation: %v", err)
	}
	if _, err := catalog.NewOAuth2[extra](spec, host); err == nil {
		t.Error("a Provider type with a field of its own")
	}
	if _, err := catalog.NewOAuth2[notRevoker](spec, host); err != nil {
		t.Error(err)
	}
	spec.Endpoint.RevocationURL = "https://acme.example/revoke"
	if _, err := catalog.NewOAuth2[notRevoker](spec, host); err == nil {
		t.Error("a revocation endpoint on a provider that is no Revoker")
	}
	if p, err := catalog.NewOAuth2[revoker](spec, host); err != nil || p.Revoker == nil {
		t.Errorf("%v %v", p, err)
	}
}
