package vercel_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/vercel"
)

// The authorization URL asks for a refresh token with offline_access and
// always carries a PKCE challenge, which Vercel requires.
func ExampleNew() {
	p, err := vercel.New(vercel.Config{Credentials: provider.Credentials{
		ClientID:     "cl_be6c3c8b9f340d4a20feefab2862a49a",
		ClientSecret: "vercel-client-secret", // os.Getenv("VERCEL_CLIENT_SECRET")
	}})
	if err != nil {
		log.Fatal(err)
	}
	raw, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State: "opaque-state", Nonce: "opaque-nonce", RedirectURI: "https://app.example/tether/oauth_callback",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(raw)
	fmt.Println(p.Strategy(), u.Host+u.Path)
	fmt.Println(u.Query().Get("scope"), u.Query().Get("code_challenge_method"))
	// Output:
	// oauth_vercel vercel.com/oauth/authorize
	// openid email profile offline_access S256
}
