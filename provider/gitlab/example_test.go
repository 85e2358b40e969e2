package gitlab_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/gitlab"
)

// A self-managed instance is its own issuer, relative URL root included.
func ExampleNew() {
	p, err := gitlab.New(gitlab.Config{
		Credentials: provider.Credentials{ClientID: "5e0d1f0b8ac2f6a4b2b1b0c1d9e8f7a6", ClientSecret: "gitlab-client-secret"}, // os.Getenv("GITLAB_CLIENT_SECRET")
		BaseURL:     "https://code.example.com/gitlab",
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Issuer, md.DefaultScopes)
	// Output: oauth_gitlab https://code.example.com/gitlab [openid profile email]
}
