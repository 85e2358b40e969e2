package storetest

import (
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// The FlowWriter tests run when the harness's Accounts store implements
// account.FlowWriter and is also its Flows store.

func flowWriter(t *testing.T, s Stores) account.FlowWriter {
	t.Helper()
	fw, ok := s.Accounts.(account.FlowWriter)
	if !ok || s.Flows == nil || any(s.Flows) != any(s.Accounts) {
		t.Skip("the harness's stores do not write accounts and flows together (account.FlowWriter)")
	}
	return fw
}

// flowOf returns a flow of a, as a connect would save it.
func flowOf(s Stores, a *account.ExternalAccount) *account.Flow {
	f := newFlow(s, 10*time.Minute)
	f.UserID, f.AccountID = a.UserID, a.ID
	return f
}

// checkNoFlow fails t unless no flow is stored under key.
func checkNoFlow(t *testing.T, s Stores, key string) {
	t.Helper()
	_, err := s.Flows.GetFlow(t.Context(), key)
	checkCode(t, err, verification.ErrResourceNotFound)
}

func testCreateAccountFlow(t *testing.T, s Stores) {
	ctx := t.Context()
	fw := flowWriter(t, s)
	a := newAccount()
	f := flowOf(s, a)
	mustOK(t, fw.CreateAccountFlow(ctx, a, f), "CreateAccountFlow")
	if a.Version != 1 {
		t.Fatalf("version after CreateAccountFlow = %d, want 1", a.Version)
	}
	got, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, a)
	gf, err := s.Flows.GetFlow(ctx, f.StateHash)
	mustOK(t, err, "GetFlow")
	checkFlow(t, gf, f)

	// Neither is stored when one cannot be: an account id taken...
	dup := newAccount()
	dup.ID = a.ID
	df := flowOf(s, dup)
	checkCode(t, fw.CreateAccountFlow(ctx, dup, df), verification.ErrConflict)
	checkNoFlow(t, s, df.StateHash)

	// ... an identity taken...
	owner := create(t, s, verified())
	twin := newAccount()
	twin.ProviderUserID = owner.ProviderUserID
	tf := flowOf(s, twin)
	checkCode(t, fw.CreateAccountFlow(ctx, twin, tf), verification.ErrExternalAccountExists)
	checkNoFlow(t, s, tf.StateHash)

	// ... or a flow key in use.
	other := newAccount()
	of := flowOf(s, other)
	of.StateHash = f.StateHash
	checkCode(t, fw.CreateAccountFlow(ctx, other, of), verification.ErrConflict)
	_, err = s.Accounts.GetAccount(ctx, other.ID)
	checkCode(t, err, verification.ErrExternalAccountNotFound)
	gf, err = s.Flows.GetFlow(ctx, f.StateHash)
	mustOK(t, err, "GetFlow of the first flow")
	checkFlow(t, gf, f)
}

// pendingAccount creates an unverified account with its flow, the way
// Connect leaves them.
func pendingAccount(t *testing.T, s Stores, fw account.FlowWriter) (*account.ExternalAccount, *account.Flow) {
	t.Helper()
	a := newAccount()
	f := flowOf(s, a)
	a.Verification.FlowKey = f.StateHash
	mustOK(t, fw.CreateAccountFlow(t.Context(), a, f), "CreateAccountFlow")
	return a, f
}

func testUpdateAccountFlow(t *testing.T, s Stores) {
	ctx := t.Context()
	fw := flowWriter(t, s)

	// The callback's write: the flow taken, the account verified with its
	// tokens.
	a, f := pendingAccount(t, s, fw)
	next := a.Clone()
	next.ProviderUserID = account.NewID("sub_")
	next.Verification.Status = verification.StatusVerified
	next.Verification.FlowKey, next.Verification.ExternalVerificationRedirectURL = "", ""
	tok := &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed-1")}
	mustOK(t, fw.UpdateAccountFlow(ctx, f.StateHash, next, tok, nil), "UpdateAccountFlow")
	if next.Version != 2 || tok.Version != 1 {
		t.Fatalf("versions after UpdateAccountFlow: account %d (want 2), tokens %d (want 1)", next.Version, tok.Version)
	}
	checkNoFlow(t, s, f.StateHash)
	got, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, next)
	st, err := s.Tokens.GetTokens(ctx, a.ID)
	mustOK(t, err, "GetTokens")
	if string(st.Blob) != "sealed-1" {
		t.Fatalf("tokens = %q, want sealed-1", st.Blob)
	}

	// The same take again (a replayed callback): the flow is gone, nothing
	// is written.
	again := got.Clone()
	again.FirstName = "Replay"
	checkCode(t, fw.UpdateAccountFlow(ctx, f.StateHash, again, nil, nil), verification.ErrResourceNotFound)
	got, err = s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	checkEqual(t, got, next)

	// A retry: the flow taken, a fresh one saved with the account.
	b, bf := pendingAccount(t, s, fw)
	fresh := flowOf(s, b)
	retried := b.Clone()
	retried.Verification.Attempts = 1
	retried.Verification.FlowKey = fresh.StateHash
	mustOK(t, fw.UpdateAccountFlow(ctx, bf.StateHash, retried, nil, fresh), "UpdateAccountFlow (retry)")
	checkNoFlow(t, s, bf.StateHash)
	gf, err := s.Flows.GetFlow(ctx, fresh.StateHash)
	mustOK(t, err, "GetFlow of the fresh flow")
	checkFlow(t, gf, fresh)

	// No take: a reauthorization's write (account and new flow).
	re := retried.Clone()
	reFlow := flowOf(s, b)
	re.Verification.FlowKey = reFlow.StateHash
	mustOK(t, fw.UpdateAccountFlow(ctx, "", re, nil, reFlow), "UpdateAccountFlow (no take)")
	if _, err := s.Flows.GetFlow(ctx, reFlow.StateHash); err != nil {
		t.Fatalf("GetFlow of the reauthorization's flow: %v", err)
	}
}

