package xero_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/xero"
)

// Xero's issuer is its identity service, not the login site the user is
// sent to.
func ExampleNew() {
	p, err := xero.New(xero.Config{Credentials: provider.Credentials{
		ClientID:     "91E5715B1199038080D6D0296EBC1648",
		ClientSecret: "xero-client-secret", // os.Getenv("XERO_CLIENT_SECRET")
	}})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.Issuer)
	fmt.Println(md.DefaultScopes)
	// Output:
	// oauth_xero Xero https://identity.xero.com
	// [openid profile email offline_access]
}
