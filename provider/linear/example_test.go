package linear_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linear"
)

func ExampleNew() {
	p, err := linear.New(linear.Config{
		Credentials: provider.Credentials{ClientID: "3f1c0e7a9b2d4c6e8f0a1b2c3d4e5f60", ClientSecret: "linear-client-secret"}, // os.Getenv("LINEAR_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_linear Linear [read]
}
