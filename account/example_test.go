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

// ExampleService_SignIn signs in with a provider without a signed-in user:
// an identity nobody owns is held (transferable), and the host's sign-up
// creates the user it is linked to; the next sign-in finds that user.
func ExampleService_SignIn() {
	ctx := context.Background()
	idp := providertest.New(providertest.Config{})
	defer idp.Close()
	idp.AddUser(providertest.User{Subject: "248289761001", Email: "ada@example.com", PreferredUsername: "ada"})
	idp.SetLogin("248289761001")
	dev, err := oidc.New(ctx, oidc.Config{
		Strategy: verification.MustParseStrategy("oauth_custom_dev"), Issuer: idp.Issuer(),
		ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
	})
	if err != nil {
		log.Fatal(err)
	}
	providers, _ := provider.NewRegistry(dev)
	keyring, _ := account.NewKeyring(account.GenerateKey("2026-11"))
	store := memstore.New(memstore.Options{})
	svc, err := account.New(account.Config{
		Accounts: store, Flows: store, Providers: providers, Keyring: keyring,
		CallbackURL: "https://app.example.com/identity/oauth_callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The browser's binding: a random value the host keeps in a cookie.
	const browser = "6P2u9cVnq1Tz8yJ0bWm4kXr3sLd7fGh5"
	signIn := func() *account.Completion {
		a, err := svc.SignIn(ctx, account.StartParams{Binding: browser, Strategy: "oauth_custom_dev", RedirectURL: "/"})
		if err != nil {
			log.Fatal(err)
		}
		cb, err := providertest.Authorize(ctx, idp.Client(), a.Verification.ExternalVerificationRedirectURL)
		if err != nil {
			log.Fatal(err)
		}
		q := cb.Query()
		done, err := svc.Complete(ctx, account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: browser})
		if err != nil {
			log.Fatal(err)
		}
		return done
	}

	first := signIn()
	fmt.Println(first.Attempt.Verification.Status, first.Attempt.Verification.Error.Code, first.Attempt.Identity.Username)

	// The host's sign-up creates its user from the held identity.
	up, err := svc.TransferToNewUser(ctx, browser, account.SignIn, func(_ context.Context, id *account.HeldIdentity) (string, error) {
		return "user_" + id.Username, nil // your own user creation
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(up.Status, up.UserID)

	again := signIn()
	fmt.Println(again.Attempt.Status, again.Attempt.UserID)
	// Output:
	// transferable external_account_not_found ada
	// complete user_ada
	// complete user_ada
}
