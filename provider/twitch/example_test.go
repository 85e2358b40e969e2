package twitch_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/twitch"
)

// Every authorization URL asks Twitch for the email, picture and display
// name claims, which its ID tokens otherwise leave out.
func ExampleNew() {
	p, err := twitch.New(twitch.Config{Credentials: provider.Credentials{
		ClientID:     "hof5gwx0su6owfnys0yan9c87zr6t",
		ClientSecret: "twitch-client-secret", // os.Getenv("TWITCH_CLIENT_SECRET")
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
	q := u.Query()
	fmt.Println(p.Strategy(), p.Metadata().Issuer, q.Get("scope"))
	fmt.Println(q.Get("claims"))
	// Output:
	// oauth_twitch https://id.twitch.tv/oauth2 openid user:read:email
	// {"id_token":{"email":null,"email_verified":null,"picture":null,"preferred_username":null},"userinfo":{"email":null,"email_verified":null,"picture":null,"preferred_username":null}}
}
