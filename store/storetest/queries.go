package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// freshStrategy returns a custom strategy no other subtest uses, so that a
// query filtered by it sees only this subtest's accounts in a shared
// database.
func freshStrategy() verification.Strategy {
	return verification.MustParseStrategy("oauth_custom_q" + strings.ToLower(account.NewID("")))
}

// ids returns the ids of as, in order.
func ids(as []*account.ExternalAccount) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// list runs q and fails t on error.
func list(t *testing.T, s Stores, q account.Query) []*account.ExternalAccount {
	t.Helper()
	got, err := s.Accounts.ListAccounts(t.Context(), q)
	mustOK(t, err, "ListAccounts")
	return got
}

// pages lists q page by page with limit, following each page's last cursor,
// and returns every account seen in order.
func pages(t *testing.T, s Stores, q account.Query, limit int) []*account.ExternalAccount {
	t.Helper()
	q.Limit = limit
	var all []*account.ExternalAccount
	for range 100 {
		page := list(t, s, q)
		if len(page) > limit {
			t.Fatalf("ListAccounts with Limit %d returned %d accounts", limit, len(page))
		}
		all = append(all, page...)
		if len(page) < limit {
			return all
		}
		c := account.CursorOf(page[len(page)-1])
		q.After = &c
	}
	t.Fatal("pagination does not end")
	return nil
}

func testQuery(t *testing.T, s Stores) {
	user := account.NewID("user_")
	other := freshStrategy()
	base := now().Add(-time.Hour)
	var mine, verifiedMine, otherProvider []*account.ExternalAccount
	// Seven accounts of one user, two of them verified, one of another
	// provider; two share a CreatedAt and are told apart by ID.
	offsets := []time.Duration{5, 1, 3, 0, 2, 2, 4}
	for i, off := range offsets {
		a := newAccount()
		if i%3 == 1 {
			a = verified()
			verifiedMine = append(verifiedMine, a)
		}
		a.UserID = user
		if i == 6 {
			a.Provider, a.Verification.Strategy = other, other
			otherProvider = append(otherProvider, a)
		}
		a.CreatedAt = base.Add(off * time.Second)
		a.UpdatedAt = a.CreatedAt
		create(t, s, a)
		mine = append(mine, a)
	}
	create(t, s, newAccount()) // another user's
	sortAccounts(mine)
	sortAccounts(verifiedMine)

	for _, limit := range []int{1, 2, 3, 7, 50} {
		got := pages(t, s, account.Query{UserID: user}, limit)
		if !slices.Equal(ids(got), ids(mine)) {
			t.Fatalf("pages of %d = %v, want %v", limit, ids(got), ids(mine))
		}
	}
	for i, a := range mine {
		c := account.CursorOf(a)
		got := list(t, s, account.Query{UserID: user, After: &c})
		if !slices.Equal(ids(got), ids(mine[i+1:])) {
			t.Fatalf("after %s = %v, want %v", a.ID, ids(got), ids(mine[i+1:]))
		}
	}
	if got := list(t, s, account.Query{UserID: user, Status: verification.StatusVerified}); !slices.Equal(ids(got), ids(verifiedMine)) {
		t.Fatalf("verified = %v, want %v", ids(got), ids(verifiedMine))
	}
	if got := list(t, s, account.Query{UserID: user, Provider: other}); !slices.Equal(ids(got), ids(otherProvider)) {
		t.Fatalf("provider %s = %v, want %v", other, ids(got), ids(otherProvider))
	}
	if got := list(t, s, account.Query{Provider: other}); !slices.Equal(ids(got), ids(otherProvider)) {
		t.Fatalf("provider %s across users = %v, want %v", other, ids(got), ids(otherProvider))
	}
	if got := list(t, s, account.Query{UserID: user, Provider: other, Status: verification.StatusVerified}); len(got) != 0 {
		t.Fatalf("verified accounts of provider %s = %v, want none", other, ids(got))
	}
	for _, got := range list(t, s, account.Query{UserID: user}) {
		for _, want := range mine {
			if got.ID == want.ID {
				checkEqual(t, got, want)
			}
		}
	}
	// A status change moves an account in and out of a status filter.
	v := mine[0]
	v.ProviderUserID = account.NewID("sub_")
	v.Verification.Status = verification.StatusVerified
	mustOK(t, s.Accounts.UpdateAccount(t.Context(), v, nil), "UpdateAccount")
	got := list(t, s, account.Query{UserID: user, Status: verification.StatusUnverified})
	if slices.Contains(ids(got), v.ID) {
		t.Fatalf("an account verified since still lists as unverified")
	}
	got = list(t, s, account.Query{UserID: user, Status: verification.StatusVerified})
	if !slices.Contains(ids(got), v.ID) {
		t.Fatalf("an account verified since does not list as verified")
	}
	// A deleted account leaves every listing.
	mustOK(t, s.Accounts.DeleteAccount(t.Context(), v.ID), "DeleteAccount")
	for _, q := range []account.Query{{UserID: user}, {UserID: user, Status: verification.StatusVerified}, {Provider: v.Provider, After: &account.Cursor{CreatedAt: v.CreatedAt.Add(-time.Millisecond)}, Limit: 20}} {
		if slices.Contains(ids(list(t, s, q)), v.ID) {
			t.Fatalf("a deleted account lists for %+v", q)
		}
	}
}

