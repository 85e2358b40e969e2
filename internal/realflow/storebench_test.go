package realflow

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// The store benchmarks isolate the SQL of one flow on SQLite files set up as
// the flow benchmarks' are: Tether's two transactions (Connect's account
// and flow, the callback's flow taken with the account's compare-and-swap
// and its sealed tokens) against the bare stack's one insert. Their
// difference is the part of a flow's own cost that is the store's; compare
// them in the same run as the flow benchmarks.

// BenchmarkStoreTetherFlowWrites is the store work of one Tether flow on
// sqlstore SQLite, with records the size of a real flow's.
func BenchmarkStoreTetherFlowWrites(b *testing.B) {
	ctx := context.Background()
	be := newBackend(b, "SQLite")
	fw, ok := be.store.(account.FlowWriter)
	if !ok {
		b.Fatal("sqlstore is not an account.FlowWriter")
	}
	policy := verification.Policy{}
	secrets := randomBytes(b, 900) // a sealed verifier, nonce and account snapshot
	blob := randomBytes(b, 1400)   // sealed access, refresh and ID tokens
	redirect := idpAuthURLShape()
	b.ReportAllocs()
	for b.Loop() {
		now := time.Now()
		key := randomHex(32)
		a := &account.ExternalAccount{
			ID:               account.NewID(account.AccountIDPrefix),
			UserID:           "user_" + randomHex(8),
			IdentificationID: account.NewID(account.IdentificationIDPrefix),
			Provider:         strategy,
			CreatedAt:        now, UpdatedAt: now,
		}
		a.Verification = policy.Start(strategy, redirect+key, key, now)
		f := &account.Flow{
			StateHash: key, Kind: account.FlowConnect, UserID: a.UserID, AccountID: a.ID, Strategy: strategy,
			Secrets: secrets, RedirectURL: "https://app.example/settings", Scopes: []string{"openid", "email", "profile"},
			Offline: true, BindingHash: randomHex(32), CreatedAt: now, ExpiresAt: now.Add(15 * time.Minute),
		}
		if err := fw.CreateAccountFlow(ctx, a, f); err != nil {
			b.Fatal(err)
		}
		next := a.Clone()
		v, err := policy.Succeed(next.Verification, now)
		if err != nil {
			b.Fatal(err)
		}
		next.Verification = v
		next.ProviderUserID = "sub-" + randomHex(8)
		next.EmailAddress = "user" + randomHex(4) + "@example.com"
		next.FirstName, next.LastName = "Ada", "Lovelace"
		next.ApprovedScopes = []string{"openid", "email", "profile"}
		if err := fw.UpdateAccountFlow(ctx, key, next, &account.SealedTokens{AccountID: a.ID, Blob: blob, UpdatedAt: now}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreBareInsert is the bare stack's store work of one flow: its
// one bun insert into a SQLite file opened the same way.
func BenchmarkStoreBareInsert(b *testing.B) {
	ctx := context.Background()
	db := openBareDB(b)
	b.ReportAllocs()
	for b.Loop() {
		a := &bareAccount{
			ID: account.NewID(account.AccountIDPrefix), UserID: "user_" + randomHex(8), Provider: strategy.String(),
			ProviderUserID: "sub-" + randomHex(8), Email: "user" + randomHex(4) + "@example.com", Name: "Ada Lovelace", CreatedAt: time.Now(),
		}
		if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	p := make([]byte, n)
	if _, err := rand.Read(p); err != nil {
		tb.Fatal(err)
	}
	return bytes.Clone(p)
}

// idpAuthURLShape is the start of an authorization URL as long as the
// flow benchmarks' provider's (the account's redirect URL is stored).
func idpAuthURLShape() string {
	return "http://127.0.0.1:40000/authorize?client_id=client&code_challenge=" + strings.Repeat("c", 43) +
		"&code_challenge_method=S256&nonce=" + strings.Repeat("n", 43) + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A40001%2Foauth_callback" +
		"&response_type=code&scope=openid+email+profile&state="
}
