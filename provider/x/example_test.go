package x_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/x"
)

// New takes the OAuth 2.0 client id and secret of a confidential client
// (not the OAuth 1.0a API key).
func ExampleNew() {
	p, err := x.New(x.Config{
		Credentials: provider.Credentials{ClientID: "M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ", ClientSecret: "x-client-secret"}, // os.Getenv("X_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_x X [tweet.read users.read offline.access]
}