func testQueryAcrossUsers(t *testing.T, s Stores) {
	// A window of time nobody else uses, far from now: a random
	// millisecond in the 2200s.
	base := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(int64(50*365*24*time.Hour))) / time.Millisecond * time.Millisecond)
	var want []*account.ExternalAccount
	for i := range 5 {
		a := newAccount()
		a.CreatedAt = base.Add(time.Duration(i) * time.Millisecond)
		a.UpdatedAt = a.CreatedAt
		create(t, s, a)
		want = append(want, a)
	}
	start := &account.Cursor{CreatedAt: base.Add(-time.Millisecond)}
	got := list(t, s, account.Query{After: start, Limit: 5})
	if !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("accounts of every user after %v = %v, want %v", base, ids(got), ids(want))
	}
	got = list(t, s, account.Query{After: start, Limit: 2, Status: verification.StatusUnverified, Provider: strategy})
	if !slices.Equal(ids(got), ids(want[:2])) {
		t.Fatalf("first page of 2 = %v, want %v", ids(got), ids(want[:2]))
	}
	c := account.CursorOf(got[1])
	got = list(t, s, account.Query{After: &c, Limit: 3})
	if !slices.Equal(ids(got), ids(want[2:])) {
		t.Fatalf("second page of 3 = %v, want %v", ids(got), ids(want[2:]))
	}
	for _, a := range want {
		mustOK(t, s.Accounts.DeleteAccount(t.Context(), a.ID), "DeleteAccount")
	}
}

// abandoned returns an account that was never verified and whose
// verification expired at expired.
func abandoned(status verification.Status, expired time.Time) *account.ExternalAccount {
	a := newAccount()
	a.Verification.Status = status
	a.Verification.ExpireAt = expired
	a.CreatedAt = expired.Add(-10 * time.Minute)
	a.UpdatedAt = a.CreatedAt
	return a
}

// drain deletes every abandoned account before before, in batches of
// limit, and returns how many.
func drain(t *testing.T, s Stores, before time.Time, limit int) int {
	t.Helper()
	total := 0
	for range 1000 {
		n, err := s.Accounts.DeleteAbandoned(t.Context(), before, limit)
		mustOK(t, err, "DeleteAbandoned")
		if n < 0 || n > limit {
			t.Fatalf("DeleteAbandoned(limit %d) = %d", limit, n)
		}
		total += n
		if n < limit {
			return total
		}
	}
	t.Fatal("DeleteAbandoned never runs dry")
	return 0
}

