package facebook_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/facebook"
)

func ExampleNew() {
	p, err := facebook.New(facebook.Config{
		Credentials: provider.Credentials{ClientID: "1234567890123456", ClientSecret: "facebook-app-secret"}, // os.Getenv("FACEBOOK_APP_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_facebook Facebook [email public_profile]
}
