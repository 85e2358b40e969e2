package catalog_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/microsoft"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/provider/spotify"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/verification"
)

// builders build each catalogue provider from credentials alone (Apple
// from a key, see appleKey).
var builders = map[string]func(provider.Credentials) (provider.Provider, error){
	"apple": func(c provider.Credentials) (provider.Provider, error) {
		if c.ClientSecret == "" {
			return apple.New(apple.Config{ClientID: c.ClientID})
		}
		return apple.New(apple.Config{ClientID: c.ClientID, TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: []byte(appleKey)})
	},
	"discord": func(c provider.Credentials) (provider.Provider, error) {
		return discord.New(discord.Config{Credentials: c})
	},
	"facebook": func(c provider.Credentials) (provider.Provider, error) {
		return facebook.New(facebook.Config{Credentials: c})
	},
	"github": func(c provider.Credentials) (provider.Provider, error) {
		return github.New(github.Config{Credentials: c})
	},
	"gitlab": func(c provider.Credentials) (provider.Provider, error) {
		return gitlab.New(gitlab.Config{Credentials: c})
	},
	"google": func(c provider.Credentials) (provider.Provider, error) {
		return google.New(google.Config{Credentials: c})
	},
	"linkedin": func(c provider.Credentials) (provider.Provider, error) {
		return linkedin.NewLegacy(linkedin.LegacyConfig{Credentials: c})
	},
	"linkedin_oidc": func(c provider.Credentials) (provider.Provider, error) {
		return linkedin.New(linkedin.Config{Credentials: c})
	},
	"microsoft": func(c provider.Credentials) (provider.Provider, error) {
		return microsoft.New(microsoft.Config{Credentials: c})
	},
	"slack": func(c provider.Credentials) (provider.Provider, error) {
		return slack.New(slack.Config{Credentials: c})
	},
	"dropbox": func(c provider.Credentials) (provider.Provider, error) {
		return dropbox.New(dropbox.Config{Credentials: c})
	},
	"linear": func(c provider.Credentials) (provider.Provider, error) {
		return linear.New(linear.Config{Credentials: c})
	},
	"spotify": func(c provider.Credentials) (provider.Provider, error) {
		return spotify.New(spotify.Config{Credentials: c})
	},
	"x": func(c provider.Credentials) (provider.Provider, error) { return x.New(x.Config{Credentials: c}) },
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
// Spotify are no Refresher or no Revoker).
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
	}
	for _, s := range provider.Catalogue() {
		if _, ok := want[s.Slug()]; !ok || builders[s.Slug()] == nil {
			t.Errorf("%s is in the catalogue but not in this test", s)
		}
	}
	for slug, build := range builders {
		p, err := build(provider.Credentials{ClientID: "id", ClientSecret: "secret"})
		if err != nil {
			t.Fatalf("%s: %v", slug, err)
		}
		if p.Strategy().Slug() != slug {
			t.Errorf("%s serves %s", slug, p.Strategy())
		}
		if got := catalog.CapabilitiesOf(p); got != want[slug] {
			t.Errorf("%s's type has %+v, want %+v", slug, got, want[slug])
		}
	}
}

// TestMissingCredentials: every provider fails without a client id or
// secret, with its slug first.
func TestMissingCredentials(t *testing.T) {
	for slug, build := range builders {
		for field, c := range map[string]provider.Credentials{
			"ClientID":     {ClientSecret: "s"},
			"ClientSecret": {ClientID: "i"},
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
