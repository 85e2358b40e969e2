package discord_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/discord"
)

func ExampleNew() {
	p, err := discord.New(discord.Config{
		Credentials: provider.Credentials{ClientID: "1097226305263472640", ClientSecret: "discord-client-secret"}, // os.Getenv("DISCORD_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_discord Discord [identify email]
}
