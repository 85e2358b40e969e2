package bitbucket_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/bitbucket"
)

func ExampleNew() {
	p, err := bitbucket.New(bitbucket.Config{
		Credentials: provider.Credentials{ClientID: "Zq8LmW3pXr7TnVb2Kc", ClientSecret: "bitbucket-consumer-secret"}, // os.Getenv("BITBUCKET_CONSUMER_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Strategy(), p.Metadata().Title, p.Metadata().DefaultScopes)
	// Output: oauth_bitbucket Bitbucket [account email]
}
