package google_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/google"
)

// New needs the OAuth client's credentials and reads nothing from the
// network. The account Service builds authorization requests; one that
// needs a refresh token (Offline) asks Google for it.
func ExampleNew() {
	p, err := google.New(google.Config{
		Credentials: provider.Credentials{ClientID: "1234987819200.apps.googleusercontent.com", ClientSecret: "google-client-secret"}, // os.Getenv("GOOGLE_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Issuer, md.OpenID, md.DefaultScopes)

	authURL, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State:         "opaque-state",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		Nonce:         "opaque-nonce",
		RedirectURI:   "https://app.example/tether/oauth_callback",
		Offline:       true,
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	fmt.Println(u.Host+u.Path, q.Get("scope"), q.Get("access_type"), q.Get("prompt"))
	// Output:
	// oauth_google https://accounts.google.com true [openid email profile]
	// accounts.google.com/o/oauth2/v2/auth openid email profile offline consent
}
