package line_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/line"
)

// LINE is served as OAuth 2.0 (see the package documentation): the
// metadata names no issuer, and the profile scope is all it asks for.
func ExampleNew() {
	p, err := line.New(line.Config{Credentials: provider.Credentials{
		ClientID:     "1234567890",          // the channel ID
		ClientSecret: "line-channel-secret", // os.Getenv("LINE_CHANNEL_SECRET")
	}})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.OpenID, md.DefaultScopes)
	// Output: oauth_line LINE false [profile]
}
