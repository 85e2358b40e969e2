package redisstore_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/verification"
)

// The crash tests interrupt each operation that writes to more than one hash
// slot after each of its steps: a faults hook lets the first n round trips
// through and fails every later one without sending it, as if the process
// died there. Then a Store of a fresh process (no cache) and the crashed one
// read, and must see either the operation not done or done; then the
// operation is retried, or abandoned and another writer takes over after
// the claim timeout.
//
//	CreateAccount (with identity)  1 claim identity  2 user index    3 record
//	UpdateAccount (claims)         1 claim identity  2 record+tokens
//	DeleteAccount                  1 record+tokens   2 identity + user index
//	taking over a dead claim       1 read entry      2 fence account 3 swap entry    4 record
//	a reader removing it           1 read entry      2 fence account 3 delete entry
//
// TestDelayedWritesAreFenced covers the other half: a write that did not
// crash but arrives late.

// crashEnv is one backend armed for crashes.
type crashEnv struct {
	t      *testing.T
	b      backend
	faults *faults
	clock  *fakeClock
	prefix string
	opts   redisstore.Options
}

func newCrashEnv(t *testing.T, b backend) *crashEnv {
	e := &crashEnv{t: t, b: b, faults: &faults{budget: -1}, clock: newClock(), prefix: testPrefix(t, b.rdb)}
	b.rdb.AddHook(e.faults)
	e.opts = redisstore.Options{Prefix: e.prefix, Now: e.clock.Now}
	if err := redisstore.LoadScripts(t.Context(), e.store()); err != nil {
		t.Fatal(err)
	}
	return e
}

// store returns a Store as a fresh process would have it.
func (e *crashEnv) store() *redisstore.Store { return mustNew(e.b.rdb, e.opts) }

// crash runs op with only n round trips let through and checks that it
// failed with store_unavailable.
func (e *crashEnv) crash(n int, what string, op func() error) {
	e.t.Helper()
	e.faults.arm(n)
	err := op()
	e.faults.disarm()
	if !errors.Is(err, verification.ErrStoreUnavailable) || !errors.Is(err, errInjected) {
		e.t.Fatalf("%s crashed after step %d: %v, want store_unavailable wrapping the injected failure", what, n, err)
	}
}

// pastClaimTimeout moves the Store's clock past the claim timeout.
func (e *crashEnv) pastClaimTimeout() { e.clock.Advance(redisstore.DefaultClaimTimeout + time.Second) }

// keys returns the Store's keys, without the prefix and sorted, with ids
// replaced by names.
func (e *crashEnv) keys(names map[string]string) []string {
	ks := keysWithPrefix(e.t, e.b.rdb, e.prefix)
	for i, k := range ks {
		for id, name := range names {
			k = strings.ReplaceAll(k, id, name)
		}
		ks[i] = k
	}
	slices.Sort(ks)
	return ks
}

// The cross-user indexes (accounts:{all}, accounts:{pending}) are left out:
// they are shared by every account, their entries are pointers readers
// verify, and the conformance suite's listing and sweep cases prove them.
func (e *crashEnv) checkKeys(names map[string]string, want ...string) {
	e.t.Helper()
	slices.Sort(want)
	got := slices.DeleteFunc(e.keys(names), func(k string) bool { return strings.HasPrefix(k, "accounts:{") })
	if !slices.Equal(got, want) {
		e.t.Fatalf("keys = %q, want %q", got, want)
	}
}

// state is what a reader sees of one account.
type state struct {
	get, find, list string // "absent", or the version seen
	tokens          string
}