func exists(t *testing.T, s Stores, id string) bool {
	t.Helper()
	_, err := s.Accounts.GetAccount(t.Context(), id)
	if errors.Is(err, verification.ErrExternalAccountNotFound) {
		return false
	}
	mustOK(t, err, "GetAccount")
	return true
}

func testDeleteAbandoned(t *testing.T, s Stores) {
	ctx := t.Context()
	cutoff := now().Add(-24 * time.Hour)
	long := cutoff.Add(-time.Hour)
	gone := []*account.ExternalAccount{
		create(t, s, abandoned(verification.StatusUnverified, long)),
		create(t, s, abandoned(verification.StatusFailed, long)),
		create(t, s, abandoned(verification.StatusExpired, long)),
	}
	withTokens := gone[0]
	tok := &account.SealedTokens{AccountID: withTokens.ID, Blob: []byte("sealed")}
	mustOK(t, s.Accounts.UpdateAccount(ctx, withTokens, tok), "UpdateAccount with tokens")

	recent := create(t, s, abandoned(verification.StatusUnverified, cutoff.Add(time.Hour)))
	// A verified account keeps its old expiry: it has an identity, it stays.
	old := verified()
	old.Verification.ExpireAt = long
	create(t, s, old)
	// A reauthorization that expired long ago leaves the account: its
	// identity says it was verified once.
	reauth := verified()
	reauth.Verification.Status = verification.StatusExpired
	reauth.Verification.ExpireAt = long
	create(t, s, reauth)

	drain(t, s, cutoff, 1000)
	for _, a := range gone {
		if exists(t, s, a.ID) {
			t.Errorf("abandoned %s account %s is still there", a.Verification.Status, a.ID)
		}
		if slices.Contains(ids(list(t, s, account.Query{UserID: a.UserID})), a.ID) {
			t.Errorf("abandoned account %s still lists", a.ID)
		}
	}
	if s.Tokens != nil {
		_, err := s.Tokens.GetTokens(ctx, withTokens.ID)
		checkCode(t, err, verification.ErrResourceNotFound)
	}
	for _, a := range []*account.ExternalAccount{recent, old, reauth} {
		if !exists(t, s, a.ID) {
			t.Errorf("account %s (%s, identity %q) was deleted", a.ID, a.Verification.Status, a.ProviderUserID)
		}
	}
	// The identity of a kept account still has its one owner.
	got, err := s.Accounts.FindAccountByIdentity(ctx, old.Provider, old.ProviderUserID)
	mustOK(t, err, "FindAccountByIdentity")
	if got.ID != old.ID {
		t.Fatalf("identity owner = %s, want %s", got.ID, old.ID)
	}
}

func testDeleteAbandonedLimit(t *testing.T, s Stores) {
	// A random millisecond in the 1990s that no other test uses: drain
	// what came before it, then count exactly.
	at := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(int64(9*365*24*time.Hour))) / time.Millisecond * time.Millisecond)
	before := at.Add(time.Millisecond)
	drain(t, s, before, 100)
	var made []*account.ExternalAccount
	for range 5 {
		made = append(made, create(t, s, abandoned(verification.StatusUnverified, at)))
	}
	n, err := s.Accounts.DeleteAbandoned(t.Context(), before, 2)
	mustOK(t, err, "DeleteAbandoned")
	if n != 2 {
		t.Fatalf("DeleteAbandoned(limit 2) = %d, want 2", n)
	}
	if got := drain(t, s, before, 100); got != 3 {
		t.Fatalf("then DeleteAbandoned = %d, want 3", got)
	}
	for _, a := range made {
		if exists(t, s, a.ID) {
			t.Fatalf("account %s survived", a.ID)
		}
	}
}

