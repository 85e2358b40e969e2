package providertest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider/providertest"
)

// A test starts a provider, adds a user, signs them in, and runs an
// authorization code flow without a browser.
func ExampleNew() {
	srv := providertest.New(providertest.Config{})
	defer srv.Close()
	srv.AddUser(providertest.User{
		Subject:       "alice",
		Email:         "alice@example.com",
		EmailVerified: new(true),
		Name:          "Alice Liddell",
	})
	srv.SetLogin("alice")

	ctx := context.Background()
	op, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		log.Fatal(err)
	}
	conf := &oauth2.Config{
		ClientID:     srv.ClientID(),
		ClientSecret: srv.ClientSecret(),
		Endpoint:     op.Endpoint(),
		RedirectURL:  "http://127.0.0.1/callback",
		Scopes:       []string{"openid", "email"},
	}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1"))

	// Authorize plays the browser: it returns where the provider sent it.
	callback, err := providertest.Authorize(ctx, nil, authURL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("state:", callback.Query().Get("state"))
	fmt.Println("iss is the issuer:", callback.Query().Get("iss") == srv.Issuer())

	tok, err := conf.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		log.Fatal(err)
	}
	idToken, err := op.Verifier(&oidc.Config{ClientID: srv.ClientID()}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		log.Fatal(err)
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := idToken.Claims(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sub:", idToken.Subject, "nonce:", idToken.Nonce, "email:", claims.Email)
	fmt.Println("scope:", tok.Extra("scope"))
	fmt.Println("codes exchanged:", srv.Stats().CodeExchanges)
	// Output:
	// state: state-1
	// iss is the issuer: true
	// sub: alice nonce: nonce-1 email: alice@example.com
	// scope: openid email
	// codes exchanged: 1
}

// A demo mounts the provider under a path of its own server as an offline
// "dev" provider. Without a signed-in user, the authorization endpoint shows
// a sign-in form.
func ExampleNewHandler() {
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux) // a real app listens on its own address
	issuer := "http://" + srv.Listener.Addr().String() + "/dev-oidc"
	dev := providertest.NewHandler(issuer, providertest.Config{
		ClientID:     "demo",
		ClientSecret: "demo-secret",
		RedirectURIs: []string{"http://" + srv.Listener.Addr().String() + "/oauth_callback"},
		Interactive:  true,
	})
	mux.Handle("/dev-oidc/", http.StripPrefix("/dev-oidc", dev))
	srv.Start()
	defer srv.Close()

	op, err := oidc.NewProvider(context.Background(), dev.Issuer())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op.Endpoint().AuthURL == issuer+"/authorize")
	// Output: true
}

// Faults make the provider misbehave, here by signing ID tokens with a key
// it does not publish.
func ExampleHandler_SetFaults() {
	srv := providertest.New(providertest.Config{})
	defer srv.Close()
	srv.SetLogin("alice")
	srv.SetFaults(providertest.Faults{IDToken: providertest.IDTokenBadSignature})

	ctx := context.Background()
	op, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		log.Fatal(err)
	}
	conf := &oauth2.Config{
		ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(), Endpoint: op.Endpoint(),
		RedirectURL: "http://127.0.0.1/callback", Scopes: []string{"openid"},
	}
	verifier := oauth2.GenerateVerifier()
	callback, err := providertest.Authorize(ctx, nil, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := conf.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		log.Fatal(err)
	}
	_, err = op.Verifier(&oidc.Config{ClientID: srv.ClientID()}).Verify(ctx, tok.Extra("id_token").(string))
	fmt.Println("ID token rejected:", err != nil)
	// Output: ID token rejected: true
}
