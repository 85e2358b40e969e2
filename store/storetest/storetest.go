// Package storetest is the conformance suite every store adapter runs: one
// set of named subtests that proves an adapter keeps the contracts written
// on account.AccountStore, account.TokenStore and account.FlowStore.
//
// An adapter's test is a small harness plus one call:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Stores {
//			s := memstore.New(memstore.Options{})
//			return storetest.Stores{Accounts: s, Tokens: s, Flows: s}
//		})
//	}
//
// The suite never assumes the stores are empty: every subtest uses fresh
// random ids, users and identities, so a harness may hand out one shared
// database. Stores left nil are not tested (a Redis used for flows alone
// sets only Flows). Optional capabilities are declared by the harness:
// Advance (a controllable clock) and Unavailable (stores whose backend is
// down).
package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Stores are the adapters under test and the capabilities their harness
// declares.
type Stores struct {
	Accounts account.AccountStore
	Tokens   account.TokenStore
	Flows    account.FlowStore

	// Now, when set, is the clock the stores use to expire flows; flow
	// fixtures are dated by it. Default: time.Now. A harness with a fake
	// clock must set it.
	Now func() time.Time

	// Advance, when set, moves the clock the stores use to expire flows
	// forward by d. Without it, expiry is tested with flows saved already
	// expired.
	Advance func(d time.Duration)

	// Unavailable, when set, returns stores of the same adapter whose
	// backend is down (closed, stopped or unreachable). Every method must
	// then fail with verification.ErrStoreUnavailable.
	Unavailable func(t *testing.T) Stores
}

// Run runs the conformance suite. newStores is called once per subtest.
func Run(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Helper()
	accountTests := []struct {
		name string
		fn   func(*testing.T, Stores)
	}{
		{"CreateGet", testCreateGet},
		{"RoundTripAllFields", testRoundTrip},
		{"CreateDuplicateID", testCreateDuplicateID},
		{"NotFound", testNotFound},
		{"ListCreationOrder", testListOrder},
		{"FindByIdentity", testFindByIdentity},
		{"IdentityOneOwnerOnCreate", testIdentityOnCreate},
		{"IdentityOneOwner50ConcurrentCreates", testIdentityConcurrentCreates},
		{"IdentityOneOwner50ConcurrentUpdates", testIdentityConcurrentUpdates},
		{"IdentityImmutable", testIdentityImmutable},
		{"UpdateCompareAndSwap", testUpdateCAS},
		{"UpdateCompareAndSwap50Concurrent", testUpdateCASConcurrent},
		{"UpdateWithTokens", testUpdateWithTokens},
		{"DeleteRemovesTokensAndIdentity", testDelete},
		{"ReturnedValuesAreCopies", testCopies},
		{"QueryFiltersAndPages", testQuery},
		{"QueryAcrossUsers", testQueryAcrossUsers},
		{"QueryPages10kUnderChurn", testQuery10k},
		{"DeleteAbandoned", testDeleteAbandoned},
		{"DeleteAbandonedLimit", testDeleteAbandonedLimit},
		{"DeleteAbandonedRacesVerification", testDeleteAbandonedRace},
	}
	tokenTests := []struct {
		name string
		fn   func(*testing.T, Stores)
	}{
		{"TokensCompareAndSwap", testTokensCAS},
		{"TokensNeedAccount", testTokensNeedAccount},
		{"LeaseOneHolder", testLeaseOneHolder},
		{"LeaseOneHolderOf50", testLeaseConcurrent},
		{"LeaseExpires", testLeaseExpires},
		{"LeaseGoesWithAccount", testLeaseGoesWithAccount},
		{"AccountWithTokensInOneRead", testAccountTokens},
	}
	flowTests := []struct {
		name string
		fn   func(*testing.T, Stores)
	}{
		{"FlowSaveTake", testFlowSaveTake},
		{"FlowDuplicate", testFlowDuplicate},
		{"FlowTakenOnceBy50", testFlowTakeConcurrent},
		{"FlowExpiredNeverReturned", testFlowExpired},
		{"FlowDeleteExpired", testFlowDeleteExpired},
		{"FlowGet", testFlowGet},
		{"CreateAccountFlow", testCreateAccountFlow},
		{"UpdateAccountFlow", testUpdateAccountFlow},
		{"UpdateAccountFlowAllOrNothing", testUpdateAccountFlowAllOrNothing},
		{"UpdateAccountFlowTakenOnceBy50", testUpdateAccountFlowTakenOnce},
	}
	for _, tc := range accountTests {
		t.Run("Accounts/"+tc.name, func(t *testing.T) {
			s := newStores(t)
			if s.Accounts == nil {
				t.Skip("harness provides no AccountStore")
			}
			tc.fn(t, s)
		})
	}
	for _, tc := range tokenTests {
		t.Run("Tokens/"+tc.name, func(t *testing.T) {
			s := newStores(t)
			if s.Accounts == nil || s.Tokens == nil {
				t.Skip("harness provides no AccountStore and TokenStore")
			}
			tc.fn(t, s)
		})
	}
	for _, tc := range flowTests {
		t.Run("Flows/"+tc.name, func(t *testing.T) {
			s := newStores(t)
			if s.Flows == nil {
				t.Skip("harness provides no FlowStore")
			}
			tc.fn(t, s)
		})
	}
	t.Run("Unavailable", func(t *testing.T) {
		s := newStores(t)
		if s.Unavailable == nil {
			t.Skip("harness cannot take its backend down")
		}
		testUnavailable(t, s.Unavailable(t))
	})
}

