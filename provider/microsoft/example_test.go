package microsoft_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/microsoft"
)

// The tenant decides who can sign in and which issuer the ID tokens must
// have; "common" checks each token's issuer against its own tenant.
func ExampleNew() {
	for _, tenant := range []string{microsoft.TenantCommon, microsoft.TenantConsumers, "72f988bf-86f1-41af-91ab-2d7cd011db47"} {
		p, err := microsoft.New(microsoft.Config{
			Credentials: provider.Credentials{ClientID: "6cb04018-a3f5-46a7-b995-940c78f5aef3", ClientSecret: "microsoft-client-secret"}, // os.Getenv("MICROSOFT_CLIENT_SECRET")
			Tenant:      tenant,
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %q\n", tenant, p.Metadata().Issuer)
	}
	_, err := microsoft.New(microsoft.Config{Credentials: provider.Credentials{ClientID: "id", ClientSecret: "secret"}, Tenant: "contoso.onmicrosoft.com"})
	fmt.Println(err)
	// Output:
	// common ""
	// consumers "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
	// 72f988bf-86f1-41af-91ab-2d7cd011db47 "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
	// microsoft: Config.Tenant "contoso.onmicrosoft.com" is neither common, organizations, consumers nor a tenant id (a GUID)
}
