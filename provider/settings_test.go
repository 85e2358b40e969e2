package provider_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/microsoft"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/verification"
)

// TestConfigsHideSecrets prints every Config the way a host might by
// mistake and checks that the secret never shows while the client id does.
func TestConfigsHideSecrets(t *testing.T) {
	const id, secret = "client-id-1", "s3cr3t-value"
	creds := provider.Credentials{ClientID: id, ClientSecret: secret}
	strategy := verification.MustParseStrategy("oauth_custom_acme")
	configs := map[string]any{
		"Credentials": creds,
		"oidc":        oidc.Config{Strategy: strategy, Issuer: "https://idp.example", ClientID: id, ClientSecret: secret},
		"oauth2":      oauth2.Config{Strategy: strategy, ClientID: id, ClientSecret: secret},
		"apple":       apple.Config{ClientID: id, TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: []byte(secret)},
		"discord":     discord.Config{Credentials: creds},
		"facebook":    facebook.Config{Credentials: creds},
		"github":      github.Config{Credentials: creds},
		"gitlab":      gitlab.Config{Credentials: creds},
		"google":      google.Config{Credentials: creds},
		"linkedin":    linkedin.Config{Credentials: creds},
		"legacy":      linkedin.LegacyConfig{Credentials: creds},
		"microsoft":   microsoft.Config{Credentials: creds},
		"slack":       slack.Config{Credentials: creds},
		"x":           x.Config{Credentials: creds},
	}
	for name, cfg := range configs {
		ptr := reflect.New(reflect.TypeOf(cfg))
		ptr.Elem().Set(reflect.ValueOf(cfg))
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{cfg, ptr.Interface(), []any{cfg}, struct{ C any }{cfg}} {
				out := fmt.Sprintf(verb, v)
				if strings.Contains(out, secret) {
					t.Errorf("%s with %s leaks the secret: %s", name, verb, out)
				}
				if !strings.Contains(out, id) {
					t.Errorf("%s with %s hides the client id too: %s", name, verb, out)
				}
			}
		}
	}
}