// race runs fn(0) to fn(n-1) in n goroutines released at once, and fails t
// unless exactly one returns nil and all others return lose. It returns the
// winner's index.
func race(t *testing.T, n int, lose *verification.Error, fn func(i int) error) int {
	t.Helper()
	var losses atomic.Int32
	winners := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := fn(i)
			switch {
			case err == nil:
				winners <- i
			case errors.Is(err, lose):
				losses.Add(1)
			default:
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	close(winners)
	if len(winners) != 1 || losses.Load() != int32(n-1) {
		t.Fatalf("%d of %d racers won and %d got %s, want exactly 1 winner", len(winners), n, losses.Load(), lose.Code)
	}
	return <-winners
}

// checkCode fails t unless err matches want by code.
func checkCode(t *testing.T, err error, want *verification.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want code %s", err, want.Code)
	}
}

func mustOK(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

var strategy = verification.MustParseStrategy("oauth_custom_storetest")

// now is a millisecond-precision time for fixtures.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// newAccount returns an unverified account of a fresh user.
func newAccount() *account.ExternalAccount {
	n := now()
	return &account.ExternalAccount{
		ID:               account.NewID(account.AccountIDPrefix),
		UserID:           account.NewID("user_"),
		IdentificationID: account.NewID(account.IdentificationIDPrefix),
		Provider:         strategy,
		Verification: verification.Verification{
			Status:                          verification.StatusUnverified,
			Strategy:                        strategy,
			ExpireAt:                        n.Add(10 * time.Minute),
			ExternalVerificationRedirectURL: "https://idp.example/authorize?x=1",
			FlowKey:                         account.NewID("fk_"),
		},
		CreatedAt: n,
		UpdatedAt: n,
	}
}

// verified returns an account verified for a fresh identity.
func verified() *account.ExternalAccount {
	a := newAccount()
	a.ProviderUserID = account.NewID("sub_")
	a.Verification.Status = verification.StatusVerified
	a.Verification.ExternalVerificationRedirectURL = ""
	a.Verification.FlowKey = ""
	return a
}

func create(t *testing.T, s Stores, a *account.ExternalAccount) *account.ExternalAccount {
	t.Helper()
	mustOK(t, s.Accounts.CreateAccount(t.Context(), a), "CreateAccount")
	return a
}

// normalize makes equal accounts DeepEqual whatever the adapter's encoding:
// times in UTC without monotonic readings, empty collections nil.
func normalize(a *account.ExternalAccount) *account.ExternalAccount {
	c := a.Clone()
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC().Round(0)
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	c.Verification.ExpireAt = utc(c.Verification.ExpireAt)
	if len(c.ApprovedScopes) == 0 {
		c.ApprovedScopes = nil
	}
	if len(c.PublicMetadata) == 0 {
		c.PublicMetadata = nil
	}
	if e := c.Verification.Error; e != nil && len(e.Meta) == 0 {
		e.Meta = nil
	}
	return c
}

func checkEqual(t *testing.T, got, want *account.ExternalAccount) {
	t.Helper()
	g, w := normalize(got), normalize(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("account differs:\n got  %s\n want %s", dump(g), dump(w))
	}
}

func dump(a *account.ExternalAccount) string {
	c := *a
	v := c.Verification
	return fmt.Sprintf("%+v verification=%+v error=%+v", c, v, v.Error)
}

func testCreateGet(t *testing.T, s Stores) {
	a := create(t, s, newAccount())
	if a.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", a.Version)
	}
	got, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, a)

	bad := newAccount()
	bad.Version = 3
	checkCode(t, s.Accounts.CreateAccount(t.Context(), bad), verification.ErrConflict)
}

