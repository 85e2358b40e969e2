package provider_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/verification"
)

// A host registers the providers it has credentials for. A provider whose
// configuration is incomplete fails when it is built, so the host finds out
// at start-up; a strategy nobody registered, or one the host disabled, is
// oauth_provider_not_enabled when a user tries it.
func ExampleRegistry() {
	gh, err := github.New(github.Config{
		Credentials: provider.Credentials{ClientID: "Iv1.8a61f9b3a7aba766", ClientSecret: "github-client-secret"}, // os.Getenv("GITHUB_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	// Without credentials, Google is not offered.
	if _, err := google.New(google.Config{Credentials: provider.Credentials{ClientID: os.Getenv("TETHER_EXAMPLE_UNSET")}}); err != nil {
		fmt.Println(err)
	}

	reg, err := provider.NewRegistry(gh)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reg.Strategies())

	_, err = reg.Lookup(google.Strategy)
	fmt.Println(errors.Is(err, verification.ErrProviderNotEnabled), err)

	_ = reg.SetEnabled(github.Strategy, false) // an incident at GitHub
	_, err = reg.Lookup(github.Strategy)
	fmt.Println(err)
	// Output:
	// google: Config.ClientID is required
	// [oauth_github]
	// true oauth_provider_not_enabled: No provider is configured for oauth_google.
	// oauth_provider_not_enabled: The provider oauth_github is disabled.
}