func (e *crashEnv) read(s *redisstore.Store, a *account.ExternalAccount) state {
	e.t.Helper()
	ctx := e.t.Context()
	var st state
	got, err := s.GetAccount(ctx, a.ID)
	st.get = e.outcome("GetAccount", got, err, verification.ErrExternalAccountNotFound)
	got, err = s.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
	if err == nil && got.ID != a.ID {
		st.find = "another account"
	} else {
		st.find = e.outcome("FindAccountByIdentity", got, err, verification.ErrExternalAccountNotFound)
	}
	list, err := s.ListAccounts(ctx, account.Query{UserID: a.UserID})
	if err != nil {
		e.t.Fatalf("ListAccounts: %v", err)
	}
	switch len(list) {
	case 0:
		st.list = "absent"
	case 1:
		st.list = fmt.Sprintf("v%d", list[0].Version)
	default:
		e.t.Fatalf("ListAccounts = %d accounts, want at most 1", len(list))
	}
	tk, err := s.GetTokens(ctx, a.ID)
	switch {
	case errors.Is(err, verification.ErrResourceNotFound):
		st.tokens = "absent"
	case err != nil:
		e.t.Fatalf("GetTokens: %v", err)
	default:
		st.tokens = fmt.Sprintf("v%d", tk.Version)
	}
	return st
}

func (e *crashEnv) outcome(what string, a *account.ExternalAccount, err error, notFound error) string {
	e.t.Helper()
	switch {
	case errors.Is(err, notFound):
		return "absent"
	case err != nil:
		e.t.Fatalf("%s: %v", what, err)
	}
	return fmt.Sprintf("v%d", a.Version)
}

// checkReads checks that the crashed Store and a fresh one read want.
func (e *crashEnv) checkReads(crashed *redisstore.Store, a *account.ExternalAccount, want state) {
	e.t.Helper()
	for name, s := range map[string]*redisstore.Store{"crashed Store": crashed, "fresh Store": e.store()} {
		if got := e.read(s, a); got != want {
			e.t.Fatalf("%s reads %+v, want %+v", name, got, want)
		}
	}
}

func TestCrashCreateAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for n := range 3 {
			t.Run(fmt.Sprintf("after step %d", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				s := e.store()
				a := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), account.NewID("sub_"))
				e.crash(n, "CreateAccount", func() error { return s.CreateAccount(ctx, a) })
				absent := state{get: "absent", find: "absent", list: "absent", tokens: "absent"}
				e.checkReads(s, a, absent)

				// Within the claim timeout the crashed create may still be
				// in flight: another account cannot take the identity yet.
				rival := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), a.ProviderUserID)
				if n >= 1 {
					checkCode(t, e.store().CreateAccount(ctx, rival.Clone()), verification.ErrExternalAccountExists)
				}

				// The retry succeeds and leaves exactly the keys of one account.
				mustOK(t, s.CreateAccount(ctx, a), "retried CreateAccount")
				e.checkReads(s, a, state{get: "v1", find: "v1", list: "v1", tokens: "absent"})
				e.checkKeys(map[string]string{a.ID: "A", a.UserID: "U", a.ProviderUserID: "SUB"},
					"account:{A}", "identity:{oauth_custom_redisstore:SUB}", "user:{U}")
			})
			t.Run(fmt.Sprintf("after step %d, abandoned", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				s := e.store()
				a := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), account.NewID("sub_"))
				e.crash(n, "CreateAccount", func() error { return s.CreateAccount(ctx, a) })

				// Past the claim timeout another account takes the
				// identity; the abandoned create, retried late, fails
				// cleanly, and reads prune what it left.
				e.pastClaimTimeout()
				rival := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), a.ProviderUserID)
				mustOK(t, e.store().CreateAccount(ctx, rival), "rival CreateAccount")
				if n >= 1 {
					checkCode(t, s.CreateAccount(ctx, a.Clone()), verification.ErrExternalAccountExists)
				}
				e.checkReads(s, a, state{get: "absent", find: "another account", list: "absent", tokens: "absent"})
				names := map[string]string{a.ID: "A", a.UserID: "U", rival.ID: "R", rival.UserID: "RU", a.ProviderUserID: "SUB"}
				want := []string{"account:{R}", "identity:{oauth_custom_redisstore:SUB}", "user:{RU}"}
				if n >= 1 {
					want = append(want, "account:{A}") // the tombstone that fenced the create
				}
				e.checkKeys(names, want...)
			})
		}
	})
}