func testRoundTrip(t *testing.T, s Stores) {
	yes := true
	a := verified()
	a.EmailAddress = "ada@example.com"
	a.EmailAddressVerified = &yes
	a.ApprovedScopes = []string{"openid", "email", "https://www.googleapis.com/auth/drive.readonly"}
	a.FirstName, a.LastName = "Ada", "Lovelace"
	a.AvatarURL = "https://img.example/ada.png"
	a.Username = "ada"
	a.Label = "Work — 工作"
	a.PublicMetadata = map[string]any{"plan": "pro", "seats": float64(3), "flags": []any{true, "x"}, "nested": map[string]any{"a": nil}}
	a.Verification = verification.Verification{
		Status:                          verification.StatusUnverified,
		Strategy:                        strategy,
		Attempts:                        2,
		ExpireAt:                        now().Add(7 * time.Minute),
		Error:                           verification.ErrAccessDenied.WithParam("p").WithLongMessage("long"),
		ExternalVerificationRedirectURL: "https://idp.example/authorize?state=x&scope=a+b",
		FlowKey:                         "3f1a",
	}
	create(t, s, a)
	got, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, a)

	no := false
	got.EmailAddressVerified = &no
	got.Verification.Error = nil
	got.Verification.Status = verification.StatusVerified
	got.PublicMetadata = nil
	mustOK(t, s.Accounts.UpdateAccount(t.Context(), got, nil), "UpdateAccount")
	again, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, again, got)
}

func testCreateDuplicateID(t *testing.T, s Stores) {
	a := create(t, s, newAccount())
	b := newAccount()
	b.ID = a.ID
	checkCode(t, s.Accounts.CreateAccount(t.Context(), b), verification.ErrConflict)
	got, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, a)
}

func testNotFound(t *testing.T, s Stores) {
	ctx := t.Context()
	missing := account.NewID(account.AccountIDPrefix)
	_, err := s.Accounts.GetAccount(ctx, missing)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	_, err = s.Accounts.FindAccountByIdentity(ctx, strategy, account.NewID("sub_"))
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	_, err = s.Accounts.FindAccountByIdentity(ctx, strategy, "")
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	a := newAccount()
	a.ID = missing
	a.Version = 1
	checkCode(t, s.Accounts.UpdateAccount(ctx, a, nil), verification.ErrExternalAccountNotFound)
	mustOK(t, s.Accounts.DeleteAccount(ctx, missing), "DeleteAccount of a missing account")
	list, err := s.Accounts.ListAccounts(ctx, account.Query{UserID: account.NewID("user_")})
	mustOK(t, err, "ListAccounts")
	if len(list) != 0 {
		t.Fatalf("ListAccounts of an unknown user = %d accounts, want 0", len(list))
	}
}