// testDeleteAbandonedRace races the sweep against a callback that verifies
// the account: either the account is gone and the write failed, or the
// write won and the account is kept with its identity. Never a deleted
// account whose identity write succeeded, never a kept one half-written.
func testDeleteAbandonedRace(t *testing.T, s Stores) {
	ctx := context.Background()
	cutoff := now().Add(-time.Hour)
	var kept, deleted int
	for i := range 20 {
		a := create(t, s, abandoned(verification.StatusUnverified, cutoff.Add(-time.Minute)))
		upd := a.Clone()
		upd.ProviderUserID = fmt.Sprintf("sub_race_%d_%s", i, account.NewID(""))
		upd.Verification.Status = verification.StatusVerified
		var updErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			updErr = s.Accounts.UpdateAccount(ctx, upd, nil)
		}()
		go func() {
			defer wg.Done()
			if _, err := s.Accounts.DeleteAbandoned(ctx, cutoff, 1000); err != nil {
				t.Errorf("DeleteAbandoned: %v", err)
			}
		}()
		wg.Wait()
		got, err := s.Accounts.GetAccount(ctx, a.ID)
		switch {
		case updErr == nil:
			mustOK(t, err, "GetAccount after a successful verification")
			if got.ProviderUserID != upd.ProviderUserID {
				t.Fatalf("kept account has identity %q, want %q", got.ProviderUserID, upd.ProviderUserID)
			}
			kept++
		case errors.Is(updErr, verification.ErrExternalAccountNotFound):
			checkCode(t, err, verification.ErrExternalAccountNotFound)
			_, err := s.Accounts.FindAccountByIdentity(ctx, strategy, upd.ProviderUserID)
			checkCode(t, err, verification.ErrExternalAccountNotFound)
			deleted++
		default:
			t.Fatalf("UpdateAccount racing DeleteAbandoned: %v", updErr)
		}
	}
	t.Logf("verification won %d, sweep won %d", kept, deleted)
}

func testFlowDeleteExpired(t *testing.T, s Stores) {
	ctx := t.Context()
	live := newFlow(s, 10*time.Minute)
	mustOK(t, s.Flows.SaveFlow(ctx, live), "SaveFlow")
	past := newFlow(s, -time.Second)
	_ = s.Flows.SaveFlow(ctx, past) // refusing an expired flow is allowed
	var soon *account.Flow
	if s.Advance != nil {
		soon = newFlow(s, time.Minute)
		mustOK(t, s.Flows.SaveFlow(ctx, soon), "SaveFlow")
		s.Advance(61 * time.Second)
	}
	n, err := s.Flows.DeleteExpired(ctx)
	mustOK(t, err, "DeleteExpired")
	if n < 0 {
		t.Fatalf("DeleteExpired = %d", n)
	}
	for _, f := range []*account.Flow{past, soon} {
		if f == nil {
			continue
		}
		_, err := s.Flows.TakeFlow(ctx, f.StateHash)
		checkCode(t, err, verification.ErrResourceNotFound)
	}
	got, err := s.Flows.TakeFlow(ctx, live.StateHash)
	mustOK(t, err, "TakeFlow of a live flow after DeleteExpired")
	checkFlow(t, got, live)
}

func testFlowGet(t *testing.T, s Stores) {
	ctx := t.Context()
	f := newFlow(s, 10*time.Minute)
	f.Kind = account.FlowAttempt
	mustOK(t, s.Flows.SaveFlow(ctx, f), "SaveFlow")
	for range 2 { // reading does not consume
		got, err := s.Flows.GetFlow(ctx, f.StateHash)
		mustOK(t, err, "GetFlow")
		checkFlow(t, got, f)
	}
	got, err := s.Flows.GetFlow(ctx, f.StateHash)
	mustOK(t, err, "GetFlow")
	got.Secrets[0] ^= 0xff // the copy is the caller's
	got, err = s.Flows.TakeFlow(ctx, f.StateHash)
	mustOK(t, err, "TakeFlow after GetFlow")
	checkFlow(t, got, f)
	_, err = s.Flows.GetFlow(ctx, f.StateHash)
	checkCode(t, err, verification.ErrResourceNotFound)
	_, err = s.Flows.GetFlow(ctx, account.NewID("state_"))
	checkCode(t, err, verification.ErrResourceNotFound)

	past := newFlow(s, -time.Second)
	_ = s.Flows.SaveFlow(ctx, past)
	_, err = s.Flows.GetFlow(ctx, past.StateHash)
	checkCode(t, err, verification.ErrResourceNotFound)
	if s.Advance != nil {
		soon := newFlow(s, time.Minute)
		mustOK(t, s.Flows.SaveFlow(ctx, soon), "SaveFlow")
		s.Advance(61 * time.Second)
		_, err = s.Flows.GetFlow(ctx, soon.StateHash)
		checkCode(t, err, verification.ErrResourceNotFound)
	}
}

