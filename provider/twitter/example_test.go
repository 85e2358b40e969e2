package twitter_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/twitter"
)

// The provider takes the app's API Key and API Key Secret. It is an
// OAuth 1.0a provider: the Service starts its flows with StartOAuth1,
// which asks X for temporary credentials, and AuthCodeURL fails.
func ExampleNew() {
	var cfg twitter.Config
	cfg.ClientID = "xvz1evFS4wEEPTGEFPHBog" // the API Key
	cfg.ClientSecret = "x-api-key-secret"   // os.Getenv("X_API_KEY_SECRET")
	p, err := twitter.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	var _ provider.OAuth1 = p
	fmt.Println(p.Strategy(), p.Metadata().Title)
	_, err = p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", RedirectURI: "https://app.example/cb"})
	fmt.Println(err != nil)
	fmt.Println(p)
	// Output:
	// oauth_twitter Twitter
	// true
	// twitter.Provider{ConsumerKey: "xvz1evFS4wEEPTGEFPHBog", BaseURL: "https://api.x.com"}
}
