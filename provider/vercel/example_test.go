package vercel_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/vercel"
)

// DefaultScopes ask for offline_access, without which Vercel issues no
// refresh token; Vercel tokens refresh and can be revoked.
func ExampleNew() {
	p, err := vercel.New(vercel.Config{Credentials: provider.Credentials{
		ClientID:     "cl_be6c3c8b9f340d4a20feefab2862a49a",
		ClientSecret: "vercel-client-secret", // os.Getenv("VERCEL_CLIENT_SECRET")
	}})
	if err != nil {
		log.Fatal(err)
	}
	var prov provider.Provider = p
	_, refreshes := prov.(provider.Refresher)
	_, revokes := prov.(provider.Revoker)
	fmt.Println(p.Strategy(), p.Metadata().Issuer, refreshes, revokes)
	fmt.Println(p.Metadata().DefaultScopes)
	// Output:
	// oauth_vercel https://vercel.com true true
	// [openid email profile offline_access]
}
