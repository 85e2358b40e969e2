package github_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
)

// New needs the OAuth app's credentials; BaseURL and APIURL point it at a
// GitHub Enterprise Server instead of github.com.
func ExampleNew() {
	p, err := github.New(github.Config{
		Credentials: provider.Credentials{ClientID: "Iv1.8a61f9b3a7aba766", ClientSecret: "github-client-secret"}, // os.Getenv("GITHUB_CLIENT_SECRET")
	})
	if err != nil {
		log.Fatal(err)
	}
	md := p.Metadata()
	fmt.Println(p.Strategy(), md.Title, md.OpenID, md.DefaultScopes)

	authURL, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State:         "opaque-state",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		RedirectURI:   "https://app.example/tether/oauth_callback",
		LoginHint:     "octocat",
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	fmt.Println(u.Host+u.Path, q.Get("scope"), q.Get("login"), q.Get("code_challenge_method"))

	ghes, err := github.New(github.Config{
		Credentials: provider.Credentials{ClientID: "Iv1.8a61f9b3a7aba766", ClientSecret: "github-client-secret"},
		BaseURL:     "https://github.example.com",
		APIURL:      "https://github.example.com/api/v3",
	})
	if err != nil {
		log.Fatal(err)
	}
	authURL, _ = ghes.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", RedirectURI: "https://app.example/tether/oauth_callback"})
	u, _ = url.Parse(authURL)
	fmt.Println(u.Host + u.Path)
	// Output:
	// oauth_github GitHub false [read:user user:email]
	// github.com/login/oauth/authorize read:user user:email octocat S256
	// github.example.com/login/oauth/authorize
}
