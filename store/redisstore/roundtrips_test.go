package redisstore_test

import (
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/verification"
)

var strategy = verification.MustParseStrategy("oauth_custom_redisstore")

// unverifiedAccount is an account as Connect creates it.
func unverifiedAccount(userID string, now time.Time) *account.ExternalAccount {
	now = now.UTC().Truncate(time.Millisecond)
	return &account.ExternalAccount{
		ID:               account.NewID(account.AccountIDPrefix),
		UserID:           userID,
		IdentificationID: account.NewID(account.IdentificationIDPrefix),
		Provider:         strategy,
		Verification: verification.Verification{
			Status:                          verification.StatusUnverified,
			Strategy:                        strategy,
			ExpireAt:                        now.Add(10 * time.Minute),
			ExternalVerificationRedirectURL: "https://idp.example/authorize?state=s",
			FlowKey:                         account.NewID("fk_"),
		},
		CreatedAt: now,
		UpdatedAt: now,
	}
}

// verify applies what Complete writes on a first verification.
func verify(a *account.ExternalAccount, sub string) *account.ExternalAccount {
	c := a.Clone()
	yes := true
	c.ProviderUserID = sub
	c.EmailAddress, c.EmailAddressVerified = "ada@example.com", &yes
	c.ApprovedScopes = []string{"openid", "email"}
	c.Verification.Status = verification.StatusVerified
	c.Verification.ExternalVerificationRedirectURL = ""
	c.Verification.FlowKey = ""
	return c
}

func flowFor(a *account.ExternalAccount, now time.Time) *account.Flow {
	return &account.Flow{
		StateHash: account.NewID("state_"), Kind: account.FlowConnect,
		UserID: a.UserID, AccountID: a.ID, Strategy: a.Provider,
		Secrets:     []byte(account.NewID("sealed_")),
		RedirectURL: "/settings", Scopes: []string{"openid", "email"},
		CreatedAt: now, ExpiresAt: now.Add(20 * time.Minute),
	}
}

func sealed(a *account.ExternalAccount) *account.SealedTokens {
	return &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed tokens: opaque to the store"), UpdatedAt: time.Now()}
}

// TestRoundTrips pins the round trips of every operation: the issue's
// targets are one per read and at most three for the writes of Complete.
func TestRoundTrips(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		rt := &roundTrips{}
		b.rdb.AddHook(rt)
		opts := redisstore.Options{Prefix: testPrefix(t, b.rdb)}
		s := mustNew(b.rdb, opts)
		if err := redisstore.LoadScripts(ctx, s); err != nil {
			t.Fatal(err)
		}
		check := func(what string, want int64, fn func() error) {
			t.Helper()
			var err error
			got := rt.count(func() { err = fn() })
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got != want {
				t.Errorf("%s: %d round trips, want %d", what, got, want)
			} else {
				t.Logf("%-52s %d", what, got)
			}
		}
		now := time.Now()
		user := account.NewID("user_")
		var accts []*account.ExternalAccount
		for range 3 {
			a := unverifiedAccount(user, now)
			f := flowFor(a, now)
			check("SaveFlow", 1, func() error { return s.SaveFlow(ctx, f) })
			check("CreateAccount (unverified)", 2, func() error { return s.CreateAccount(ctx, a) })
			accts = append(accts, a)
			// Complete: take the flow, read the account, verify it.
			var got *account.ExternalAccount
			writes := rt.count(func() {
				check("TakeFlow", 1, func() error { _, err := s.TakeFlow(ctx, f.StateHash); return err })
			})
			check("GetAccount", 1, func() (err error) { got, err = s.GetAccount(ctx, a.ID); return err })
			v := verify(got, account.NewID("sub_"))
			writes += rt.count(func() {
				check("UpdateAccount (first verification, tokens)", 2, func() error { return s.UpdateAccount(ctx, v, sealed(v)) })
			})
			if writes > 3 {
				t.Errorf("Complete-path writes: %d round trips, want at most 3", writes)
			} else {
				t.Logf("%-52s %d", "Complete-path writes (TakeFlow + UpdateAccount)", writes)
			}
			*a = *v
		}
		a := accts[0]
		check("UpdateAccount (verified account, known to the Store)", 1, func() error { return s.UpdateAccount(ctx, a, sealed(a)) })
		check("UpdateAccount (verified account, fresh Store)", 2, func() error {
			return mustNew(b.rdb, opts).UpdateAccount(ctx, a, sealed(a))
		})
		check("GetTokens", 1, func() error { _, err := s.GetTokens(ctx, a.ID); return err })
		tk, err := s.GetTokens(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		check("SwapTokens", 1, func() error { return s.SwapTokens(ctx, tk) })
		check("ListAccounts (3 accounts, first time)", 2, func() error { _, err := s.ListAccounts(ctx, account.Query{UserID: user}); return err })
		check("ListAccounts (3 accounts, again)", 1, func() error { _, err := s.ListAccounts(ctx, account.Query{UserID: user}); return err })
		check("FindAccountByIdentity (owner seen before)", 1, func() error {
			_, err := s.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
			return err
		})
		cold := mustNew(b.rdb, opts) // a fresh process
		check("FindAccountByIdentity (fresh Store)", 2, func() error {
			_, err := cold.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
			return err
		})
		check("FindAccountByIdentity (fresh Store, again)", 1, func() error {
			_, err := cold.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
			return err
		})
		check("DeleteAccount", 2, func() error { return s.DeleteAccount(ctx, a.ID) })
	})
}
