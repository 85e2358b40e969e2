package dropbox_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/dropbox"
)

func ExampleNew() {
	p, err := dropbox.New(dropbox.Config{
		Credentials: provider.Credentials{ClientID: "a1b2c3d4e5f6g7h", ClientSecret: "dropbox-app-secret"}, // os.Getenv("DROPBOX_APP_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_dropbox Dropbox [account_info.read]
}
