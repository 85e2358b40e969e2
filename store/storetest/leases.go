package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// withTokens creates a verified account with sealed tokens.
func withTokens(t *testing.T, s Stores) *account.ExternalAccount {
	t.Helper()
	a := create(t, s, verified())
	mustOK(t, s.Tokens.SwapTokens(t.Context(), &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed")}), "SwapTokens")
	return a
}

func lease(t *testing.T, s Stores, id, holder string, at time.Time, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.Tokens.LeaseTokens(t.Context(), id, holder, at, ttl)
	mustOK(t, err, "LeaseTokens")
	return ok
}

func testLeaseOneHolder(t *testing.T, s Stores) {
	ctx := t.Context()
	a := withTokens(t, s)
	at := now()
	if !lease(t, s, a.ID, "h1", at, time.Minute) {
		t.Fatal("a free lease was refused")
	}
	if lease(t, s, a.ID, "h2", at, time.Minute) {
		t.Fatal("a lease in force went to a second holder")
	}
	if !lease(t, s, a.ID, "h1", at, time.Minute) {
		t.Fatal("the holder could not renew its lease")
	}
	mustOK(t, s.Tokens.ReleaseTokens(ctx, a.ID, "h2"), "ReleaseTokens by another holder")
	if lease(t, s, a.ID, "h2", at, time.Minute) {
		t.Fatal("another holder's release ended the lease")
	}
	mustOK(t, s.Tokens.ReleaseTokens(ctx, a.ID, "h1"), "ReleaseTokens")
	if !lease(t, s, a.ID, "h2", at, time.Minute) {
		t.Fatal("a released lease was refused")
	}
	// Leases are per account.
	b := withTokens(t, s)
	if !lease(t, s, b.ID, "h1", at, time.Minute) {
		t.Fatal("one account's lease blocked another's")
	}
	// No tokens, no lease; a release of nothing is nil.
	c := create(t, s, verified())
	_, err := s.Tokens.LeaseTokens(ctx, c.ID, "h1", at, time.Minute)
	checkCode(t, err, verification.ErrResourceNotFound)
	mustOK(t, s.Tokens.ReleaseTokens(ctx, c.ID, "h1"), "ReleaseTokens without a lease")
	mustOK(t, s.Tokens.ReleaseTokens(ctx, "eac_missing", "h1"), "ReleaseTokens of a missing account")
}

func testLeaseConcurrent(t *testing.T, s Stores) {
	a := withTokens(t, s)
	at := now()
	var won atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := s.Tokens.LeaseTokens(context.Background(), a.ID, fmt.Sprintf("holder-%d", i), at, time.Minute)
			if err != nil {
				t.Errorf("LeaseTokens: %v", err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d of 50 concurrent holders got the lease, want 1", won.Load())
	}
}

func testLeaseExpires(t *testing.T, s Stores) {
	a := withTokens(t, s)
	clock := now
	if s.Now != nil {
		clock = func() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
	}
	ttl := 300 * time.Millisecond
	if !lease(t, s, a.ID, "dead-holder", clock(), ttl) {
		t.Fatal("a free lease was refused")
	}
	if lease(t, s, a.ID, "h2", clock(), ttl) {
		t.Fatal("a lease in force went to a second holder")
	}
	if s.Advance != nil {
		// Stores with a controllable clock: move it past the lease.
		s.Advance(ttl + 100*time.Millisecond)
		if !lease(t, s, a.ID, "h2", clock(), time.Minute) {
			t.Fatal("an expired lease was not given to the next holder")
		}
	} else {
		// Stores that expire leases by their own clock (Redis) and stores
		// that use the caller's agree on real time.
		deadline := time.Now().Add(5 * time.Second)
		for !lease(t, s, a.ID, "h2", clock(), time.Minute) {
			if time.Now().After(deadline) {
				t.Fatal("an expired lease was never given to the next holder")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The dead holder's lease is over: its release changes nothing.
	mustOK(t, s.Tokens.ReleaseTokens(t.Context(), a.ID, "dead-holder"), "ReleaseTokens")
	if lease(t, s, a.ID, "h3", clock(), time.Minute) {
		t.Fatal("an expired holder's release ended the new holder's lease")
	}
}

func testLeaseGoesWithAccount(t *testing.T, s Stores) {
	a := withTokens(t, s)
	if !lease(t, s, a.ID, "h1", now(), time.Hour) {
		t.Fatal("a free lease was refused")
	}
	mustOK(t, s.Accounts.DeleteAccount(t.Context(), a.ID), "DeleteAccount")
	_, err := s.Tokens.LeaseTokens(t.Context(), a.ID, "h2", now(), time.Minute)
	checkCode(t, err, verification.ErrResourceNotFound)
}

// testAccountTokens checks account.AccountTokensReader where a store
// implements it: the account and its tokens as GetAccount and GetTokens
// return them, nil tokens before any, not found for no account.
func testAccountTokens(t *testing.T, s Stores) {
	r, ok := s.Accounts.(account.AccountTokensReader)
	if !ok {
		t.Skip("the store does not implement account.AccountTokensReader")
	}
	ctx := t.Context()
	a := create(t, s, verified())
	got, st, err := r.GetAccountTokens(ctx, a.ID)
	mustOK(t, err, "GetAccountTokens")
	checkEqual(t, got, a)
	if st != nil {
		t.Fatalf("tokens of an account without any: %+v", st)
	}
	mustOK(t, s.Tokens.SwapTokens(ctx, &account.SealedTokens{AccountID: a.ID, Blob: []byte{0, 1, 2, 0xff}}), "SwapTokens")
	got, st, err = r.GetAccountTokens(ctx, a.ID)
	mustOK(t, err, "GetAccountTokens")
	want, err := s.Tokens.GetTokens(ctx, a.ID)
	mustOK(t, err, "GetTokens")
	checkEqual(t, got, a)
	if st == nil || string(st.Blob) != string(want.Blob) || st.Version != want.Version || st.AccountID != a.ID || !st.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("GetAccountTokens tokens = %+v, want %+v", st, want)
	}
	_, _, err = r.GetAccountTokens(ctx, account.NewID(account.AccountIDPrefix))
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	mustOK(t, s.Accounts.DeleteAccount(ctx, a.ID), "DeleteAccount")
	_, _, err = r.GetAccountTokens(ctx, a.ID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
}
