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

// BenchmarkAccessToken measures Service.AccessToken on s: "not-due" on a
// token that needs no refresh (the store's round trips are the whole
// cost), and "refresh" with the token due at every call (lease, provider
// refresh, compare-and-swap write, release). roundTrips, when not nil,
// counts the store's round trips (queries, pipelines) so far; the
// benchmark reports them per operation.
func BenchmarkAccessToken(b *testing.B, s Stores, roundTrips func() int64) {
	clock := NewClock()
	idp := providertest.New(providertest.Config{Now: clock.Now})
	b.Cleanup(idp.Close)
	prov, err := oidc.New(b.Context(), oidc.Config{
		Strategy: verification.MustParseStrategy("oauth_custom_bench"), Issuer: idp.Issuer(),
		ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(), Now: clock.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	reg, _ := provider.NewRegistry(prov)
	kr, _ := account.NewKeyring(account.GenerateKey("k1"))
	svc, err := account.New(account.Config{
		Accounts: s.Accounts, Tokens: s.Tokens, Flows: s.Flows, Providers: reg, Keyring: kr,
		CallbackURL: "https://app.example/oauth_callback", Now: clock.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	user := account.NewID("user_")
	idp.SetLogin(account.NewID("sub_"))
	a, err := svc.Connect(ctx, account.ConnectParams{UserID: user, Strategy: "oauth_custom_bench", RedirectURL: "/", Binding: "b"})
	if err != nil {
		b.Fatal(err)
	}
	cb, err := providertest.Authorize(ctx, idp.Client(), a.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		b.Fatal(err)
	}
	q := cb.Query()
	if _, err := svc.Complete(ctx, account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: "b"}); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, before func()) {
		b.ReportAllocs()
		var start int64
		if roundTrips != nil {
			start = roundTrips()
		}
		for b.Loop() {
			if before != nil {
				before()
			}
			if _, err := svc.AccessToken(ctx, user, a.ID); err != nil {
				b.Fatal(err)
			}
		}
		if roundTrips != nil {
			b.ReportMetric(float64(roundTrips()-start)/float64(b.N), "roundtrips/op")
		}
	}
	b.Run("not-due", func(b *testing.B) { run(b, nil) })
	b.Run("refresh", func(b *testing.B) { run(b, func() { clock.Advance(time.Hour) }) })
}