// testQuery10k pages through 10,000 accounts of one provider while other
// goroutines add and delete accounts of it: every account that exists
// from start to end is seen exactly once, in creation order, and no
// deleted account is seen after its deletion was observed.
func testQuery10k(t *testing.T, s Stores) {
	if testing.Short() {
		t.Skip("10,000 accounts: skipped with -short")
	}
	ctx := t.Context()
	p := freshStrategy()
	base := now().Add(-time.Hour)
	const n = 10_000
	stable := make([]string, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	ids := make(chan int, n)
	for i := range n {
		ids <- i
	}
	close(ids)
	for range 8 {
		wg.Go(func() {
			for i := range ids {
				a := newAccount()
				a.Provider, a.Verification.Strategy = p, p
				a.CreatedAt = base.Add(time.Duration(i) * time.Millisecond / 4) // ties on purpose
				a.UpdatedAt = a.CreatedAt
				if err := s.Accounts.CreateAccount(ctx, a); err != nil {
					t.Errorf("CreateAccount: %v", err)
					return
				}
				mu.Lock()
				stable = append(stable, a.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Churn while paging: accounts created and deleted around the pages.
	done := make(chan struct{})
	var churned []string
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			a := newAccount()
			a.Provider, a.Verification.Strategy = p, p
			a.CreatedAt = base.Add(time.Duration(i%n) * time.Millisecond / 4)
			a.UpdatedAt = a.CreatedAt
			if err := s.Accounts.CreateAccount(ctx, a); err != nil {
				t.Errorf("CreateAccount during paging: %v", err)
				return
			}
			if err := s.Accounts.DeleteAccount(ctx, a.ID); err != nil {
				t.Errorf("DeleteAccount during paging: %v", err)
				return
			}
			mu.Lock()
			churned = append(churned, a.ID)
			mu.Unlock()
		}
	})
	seen := make(map[string]int, n)
	var last *account.ExternalAccount
	q := account.Query{Provider: p, Limit: 100}
	for pages := 0; ; pages++ {
		if pages > 2*n/100 {
			t.Fatal("paging does not end")
		}
		page, err := s.Accounts.ListAccounts(ctx, q)
		mustOK(t, err, "ListAccounts")
		for _, a := range page {
			if last != nil && !account.CursorOf(last).Before(a.CreatedAt, a.ID) {
				t.Fatalf("out of order: %s (%v) after %s (%v)", a.ID, a.CreatedAt, last.ID, last.CreatedAt)
			}
			seen[a.ID]++
			last = a
		}
		if len(page) < q.Limit {
			break
		}
		c := account.CursorOf(page[len(page)-1])
		q.After = &c
	}
	close(done)
	wg.Wait()
	for _, id := range stable {
		if seen[id] != 1 {
			t.Fatalf("account %s seen %d times, want once", id, seen[id])
		}
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("account %s seen %d times", id, k)
		}
	}
	t.Logf("paged %d accounts with %d created and deleted meanwhile", len(seen), len(churned))
	// Clean up: this provider's accounts only.
	for _, id := range stable {
		mustOK(t, s.Accounts.DeleteAccount(context.Background(), id), "DeleteAccount")
	}
}
