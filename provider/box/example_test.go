package box_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/box"
)

func ExampleNew() {
	p, err := box.New(box.Config{
		Credentials: provider.Credentials{ClientID: "ly1nj6n11vionaie65emwzk575hnnmrk", ClientSecret: "box-client-secret"}, // os.Getenv("BOX_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	_, revokes := any(p).(provider.Revoker)
	fmt.Println(p.Strategy(), p.Metadata().DefaultScopes, revokes)
	// Output: oauth_box [root_readonly] true
}
