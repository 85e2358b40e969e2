package testkit

import (
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// Linked is a provider, Services on stores, and one user's account linked
// at that provider through a whole flow: what the token tests start from.
type Linked struct {
	IDP      *providertest.Server
	Services []*account.Service
	UserID   string
	Account  *account.ExternalAccount
}

// Link builds a providertest provider on clock, one Service per element of
// stores (all sharing the provider and keyring, as replicas do), and links
// an account through the first Service. lease is Config.RefreshLease (0:
// the default).
func Link(tb testing.TB, clock *Clock, lease time.Duration, stores ...Stores) *Linked {
	tb.Helper()
	idp := providertest.New(providertest.Config{Now: clock.Now})
	tb.Cleanup(idp.Close)
	strategy := verification.MustParseStrategy("oauth_custom_kit")
	prov, err := oidc.New(tb.Context(), oidc.Config{
		Strategy: strategy, Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
		HTTP: provider.HTTPSettings{Now: clock.Now, Timeout: 30 * time.Second},
	})
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := provider.NewRegistry(prov)
	if err != nil {
		tb.Fatal(err)
	}
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		tb.Fatal(err)
	}
	l := &Linked{IDP: idp, UserID: account.NewID("user_")}
	for _, s := range stores {
		svc, err := account.New(account.Config{
			Accounts: s.Accounts, Tokens: s.Tokens, Flows: s.Flows, Providers: reg, Keyring: kr,
			CallbackURL: "https://app.example/oauth_callback", Now: clock.Now, RefreshLease: lease,
		})
		if err != nil {
			tb.Fatal(err)
		}
		l.Services = append(l.Services, svc)
	}
	ctx := tb.Context()
	idp.SetLogin(account.NewID("sub_"))
	a, err := l.Services[0].Connect(ctx, account.ConnectParams{UserID: l.UserID, Strategy: strategy.String(), RedirectURL: "/", Binding: "kit-browser"})
	if err != nil {
		tb.Fatal(err)
	}
	cb, err := providertest.Authorize(ctx, idp.Client(), a.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		tb.Fatal(err)
	}
	q := cb.Query()
	done, err := l.Services[0].Complete(ctx, account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: "kit-browser"})
	if err != nil || !done.Account.Verified() {
		tb.Fatalf("Complete: %v", err)
	}
	l.Account = done.Account
	return l
}

// Alice is the user the kit's providers know and have signed in.
var Alice = providertest.User{
	Subject:           "alice",
	Email:             "alice@example.com",
	EmailVerified:     new(true),
	GivenName:         "Alice",
	FamilyName:        "Liddell",
	Name:              "Alice Liddell",
	Picture:           "https://example.com/alice.png",
	PreferredUsername: "alice",
}

// StartIDP starts a providertest server configured by cfg, with Alice
// signed in, closed when tb ends.
func StartIDP(tb testing.TB, cfg providertest.Config) *providertest.Server {
	tb.Helper()
	srv := providertest.New(cfg)
	tb.Cleanup(srv.Close)
	srv.AddUser(Alice)
	srv.SetLogin(Alice.Subject)
	return srv
}
