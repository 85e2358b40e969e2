package oauth2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/url"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/verification"
)

// A host defines a provider the catalogue does not have: its endpoints, its
// client authentication, and how its profile maps to an identity. Numbers
// in the profile arrive as json.Number, so a numeric id keeps every digit.
func ExampleNew() {
	p, err := oauth2.New(oauth2.Config{
		Strategy:     verification.MustParseStrategy("oauth_custom_acme"),
		Title:        "Acme",
		ClientID:     "acme-client-id",
		ClientSecret: "acme-client-secret", // os.Getenv("ACME_CLIENT_SECRET")
		Endpoint: oauth2.Endpoint{
			AuthURL:       "https://id.acme.example/oauth/authorize",
			TokenURL:      "https://id.acme.example/oauth/token",
			UserinfoURL:   "https://api.acme.example/v1/me",
			RevocationURL: "https://id.acme.example/oauth/revoke",
		},
		Scopes:    []string{"profile", "email"},
		AuthStyle: xoauth2.AuthStyleInParams,
		MapProfile: func(m map[string]any) (*provider.Identity, error) {
			// {"id": 12345678901234567890, "email": "...", "handle": "..."}
			id, ok := m["id"].(json.Number)
			if !ok {
				return nil, errors.New("acme: the profile has no numeric id")
			}
			email, _ := m["email"].(string)
			handle, _ := m["handle"].(string)
			return &provider.Identity{
				ProviderUserID: id.String(), // every digit, never a float64
				EmailAddress:   email,       // EmailVerified nil: Acme does not say
				Username:       handle,
				Claims:         m,
			}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	authURL, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State:         "opaque-state",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		RedirectURI:   "https://app.example/tether/oauth_callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	fmt.Println(p.Strategy(), p.Metadata().Title, u.Query().Get("scope"), u.Query().Get("code_challenge_method"))
	// Output:
	// oauth_custom_acme Acme profile email S256
}