// testUpdateAccountFlowAllOrNothing checks that a write that fails in any
// of its parts leaves the flow taken, the account and the tokens as they
// were, and saves no flow.
func testUpdateAccountFlowAllOrNothing(t *testing.T, s Stores) {
	ctx := t.Context()
	fw := flowWriter(t, s)
	a, f := pendingAccount(t, s, fw)
	check := func(what string, err error, want *verification.Error, fresh *account.Flow) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: UpdateAccountFlow succeeded", what)
		}
		checkCode(t, err, want)
		if _, err := s.Flows.GetFlow(ctx, f.StateHash); err != nil {
			t.Fatalf("%s: the flow taken is gone after a failed write: %v", what, err)
		}
		got, err := s.Accounts.GetAccount(ctx, a.ID)
		mustOK(t, err, "GetAccount")
		checkEqual(t, got, a)
		if _, err := s.Tokens.GetTokens(ctx, a.ID); err == nil {
			t.Fatalf("%s: tokens stored by a failed write", what)
		}
		if fresh != nil {
			checkNoFlow(t, s, fresh.StateHash)
		}
	}
	tokens := func() *account.SealedTokens { return &account.SealedTokens{AccountID: a.ID, Blob: []byte("x")} }

	// A stale version.
	stale := a.Clone()
	stale.Version = 7
	fresh := flowOf(s, a)
	check("stale version", fw.UpdateAccountFlow(ctx, f.StateHash, stale, tokens(), fresh), verification.ErrConflict, fresh)

	// An identity another account holds.
	owner := create(t, s, verified())
	taken := a.Clone()
	taken.ProviderUserID = owner.ProviderUserID
	fresh = flowOf(s, a)
	check("identity taken", fw.UpdateAccountFlow(ctx, f.StateHash, taken, tokens(), fresh), verification.ErrExternalAccountExists, fresh)

	// A fresh flow whose key is in use.
	_, busy := pendingAccount(t, s, fw)
	clash := flowOf(s, a)
	clash.StateHash = busy.StateHash
	next := a.Clone()
	next.Verification.Attempts = 1
	check("fresh flow key in use", fw.UpdateAccountFlow(ctx, f.StateHash, next, tokens(), clash), verification.ErrConflict, nil)

	// An account that does not exist.
	gone := newAccount()
	gone.Version = 1
	check("no account", fw.UpdateAccountFlow(ctx, f.StateHash, gone, nil, nil), verification.ErrExternalAccountNotFound, nil)

	// An expired flow is not taken.
	if s.Advance != nil {
		s.Advance(11 * time.Minute)
		checkCode(t, fw.UpdateAccountFlow(ctx, f.StateHash, a.Clone(), nil, nil), verification.ErrResourceNotFound)
		got, err := s.Accounts.GetAccount(ctx, a.ID)
		mustOK(t, err, "GetAccount")
		checkEqual(t, got, a)
	}
}

// testUpdateAccountFlowTakenOnce races 50 callbacks of one flow, each
// writing its own outcome: exactly one is written.
func testUpdateAccountFlowTakenOnce(t *testing.T, s Stores) {
	ctx := t.Context()
	fw := flowWriter(t, s)
	a, f := pendingAccount(t, s, fw)
	winner := race(t, 50, verification.ErrResourceNotFound, func(i int) error {
		next := a.Clone()
		next.FirstName = "racer"
		next.LastName = string(rune('A' + i%26))
		next.Username = account.NewID("u_")
		return fw.UpdateAccountFlow(ctx, f.StateHash, next, &account.SealedTokens{AccountID: a.ID, Blob: []byte(next.Username)}, nil)
	})
	got, err := s.Accounts.GetAccount(ctx, a.ID)
	mustOK(t, err, "GetAccount")
	st, err := s.Tokens.GetTokens(ctx, a.ID)
	mustOK(t, err, "GetTokens")
	if got.Version != 2 || string(st.Blob) != got.Username || st.Version != 1 {
		t.Fatalf("after the race (winner %d): version %d, tokens %q v%d for username %q: want one write", winner, got.Version, st.Blob, st.Version, got.Username)
	}
}