func testListOrder(t *testing.T, s Stores) {
	user := account.NewID("user_")
	base := now().Add(-time.Hour)
	// Created out of order; equal CreatedAt for two, told apart by ID.
	offsets := []time.Duration{3, 1, 4, 0, 2, 2}
	var want []*account.ExternalAccount
	for _, off := range offsets {
		a := newAccount()
		a.UserID = user
		a.CreatedAt = base.Add(off * time.Second)
		a.UpdatedAt = a.CreatedAt
		create(t, s, a)
		want = append(want, a)
	}
	create(t, s, newAccount()) // another user's
	sortAccounts(want)
	got, err := s.Accounts.ListAccounts(t.Context(), account.Query{UserID: user})
	mustOK(t, err, "ListAccounts")
	if len(got) != len(want) {
		t.Fatalf("ListAccounts = %d accounts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Fatalf("ListAccounts[%d] = %s (created %v), want %s (created %v)", i, got[i].ID, got[i].CreatedAt, want[i].ID, want[i].CreatedAt)
		}
		checkEqual(t, got[i], want[i])
	}
}

func sortAccounts(as []*account.ExternalAccount) {
	slices.SortFunc(as, func(a, b *account.ExternalAccount) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}

func testFindByIdentity(t *testing.T, s Stores) {
	a := create(t, s, verified())
	got, err := s.Accounts.FindAccountByIdentity(t.Context(), a.Provider, a.ProviderUserID)
	mustOK(t, err, "FindAccountByIdentity")
	checkEqual(t, got, a)

	other := verification.MustParseStrategy("oauth_custom_storetest_other")
	_, err = s.Accounts.FindAccountByIdentity(t.Context(), other, a.ProviderUserID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)

	// The same provider user id at another provider is another identity.
	b := verified()
	b.Provider, b.Verification.Strategy = other, other
	b.ProviderUserID = a.ProviderUserID
	create(t, s, b)
	got, err = s.Accounts.FindAccountByIdentity(t.Context(), other, a.ProviderUserID)
	mustOK(t, err, "FindAccountByIdentity")
	checkEqual(t, got, b)

	// Unverified accounts have no identity and are not found by one.
	create(t, s, newAccount())
	_, err = s.Accounts.FindAccountByIdentity(t.Context(), strategy, "")
	checkCode(t, err, verification.ErrExternalAccountNotFound)
}

func testIdentityOnCreate(t *testing.T, s Stores) {
	a := create(t, s, verified())
	b := verified()
	b.ProviderUserID = a.ProviderUserID
	checkCode(t, s.Accounts.CreateAccount(t.Context(), b), verification.ErrExternalAccountExists)
	_, err := s.Accounts.GetAccount(t.Context(), b.ID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
}

func testIdentityConcurrentCreates(t *testing.T, s Stores) {
	sub := account.NewID("sub_")
	const n = 50
	accounts := make([]*account.ExternalAccount, n)
	for i := range accounts {
		accounts[i] = verified()
		accounts[i].ProviderUserID = sub
	}
	winner := race(t, n, verification.ErrExternalAccountExists, func(i int) error {
		return s.Accounts.CreateAccount(context.Background(), accounts[i])
	})
	got, err := s.Accounts.FindAccountByIdentity(t.Context(), strategy, sub)
	mustOK(t, err, "FindAccountByIdentity")
	if got.ID != accounts[winner].ID {
		t.Fatalf("identity owned by %s, want the winner %s", got.ID, accounts[winner].ID)
	}
}

func testIdentityConcurrentUpdates(t *testing.T, s Stores) {
	sub := account.NewID("sub_")
	const n = 50
	accounts := make([]*account.ExternalAccount, n)
	for i := range accounts {
		accounts[i] = create(t, s, newAccount())
		accounts[i].ProviderUserID = sub
		accounts[i].Verification.Status = verification.StatusVerified
	}
	race(t, n, verification.ErrExternalAccountExists, func(i int) error {
		return s.Accounts.UpdateAccount(context.Background(), accounts[i], nil)
	})
	owner, err := s.Accounts.FindAccountByIdentity(t.Context(), strategy, sub)
	mustOK(t, err, "FindAccountByIdentity")
	for _, a := range accounts {
		got, err := s.Accounts.GetAccount(t.Context(), a.ID)
		mustOK(t, err, "GetAccount")
		if a.ID == owner.ID {
			if got.ProviderUserID != sub || got.Version != 2 {
				t.Fatalf("owner = %q v%d, want %q v2", got.ProviderUserID, got.Version, sub)
			}
		} else if got.ProviderUserID != "" || got.Version != 1 {
			t.Fatalf("loser %s was changed: identity %q, version %d", a.ID, got.ProviderUserID, got.Version)
		}
	}
}

func testIdentityImmutable(t *testing.T, s Stores) {
	a := create(t, s, verified())
	old := a.ProviderUserID
	a.ProviderUserID = account.NewID("sub_")
	checkCode(t, s.Accounts.UpdateAccount(t.Context(), a, nil), verification.ErrConflict)
	got, err := s.Accounts.FindAccountByIdentity(t.Context(), strategy, old)
	mustOK(t, err, "FindAccountByIdentity")
	if got.ID != a.ID || got.Version != 1 {
		t.Fatalf("identity moved or account changed: %s v%d", got.ID, got.Version)
	}
	_, err = s.Accounts.FindAccountByIdentity(t.Context(), strategy, a.ProviderUserID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
}

func testUpdateCAS(t *testing.T, s Stores) {
	ctx := t.Context()
	a := create(t, s, newAccount())
	first, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	second, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")

	first.Label = "first"
	mustOK(t, s.Accounts.UpdateAccount(ctx, first, nil), "UpdateAccount")
	if first.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", first.Version)
	}
	second.Label = "second"
	checkCode(t, s.Accounts.UpdateAccount(ctx, second, nil), verification.ErrConflict)
	if second.Version != 1 {
		t.Fatalf("a failed update changed the caller's Version to %d", second.Version)
	}
	got, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, first)
}

func testUpdateCASConcurrent(t *testing.T, s Stores) {
	a := create(t, s, newAccount())
	const n = 50
	race(t, n, verification.ErrConflict, func(i int) error {
		c := a.Clone()
		c.Label = fmt.Sprintf("writer %d", i)
		return s.Accounts.UpdateAccount(context.Background(), c, nil)
	})
	got, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	if got.Version != 2 {
		t.Fatalf("Version = %d after one winning update, want 2", got.Version)
	}
}

func testUpdateWithTokens(t *testing.T, s Stores) {
	ctx := t.Context()
	a := create(t, s, newAccount())
	a.ProviderUserID = account.NewID("sub_")
	tok := &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed-1"), UpdatedAt: now()}
	mustOK(t, s.Accounts.UpdateAccount(ctx, a, tok), "UpdateAccount with tokens")
	if tok.Version != 1 {
		t.Fatalf("token Version after first write = %d, want 1", tok.Version)
	}
	if s.Tokens != nil {
		got, err := s.Tokens.GetTokens(ctx, a.ID)
		mustOK(t, err, "GetTokens")
		if string(got.Blob) != "sealed-1" || got.Version != 1 {
			t.Fatalf("GetTokens = %q v%d, want sealed-1 v1", got.Blob, got.Version)
		}
	}
	tok2 := &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed-2"), UpdatedAt: now()}
	mustOK(t, s.Accounts.UpdateAccount(ctx, a, tok2), "UpdateAccount with tokens")
	if tok2.Version != 2 {
		t.Fatalf("token Version after second write = %d, want 2", tok2.Version)
	}
	// A stale account write changes neither the account nor the tokens.
	stale := a.Clone()
	stale.Version = 1
	checkCode(t, s.Accounts.UpdateAccount(ctx, stale, &account.SealedTokens{AccountID: a.ID, Blob: []byte("lost")}), verification.ErrConflict)
	if s.Tokens != nil {
		got, err := s.Tokens.GetTokens(ctx, a.ID)
		mustOK(t, err, "GetTokens")
		if string(got.Blob) != "sealed-2" || got.Version != 2 {
			t.Fatalf("GetTokens = %q v%d, want sealed-2 v2", got.Blob, got.Version)
		}
	}
}

func testDelete(t *testing.T, s Stores) {
	ctx := t.Context()
	a := create(t, s, verified())
	if s.Tokens != nil {
		mustOK(t, s.Tokens.SwapTokens(ctx, &account.SealedTokens{AccountID: a.ID, Blob: []byte("x")}), "SwapTokens")
	}
	mustOK(t, s.Accounts.DeleteAccount(ctx, a.ID), "DeleteAccount")
	_, err := s.Accounts.GetAccount(ctx, a.ID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	_, err = s.Accounts.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	if s.Tokens != nil {
		_, err = s.Tokens.GetTokens(ctx, a.ID)
		checkCode(t, err, verification.ErrResourceNotFound)
	}
	list, err := s.Accounts.ListAccounts(ctx, account.Query{UserID: a.UserID})
	mustOK(t, err, "ListAccounts")
	if len(list) != 0 {
		t.Fatalf("ListAccounts after delete = %d accounts", len(list))
	}
	// The identity is free again.
	b := verified()
	b.ProviderUserID = a.ProviderUserID
	create(t, s, b)
	mustOK(t, s.Accounts.DeleteAccount(ctx, a.ID), "DeleteAccount again")
}

func testCopies(t *testing.T, s Stores) {
	a := verified()
	a.ApprovedScopes = []string{"a"}
	a.PublicMetadata = map[string]any{"k": "v"}
	create(t, s, a)
	a.ApprovedScopes[0] = "changed after create"
	a.PublicMetadata["k"] = "changed after create"
	got, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	if got.ApprovedScopes[0] != "a" || got.PublicMetadata["k"] != "v" {
		t.Fatalf("store kept a reference to the caller's account: %v %v", got.ApprovedScopes, got.PublicMetadata)
	}
	got.ApprovedScopes[0] = "changed after get"
	again, err := s.Accounts.GetAccount(t.Context(), a.ID)
	mustOK(t, err, "GetAccount")
	if again.ApprovedScopes[0] != "a" {
		t.Fatalf("store returned a shared account: %v", again.ApprovedScopes)
	}
}

func testTokensCAS(t *testing.T, s Stores) {
	ctx := t.Context()
	a := create(t, s, verified())
	_, err := s.Tokens.GetTokens(ctx, a.ID)
	checkCode(t, err, verification.ErrResourceNotFound)

	t1 := &account.SealedTokens{AccountID: a.ID, Blob: []byte{0, 1, 2, 255}, UpdatedAt: now()}
	mustOK(t, s.Tokens.SwapTokens(ctx, t1), "SwapTokens from version 0")
	if t1.Version != 1 {
		t.Fatalf("Version = %d, want 1", t1.Version)
	}
	checkCode(t, s.Tokens.SwapTokens(ctx, &account.SealedTokens{AccountID: a.ID, Blob: []byte("stale")}), verification.ErrConflict)
	t2 := &account.SealedTokens{AccountID: a.ID, Blob: []byte("second"), Version: 1, UpdatedAt: now()}
	mustOK(t, s.Tokens.SwapTokens(ctx, t2), "SwapTokens from version 1")
	got, err := s.Tokens.GetTokens(ctx, a.ID)
	mustOK(t, err, "GetTokens")
	if string(got.Blob) != "second" || got.Version != 2 || got.AccountID != a.ID {
		t.Fatalf("GetTokens = %q v%d for %s", got.Blob, got.Version, got.AccountID)
	}

	// 50 refreshers race from one version: exactly one wins.
	race(t, 50, verification.ErrConflict, func(i int) error {
		return s.Tokens.SwapTokens(context.Background(), &account.SealedTokens{AccountID: a.ID, Blob: fmt.Appendf(nil, "refresh %d", i), Version: 2})
	})
}

func testTokensNeedAccount(t *testing.T, s Stores) {
	missing := account.NewID(account.AccountIDPrefix)
	checkCode(t, s.Tokens.SwapTokens(t.Context(), &account.SealedTokens{AccountID: missing, Blob: []byte("x")}), verification.ErrExternalAccountNotFound)
	_, err := s.Tokens.GetTokens(t.Context(), missing)
	checkCode(t, err, verification.ErrResourceNotFound)
}

// newFlow returns a flow living ttl from the stores' clock.
func newFlow(s Stores, ttl time.Duration) *account.Flow {
	n := now()
	if s.Now != nil {
		n = s.Now().UTC().Truncate(time.Millisecond)
	}
	return &account.Flow{
		StateHash:   account.NewID("state_"),
		Kind:        account.FlowConnect,
		UserID:      account.NewID("user_"),
		AccountID:   account.NewID(account.AccountIDPrefix),
		Strategy:    strategy,
		Secrets:     append([]byte{0, 1, 0xff, '\'', '\\'}, account.NewID("sealed-")...),
		RedirectURL: "/settings?tab=accounts",
		Scopes:      []string{"openid", "email"},
		Prompt:      "select_account consent",
		LoginHint:   "ada@example.com",
		Offline:     true,
		BindingHash: "b1nd",
		CreatedAt:   n,
		ExpiresAt:   n.Add(ttl),
	}
}

func checkFlow(t *testing.T, got, want *account.Flow) {
	t.Helper()
	g, w := *got, *want
	if !g.CreatedAt.Equal(w.CreatedAt) || !g.ExpiresAt.Equal(w.ExpiresAt) {
		t.Fatalf("flow times = %v/%v, want %v/%v", g.CreatedAt, g.ExpiresAt, w.CreatedAt, w.ExpiresAt)
	}
	g.CreatedAt, g.ExpiresAt, w.CreatedAt, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("flow differs:\n got  %+v\n want %+v", g, w)
	}
}

func testFlowSaveTake(t *testing.T, s Stores) {
	ctx := t.Context()
	f := newFlow(s, 10*time.Minute)
	mustOK(t, s.Flows.SaveFlow(ctx, f), "SaveFlow")
	got, err := s.Flows.TakeFlow(ctx, f.StateHash)
	mustOK(t, err, "TakeFlow")
	checkFlow(t, got, f)
	_, err = s.Flows.TakeFlow(ctx, f.StateHash)
	checkCode(t, err, verification.ErrResourceNotFound)
	_, err = s.Flows.TakeFlow(ctx, account.NewID("state_"))
	checkCode(t, err, verification.ErrResourceNotFound)

	plain := newFlow(s, time.Minute) // an OAuth 2.0 flow: no nonce, no binding
	plain.BindingHash, plain.Kind = "", account.FlowReauthorize
	plain.Prompt, plain.LoginHint, plain.Offline = "", "", false
	mustOK(t, s.Flows.SaveFlow(ctx, plain), "SaveFlow")
	got, err = s.Flows.TakeFlow(ctx, plain.StateHash)
	mustOK(t, err, "TakeFlow")
	checkFlow(t, got, plain)
}

func testFlowDuplicate(t *testing.T, s Stores) {
	ctx := t.Context()
	f := newFlow(s, 10*time.Minute)
	mustOK(t, s.Flows.SaveFlow(ctx, f), "SaveFlow")
	dup := newFlow(s, 10*time.Minute)
	dup.StateHash = f.StateHash
	checkCode(t, s.Flows.SaveFlow(ctx, dup), verification.ErrConflict)
	got, err := s.Flows.TakeFlow(ctx, f.StateHash)
	mustOK(t, err, "TakeFlow")
	checkFlow(t, got, f)
}

func testFlowTakeConcurrent(t *testing.T, s Stores) {
	f := newFlow(s, 10*time.Minute)
	mustOK(t, s.Flows.SaveFlow(t.Context(), f), "SaveFlow")
	race(t, 50, verification.ErrResourceNotFound, func(int) error {
		got, err := s.Flows.TakeFlow(context.Background(), f.StateHash)
		if err == nil && !slices.Equal(got.Secrets, f.Secrets) {
			t.Errorf("taken flow has other secrets")
		}
		return err
	})
}

func testFlowExpired(t *testing.T, s Stores) {
	ctx := t.Context()
	past := newFlow(s, -time.Second)
	if err := s.Flows.SaveFlow(ctx, past); err != nil {
		// Refusing to store an expired flow is allowed; returning one is not.
		t.Logf("SaveFlow of an expired flow: %v", err)
	}
	_, err := s.Flows.TakeFlow(ctx, past.StateHash)
	checkCode(t, err, verification.ErrResourceNotFound)

	if s.Advance == nil {
		return
	}
	f := newFlow(s, time.Minute)
	mustOK(t, s.Flows.SaveFlow(ctx, f), "SaveFlow")
	s.Advance(61 * time.Second)
	_, err = s.Flows.TakeFlow(ctx, f.StateHash)
	checkCode(t, err, verification.ErrResourceNotFound)
}

func testUnavailable(t *testing.T, s Stores) {
	ctx := t.Context()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, verification.ErrStoreUnavailable) {
			t.Errorf("%s on a down backend: %v, want store_unavailable", what, err)
		}
	}
	if s.Accounts != nil {
		a := newAccount()
		check("CreateAccount", s.Accounts.CreateAccount(ctx, a))
		_, err := s.Accounts.GetAccount(ctx, a.ID)
		check("GetAccount", err)
		_, err = s.Accounts.ListAccounts(ctx, account.Query{UserID: a.UserID})
		check("ListAccounts", err)
		_, err = s.Accounts.ListAccounts(ctx, account.Query{Status: verification.StatusUnverified, Limit: 10})
		check("ListAccounts across users", err)
		_, err = s.Accounts.DeleteAbandoned(ctx, now(), 10)
		check("DeleteAbandoned", err)
		_, err = s.Accounts.FindAccountByIdentity(ctx, strategy, "sub")
		check("FindAccountByIdentity", err)
		a.Version = 1
		check("UpdateAccount", s.Accounts.UpdateAccount(ctx, a, nil))
		check("DeleteAccount", s.Accounts.DeleteAccount(ctx, a.ID))
	}
	if s.Tokens != nil {
		_, err := s.Tokens.GetTokens(ctx, "eac_x")
		check("GetTokens", err)
		check("SwapTokens", s.Tokens.SwapTokens(ctx, &account.SealedTokens{AccountID: "eac_x", Blob: []byte("x")}))
		_, err = s.Tokens.LeaseTokens(ctx, "eac_x", "h", now(), time.Second)
		check("LeaseTokens", err)
		check("ReleaseTokens", s.Tokens.ReleaseTokens(ctx, "eac_x", "h"))
	}
	if s.Flows != nil {
		check("SaveFlow", s.Flows.SaveFlow(ctx, newFlow(s, time.Minute)))
		_, err := s.Flows.TakeFlow(ctx, "x")
		check("TakeFlow", err)
		_, err = s.Flows.GetFlow(ctx, "x")
		check("GetFlow", err)
		if _, err := s.Flows.DeleteExpired(ctx); err != nil {
			check("DeleteExpired", err)
		}
	}
}
