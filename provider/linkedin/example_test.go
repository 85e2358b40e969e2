package linkedin_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linkedin"
)

func ExampleNew() {
	p, err := linkedin.New(linkedin.Config{
		Credentials: provider.Credentials{ClientID: "86h3n7xx6k6nti", ClientSecret: "linkedin-client-secret"}, // os.Getenv("LINKEDIN_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Issuer, md.DefaultScopes)
	// Output: oauth_linkedin_oidc https://www.linkedin.com/oauth [openid profile email]
}