func TestCrashUpdateAccountClaim(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for n := range 2 {
			setup := func(t *testing.T) (*crashEnv, *redisstore.Store, *account.ExternalAccount) {
				e := newCrashEnv(t, b)
				s := e.store()
				a := unverifiedAccount(account.NewID("user_"), e.clock.Now())
				mustOK(t, s.CreateAccount(t.Context(), a), "CreateAccount")
				v := verify(a, account.NewID("sub_"))
				e.crash(n, "UpdateAccount", func() error { return s.UpdateAccount(t.Context(), v.Clone(), sealed(v)) })
				return e, s, v
			}
			t.Run(fmt.Sprintf("after step %d", n), func(t *testing.T) {
				e, s, v := setup(t)
				ctx := t.Context()
				// The account is as before: unverified, version 1, no
				// tokens, its identity owned by nobody.
				e.checkReads(s, v, state{get: "v1", find: "absent", list: "v1", tokens: "absent"})
				got, err := s.GetAccount(ctx, v.ID)
				mustOK(t, err, "GetAccount")
				if got.ProviderUserID != "" || got.Verification.Status != verification.StatusUnverified {
					t.Fatalf("half-written account: identity %q, status %s", got.ProviderUserID, got.Verification.Status)
				}
				// The retry succeeds.
				tk := sealed(v)
				mustOK(t, s.UpdateAccount(ctx, v, tk), "retried UpdateAccount")
				if v.Version != 2 || tk.Version != 1 {
					t.Fatalf("versions after retry: account %d tokens %d, want 2 and 1", v.Version, tk.Version)
				}
				e.checkReads(s, v, state{get: "v2", find: "v2", list: "v2", tokens: "v1"})
			})
			t.Run(fmt.Sprintf("after step %d, abandoned", n), func(t *testing.T) {
				e, s, v := setup(t)
				ctx := t.Context()
				rival := unverifiedAccount(account.NewID("user_"), e.clock.Now())
				mustOK(t, e.store().CreateAccount(ctx, rival), "rival CreateAccount")
				rv := verify(rival, v.ProviderUserID)
				if n >= 1 {
					// The crashed claim may still be in flight.
					checkCode(t, e.store().UpdateAccount(ctx, rv.Clone(), nil), verification.ErrExternalAccountExists)
				}
				e.pastClaimTimeout()
				mustOK(t, e.store().UpdateAccount(ctx, rv, nil), "rival UpdateAccount")
				// The abandoned write, retried late, is refused; the
				// account it was for stays unverified (fenced: its version
				// moved on when the claim was taken over).
				checkCode(t, s.UpdateAccount(ctx, v.Clone(), sealed(v)), verification.ErrExternalAccountExists)
				got, err := e.store().GetAccount(ctx, v.ID)
				mustOK(t, err, "GetAccount")
				if got.ProviderUserID != "" {
					t.Fatalf("abandoned account took the identity")
				}
				owner, err := e.store().FindAccountByIdentity(ctx, v.Provider, v.ProviderUserID)
				mustOK(t, err, "FindAccountByIdentity")
				if owner.ID != rival.ID {
					t.Fatalf("identity owned by %s, want the rival %s", owner.ID, rival.ID)
				}
			})
		}
	})
}

func TestCrashDeleteAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		for n := range 2 {
			t.Run(fmt.Sprintf("after step %d", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				s := e.store()
				a := unverifiedAccount(account.NewID("user_"), e.clock.Now())
				mustOK(t, s.CreateAccount(ctx, a), "CreateAccount")
				a = verify(a, account.NewID("sub_"))
				mustOK(t, s.UpdateAccount(ctx, a, sealed(a)), "UpdateAccount")
				names := map[string]string{a.ID: "A", a.UserID: "U", a.ProviderUserID: "SUB"}

				e.crash(n, "DeleteAccount", func() error { return s.DeleteAccount(ctx, a.ID) })
				if n == 0 {
					e.checkReads(s, a, state{get: "v2", find: "v2", list: "v2", tokens: "v1"})
				} else {
					// The account and its tokens are gone at once; the index
					// entries left behind are read as absent and repaired by
					// the reads themselves.
					e.checkReads(s, a, state{get: "absent", find: "absent", list: "absent", tokens: "absent"})
					e.checkKeys(names, "account:{A}") // the tombstone
					// The identity is free at once: no claim timeout to wait.
					other := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), a.ProviderUserID)
					mustOK(t, e.store().CreateAccount(ctx, other), "CreateAccount of the freed identity")
					mustOK(t, e.store().DeleteAccount(ctx, other.ID), "DeleteAccount")
					names[other.ID] = "O"
				}
				// The retry succeeds and leaves only tombstones.
				mustOK(t, s.DeleteAccount(ctx, a.ID), "retried DeleteAccount")
				e.checkReads(s, a, state{get: "absent", find: "absent", list: "absent", tokens: "absent"})
				want := []string{"account:{A}"}
				if n == 1 {
					want = append(want, "account:{O}")
				}
				e.checkKeys(names, want...)
			})
			t.Run(fmt.Sprintf("after step %d, retried at once", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				s := e.store()
				a := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), account.NewID("sub_"))
				mustOK(t, s.CreateAccount(ctx, a), "CreateAccount")
				e.crash(n, "DeleteAccount", func() error { return s.DeleteAccount(ctx, a.ID) })
				// No read in between: the retry alone cleans up.
				mustOK(t, s.DeleteAccount(ctx, a.ID), "retried DeleteAccount")
				e.checkKeys(map[string]string{a.ID: "A"}, "account:{A}")
			})
		}
	})
}

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

