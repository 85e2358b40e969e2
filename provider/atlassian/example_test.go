package atlassian_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/atlassian"
)

func ExampleNew() {
	p, err := atlassian.New(atlassian.Config{
		Credentials: provider.Credentials{ClientID: "Qm3xR8vLp2TnYc6WkZ0aBd4Fh7Js9Ue1", ClientSecret: "atlassian-secret"}, // os.Getenv("ATLASSIAN_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_atlassian Atlassian [read:me offline_access]
}
