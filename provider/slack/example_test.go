package slack_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/slack"
)

// TeamID restricts sign-in to one workspace.
func ExampleNew() {
	p, err := slack.New(slack.Config{
		Credentials: provider.Credentials{ClientID: "25259531569.1115258246291", ClientSecret: "slack-client-secret"}, // os.Getenv("SLACK_CLIENT_SECRET")
		TeamID:      "T0R7GR",
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Issuer, md.DefaultScopes)
	// Output: oauth_slack https://slack.com [openid profile email]
}
