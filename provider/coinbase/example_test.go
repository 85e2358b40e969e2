package coinbase_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/coinbase"
)

func ExampleNew() {
	p, err := coinbase.New(coinbase.Config{
		Credentials: provider.Credentials{ClientID: "2f6c1d3e-8a9b-4c7d-b1e2-f3a4b5c6d7e8", ClientSecret: "coinbase-client-secret"}, // os.Getenv("COINBASE_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range p.Metadata().DefaultScopes {
		fmt.Println(s)
	}
	// Output:
	// wallet:user:read
	// wallet:user:email
	// offline_access
}
