package spotify_test

import (
	"fmt"
	"log"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/spotify"
)

func ExampleNew() {
	p, err := spotify.New(spotify.Config{
		Credentials: provider.Credentials{ClientID: "5fe01282e44241328a84e7c5cc169165", ClientSecret: "spotify-client-secret"}, // os.Getenv("SPOTIFY_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.DefaultScopes)
	// Output: oauth_spotify Spotify [user-read-email user-read-private]
}