// TestDelayedWritesAreFenced is the race the fences exist for: a write that
// claimed an identity (or an index entry) is delayed past the claim timeout,
// another writer repairs the entry and takes over, and then the delayed
// write arrives. It must fail, and never leave two accounts carrying one
// identity or an account the user index does not list.
func TestDelayedWritesAreFenced(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		t.Run("UpdateAccount", func(t *testing.T) {
			e := newCrashEnv(t, b)
			ctx := t.Context()
			a := unverifiedAccount(account.NewID("user_"), e.clock.Now())
			rival := unverifiedAccount(account.NewID("user_"), e.clock.Now())
			mustOK(t, e.store().CreateAccount(ctx, a), "CreateAccount")
			mustOK(t, e.store().CreateAccount(ctx, rival), "CreateAccount")
			sub := account.NewID("sub_")

			g := newGate(evalOn(a.ID)) // a's commit, after its claim
			b.rdb.AddHook(g)
			done := make(chan error)
			go func() { done <- e.store().UpdateAccount(ctx, verify(a, sub), sealed(a)) }()
			<-g.reached

			e.pastClaimTimeout()
			mustOK(t, e.store().UpdateAccount(ctx, verify(rival, sub), nil), "rival UpdateAccount")
			g.open()
			checkCode(t, <-done, verification.ErrConflict)

			got, err := e.store().GetAccount(ctx, a.ID)
			mustOK(t, err, "GetAccount")
			if got.ProviderUserID != "" {
				t.Fatal("the delayed write gave a second account the identity")
			}
			if _, err := e.store().GetTokens(ctx, a.ID); !errors.Is(err, verification.ErrResourceNotFound) {
				t.Fatalf("the delayed write stored tokens: %v", err)
			}
			owner, err := e.store().FindAccountByIdentity(ctx, strategy, sub)
			mustOK(t, err, "FindAccountByIdentity")
			if owner.ID != rival.ID {
				t.Fatalf("identity owned by %s, want %s", owner.ID, rival.ID)
			}
		})
		t.Run("CreateAccount", func(t *testing.T) {
			e := newCrashEnv(t, b)
			ctx := t.Context()
			sub := account.NewID("sub_")
			a := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), sub)

			g := newGate(evalOn("account:{" + a.ID)) // a's record, after its claim and index entry
			b.rdb.AddHook(g)
			done := make(chan error)
			go func() { done <- e.store().CreateAccount(ctx, a.Clone()) }()
			<-g.reached

			e.pastClaimTimeout()
			rival := verify(unverifiedAccount(account.NewID("user_"), e.clock.Now()), sub)
			mustOK(t, e.store().CreateAccount(ctx, rival), "rival CreateAccount")
			g.open()
			checkCode(t, <-done, verification.ErrExternalAccountExists)
			e.checkReads(e.store(), a, state{get: "absent", find: "another account", list: "absent", tokens: "absent"})
		})
		t.Run("ListAccounts prunes a create in flight", func(t *testing.T) {
			e := newCrashEnv(t, b)
			ctx := t.Context()
			a := unverifiedAccount(account.NewID("user_"), e.clock.Now())

			g := newGate(evalOn("account:{" + a.ID))
			b.rdb.AddHook(g)
			done := make(chan error)
			go func() { done <- e.store().CreateAccount(ctx, a.Clone()) }()
			<-g.reached

			e.pastClaimTimeout()
			list, err := e.store().ListAccounts(ctx, account.Query{UserID: a.UserID}) // prunes the entry
			mustOK(t, err, "ListAccounts")
			if len(list) != 0 {
				t.Fatalf("ListAccounts = %d accounts, want 0", len(list))
			}
			g.open()
			checkCode(t, <-done, verification.ErrConflict)
			e.checkReads(e.store(), a, state{get: "absent", find: "absent", list: "absent", tokens: "absent"})
			e.checkKeys(map[string]string{a.ID: "A"}, "account:{A}")
		})
	})
}

