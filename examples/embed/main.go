// Embed is the embedding example of the README, kept here so that it
// compiles: readme_test.go checks that the README shows this file.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
)

func main() {
	ctx := context.Background()
	db, err := sqlite.Open("app.db", sqlite.Options{}) // the pure-Go SQLite driver, no cgo
	check(err)
	store, err := sqlstore.New(db, sqlstore.Options{})
	check(err)
	check(store.Migrate(ctx)) // creates or upgrades Tether's tables; safe on every start
	g, err := google.New(google.Config{Credentials: provider.Credentials{ClientID: os.Getenv("GOOGLE_CLIENT_ID"), ClientSecret: os.Getenv("GOOGLE_CLIENT_SECRET")}})
	check(err)
	providers, err := provider.NewRegistry(g)
	check(err)
	keyring, err := account.ParseKeyring(os.Getenv("TETHER_KEYS")) // "id:base64-32-bytes[,older...]"
	check(err)
	const callback = "https://app.example.com/identity/oauth_callback" // registered at Google
	svc, err := account.New(account.Config{
		Accounts: store, Flows: store, Providers: providers, Keyring: keyring, CallbackURL: callback,
	})
	check(err)
	api, err := httpadapter.New(svc, httpadapter.Options{CallbackURL: callback, UserID: currentUser})
	check(err)
	mux := http.NewServeMux()
	mux.Handle("/identity/", http.StripPrefix("/identity", api))
	go svc.Run(ctx, 0) // sweeps expired flows and abandoned accounts every 5 minutes
	log.Fatal(http.ListenAndServe(":8080", mux))
}

// currentUser is your own session lookup: the signed-in user's id, or an
// error (Tether then answers 401).
func currentUser(r *http.Request) (string, error) {
	return "", errors.New("not signed in") // replace with your session lookup
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
