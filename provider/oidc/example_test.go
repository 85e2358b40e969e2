package oidc_test

import (
	"context"
	"fmt"
	"log"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// New reads the provider's discovery document. Here the provider is a
// providertest server; a real one is configured the same way with its
// issuer and the host's client credentials.
func ExampleNew() {
	op := providertest.New(providertest.Config{})
	defer op.Close()
	op.AddUser(providertest.User{Subject: "248289761001", Email: "jane@example.com", EmailVerified: new(true), Name: "Jane Doe"})
	op.SetLogin("248289761001")

	ctx := context.Background()
	p, err := oidc.New(ctx, oidc.Config{
		Strategy:     verification.MustParseStrategy("oauth_custom_dev"),
		Title:        "Dev",
		Issuer:       op.Issuer(),
		ClientID:     op.ClientID(),
		ClientSecret: op.ClientSecret(),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Metadata().Title, p.Metadata().DefaultScopes)

	// The account Service keeps state, verifier and nonce for the callback.
	verifier := oauth2.GenerateVerifier()
	authURL, err := p.AuthCodeURL(ctx, provider.AuthRequest{
		State:         "opaque-state",
		CodeChallenge: oauth2.S256ChallengeFromVerifier(verifier),
		Nonce:         "opaque-nonce",
		RedirectURI:   "https://app.example/oauth_callback",
	})
	if err != nil {
		log.Fatal(err)
	}

	// The browser signs in and comes back with a code.
	callback, err := providertest.Authorize(ctx, nil, authURL)
	if err != nil {
		log.Fatal(err)
	}

	id, tok, err := p.Exchange(ctx, provider.ExchangeRequest{
		Code:         callback.Query().Get("code"),
		CodeVerifier: verifier,
		RedirectURI:  "https://app.example/oauth_callback",
		Nonce:        "opaque-nonce",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id.ProviderUserID, id.EmailAddress, *id.EmailVerified, id.FirstName, id.LastName)
	fmt.Println(tok.Scopes, tok.RefreshToken != "")
	// Output:
	// Dev [openid email profile]
	// 248289761001 jane@example.com true Jane Doe
	// [openid email profile] true
}