// TestCrashTakeover interrupts the repairs, which write to two slots too: a
// writer taking over an abandoned claim (1 read the entry, 2 check and
// fence the abandoned account, 3 swap the entry, 4 write its own account)
// and a reader removing it (1 read the entry, 2 check and fence, 3 delete
// the entry). Whatever step they stop after, the identity is owned by
// nobody or by the taker, and a retry succeeds.
func TestCrashTakeover(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		// abandoned leaves a claimed by an UpdateAccount that crashed
		// after its claim, and moves the clock past the claim timeout.
		abandoned := func(t *testing.T, e *crashEnv) *account.ExternalAccount {
			a := unverifiedAccount(account.NewID("user_"), e.clock.Now())
			mustOK(t, e.store().CreateAccount(t.Context(), a), "CreateAccount")
			v := verify(a, account.NewID("sub_"))
			e.crash(1, "UpdateAccount", func() error { return e.store().UpdateAccount(t.Context(), v.Clone(), nil) })
			e.pastClaimTimeout()
			return v
		}
		for n := range 4 {
			t.Run(fmt.Sprintf("writer after step %d", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				a := abandoned(t, e)
				rival := unverifiedAccount(account.NewID("user_"), e.clock.Now())
				mustOK(t, e.store().CreateAccount(ctx, rival), "CreateAccount")
				rv := verify(rival, a.ProviderUserID)
				e.crash(n, "UpdateAccount taking over", func() error { return e.store().UpdateAccount(ctx, rv.Clone(), nil) })
				_, err := e.store().FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
				checkCode(t, err, verification.ErrExternalAccountNotFound)
				mustOK(t, e.store().UpdateAccount(ctx, rv, nil), "retried takeover")
				owner, err := e.store().FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
				mustOK(t, err, "FindAccountByIdentity")
				if owner.ID != rival.ID {
					t.Fatalf("identity owned by %s, want %s", owner.ID, rival.ID)
				}
				got, err := e.store().GetAccount(ctx, a.ID)
				mustOK(t, err, "GetAccount")
				if got.ProviderUserID != "" {
					t.Fatal("the abandoned account carries the identity")
				}
			})
		}
		for n := range 3 {
			t.Run(fmt.Sprintf("reader after step %d", n), func(t *testing.T) {
				e := newCrashEnv(t, b)
				ctx := t.Context()
				a := abandoned(t, e)
				// The repair is best effort: a reader whose answer is known
				// (not found) returns it even when the repair fails.
				e.faults.arm(n)
				_, err := e.store().FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
				e.faults.disarm()
				if !errors.Is(err, verification.ErrExternalAccountNotFound) && !errors.Is(err, verification.ErrStoreUnavailable) {
					t.Fatalf("FindAccountByIdentity crashed after step %d: %v", n, err)
				}
				_, err = e.store().FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
				checkCode(t, err, verification.ErrExternalAccountNotFound)
				// The repair is complete: only the account's keys are left.
				e.checkKeys(map[string]string{a.ID: "A", a.UserID: "U"}, "account:{A}", "user:{U}")
				// And the abandoned account can still verify.
				got, err := e.store().GetAccount(ctx, a.ID)
				mustOK(t, err, "GetAccount")
				mustOK(t, e.store().UpdateAccount(ctx, verify(got, a.ProviderUserID), nil), "UpdateAccount")
			})
		}
	})
}
