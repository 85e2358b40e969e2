package account_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// Example connects a user's account at an OpenID Connect provider in
// process: Connect, the browser's trip to the provider (played here by
// providertest.Authorize), and Complete on the callback.
func Example() {
	ctx := context.Background()

	// A fake provider with one signed-in user; in production, oidc.New
	// points at https://accounts.google.com or your IdP.
	idp := providertest.New(providertest.Config{})
	defer idp.Close()
	idp.AddUser(providertest.User{Subject: "248289761001", Email: "ada@example.com"})
	idp.SetLogin("248289761001")

	dev, err := oidc.New(ctx, oidc.Config{
		Strategy:     verification.MustParseStrategy("oauth_custom_dev"),
		Issuer:       idp.Issuer(),
		ClientID:     idp.ClientID(),
		ClientSecret: idp.ClientSecret(),
	})
	if err != nil {
		log.Fatal(err)
	}
	providers, _ := provider.NewRegistry(dev)
	keyring, _ := account.NewKeyring(account.GenerateKey("2026-11")) // load from a secret store in production
	store := memstore.New(memstore.Options{})

	svc, err := account.New(account.Config{
		Accounts:    store,
		Flows:       store,
		Providers:   providers,
		Keyring:     keyring,
		CallbackURL: "https://app.example.com/identity/oauth_callback",
	})
	if err != nil {
		log.Fatal(err)
	}

	a, err := svc.Connect(ctx, account.ConnectParams{
		UserID:      "user_42",
		Strategy:    "oauth_custom_dev",
		RedirectURL: "/settings/accounts",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Verification.Status)

	// The browser goes to a.Verification.ExternalVerificationRedirectURL
	// and comes back to the callback URL.
	callback, err := providertest.Authorize(ctx, idp.Client(), a.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		log.Fatal(err)
	}
	q := callback.Query()
	// The callback names the user signed in on it (or presents the browser
	// binding given to Connect): a flow tied to neither is refused, so
	// nobody can complete someone else's flow.
	done, err := svc.Complete(ctx, account.CallbackParams{
		State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"),
		UserID: "user_42",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Account.Verification.Status, done.Account.ProviderUserID, done.Account.EmailAddress, done.Account.ApprovedScopes)
	fmt.Println("back to", done.RedirectURL)
	// Output:
	// unverified
	// verified 248289761001 ada@example.com [openid email profile offline_access]
	// back to /settings/accounts
}
