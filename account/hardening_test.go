package account_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// A flow bound to no browser completes only when the callback names the
// user who started it (issue 10, item 2).
func TestUnboundCallbackRefused(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "victim-sub")
	p.Binding = "" // an attacker's link: no browser binding, no user
	c, err := e.complete(p)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("an unbound callback got a redirect")
	}
	got := e.get("user_1", a.ID)
	if got.HasIdentity() || got.Verified() {
		t.Fatalf("an unbound callback linked an identity: %+v", got)
	}
	if got.Verification.Error == nil || got.Verification.ExternalVerificationRedirectURL == "" {
		t.Fatalf("the owner is not told and offered a retry: %+v", got.Verification)
	}
	// The same flow completes when the callback names its user.
	p = e.authorize(got.Verification.ExternalVerificationRedirectURL, "sub-1")
	p.Binding, p.UserID = "", "user_1"
	if c, err := e.complete(p); err != nil || !c.Account.Verified() {
		t.Fatalf("callback naming the user: %v", err)
	}
	if !strings.Contains(e.logs.String(), "bound to nothing") {
		t.Error("the refusal is not logged for the host's developers")
	}
}

// Host user ids are checked once, at the Service's door (issue 10, item 6).
func TestUserIDValidation(t *testing.T) {
	e := newEnv(t)
	good := e.link("ユーザー-1", "sub-1")
	bad := map[string]string{
		"empty":          "",
		"invalid UTF-8":  "user-\xfe",
		"invalid UTF-8b": "user-\xff",
		"NUL":            "user\x00",
		"newline":        "user\n1",
		"DEL":            "user\x7f",
		"too long":       strings.Repeat("u", account.MaxUserIDLength+1),
	}
	ctx := t.Context()
	for name, id := range bad {
		t.Run(name, func(t *testing.T) {
			calls := map[string]error{}
			_, calls["Connect"] = e.svc.Connect(ctx, account.ConnectParams{UserID: id, Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding})
			_, calls["Reauthorize"] = e.svc.Reauthorize(ctx, account.ReauthorizeParams{UserID: id, AccountID: good.ID, RedirectURL: "/", Binding: testBinding})
			_, calls["List"] = e.svc.List(ctx, id)
			_, calls["ListPage"] = e.svc.ListPage(ctx, id, account.PageParams{})
			_, calls["Get"] = e.svc.Get(ctx, id, good.ID)
			calls["Destroy"] = e.svc.Destroy(ctx, id, good.ID)
			_, calls["AccessToken"] = e.svc.AccessToken(ctx, id, good.ID)
			for call, err := range calls {
				if !errors.Is(err, verification.ErrAuthenticationInvalid) {
					t.Errorf("%s(%q) = %v, want authentication_invalid", call, id, err)
				}
			}
		})
	}
	if got := e.get("ユーザー-1", good.ID); !got.Verified() {
		t.Fatal("a valid non-ASCII user id lost its account")
	}
	if n := len(must(e.svc.List(ctx, "ユーザー-1"))); n != 1 {
		t.Fatalf("List = %d accounts, want 1", n)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// One user cannot make the Service store without bound (issue 10, item 3).
func TestLimits(t *testing.T) {
	t.Run("pending", func(t *testing.T) {
		e := newEnv(t)
		e.link("user_1", "sub-1") // verified accounts do not count as pending
		for i := range account.DefaultMaxPending {
			if _, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding}); err != nil {
				t.Fatalf("connect %d: %v", i, err)
			}
		}
		_, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding})
		wantCode(t, err, verification.ErrAccountLimit)
		if verification.AsError(err).LongMessage == "" {
			t.Error("the limit error does not say what to do")
		}
		// Another user is not affected.
		if _, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_2", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding}); err != nil {
			t.Fatalf("another user: %v", err)
		}
		// Once the pending ones expire, the user may start again.
		e.clock.Advance(e.svc.Policy().Lifetime() + time.Second)
		if _, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding}); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
	})
	t.Run("accounts", func(t *testing.T) {
		e := newEnv(t, func(_ *providertest.Config, c *account.Config) {
			c.Limits = account.Limits{MaxAccounts: 3, MaxPending: -1}
		})
		for i := range 3 {
			if _, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding}); err != nil {
				t.Fatalf("connect %d: %v", i, err)
			}
		}
		_, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: testBinding})
		wantCode(t, err, verification.ErrAccountLimit)
		if n := len(must(e.svc.List(t.Context(), "user_1"))); n != 3 {
			t.Fatalf("accounts = %d, want 3", n)
		}
	})
}

// The sweep removes expired flows and never-verified accounts long expired,
// and nothing else (issue 10, item 3; issue 15).
func TestSweep(t *testing.T) {
	e := newEnv(t)
	kept := e.link("user_1", "sub-1")
	abandoned := e.connect("user_1")
	e.clock.Advance(e.svc.FlowLifetime() + time.Second)
	recent := e.connect("user_1") // pending, not expired
	r, err := e.svc.Sweep(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.Flows != 1 || r.Accounts != 0 {
		t.Fatalf("first sweep = %+v, want 1 flow, 0 accounts (too recent)", r)
	}
	e.clock.Advance(account.DefaultAbandonAfter + e.svc.FlowLifetime())
	r, err = e.svc.Sweep(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.Accounts != 2 || r.Flows != 1 {
		t.Fatalf("second sweep = %+v, want 2 accounts and 1 flow", r)
	}
	for _, id := range []string{abandoned.ID, recent.ID} {
		if _, err := e.svc.Get(t.Context(), "user_1", id); !errors.Is(err, verification.ErrExternalAccountNotFound) {
			t.Errorf("abandoned account %s: %v", id, err)
		}
	}
	if got := e.get("user_1", kept.ID); !got.Verified() {
		t.Fatal("the sweep touched a verified account")
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	e := newEnv(t)
	e.connect("user_1")
	e.clock.Advance(e.svc.FlowLifetime() + account.DefaultAbandonAfter + time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { e.svc.Run(ctx, time.Hour); close(done) }()
	// The first sweep runs at once.
	for i := 0; len(must(e.svc.List(t.Context(), "user_1"))) != 0; i++ {
		if i > 1000 {
			t.Fatal("Run did not sweep")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestListPage(t *testing.T) {
	e := newEnv(t, func(_ *providertest.Config, c *account.Config) { c.Limits.MaxPending = 10 })
	var want []string
	for range 7 {
		want = append(want, e.connect("user_1").ID)
		e.clock.Advance(time.Millisecond)
	}
	var got []string
	next := ""
	for pages := 0; ; pages++ {
		p, err := e.svc.ListPage(t.Context(), "user_1", account.PageParams{Limit: 3, After: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Accounts) > 3 || pages > 3 {
			t.Fatalf("page %d has %d accounts", pages, len(p.Accounts))
		}
		for _, a := range p.Accounts {
			got = append(got, a.ID)
		}
		if next = p.Next; next == "" {
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pages = %v, want %v", got, want)
	}
	for _, bad := range []account.PageParams{{Limit: -1}, {Limit: account.MaxPageSize + 1}, {After: "x"}, {After: "%%%"}, {After: strings.Repeat("A", 300)}} {
		_, err := e.svc.ListPage(t.Context(), "user_1", bad)
		wantCode(t, err, verification.ErrFormParamInvalid)
	}
}

// Nothing a store holds is enough to complete a flow: the state appears
// nowhere in storage, the verifier and nonce only sealed (issue 10, item 5).
func TestNothingStoredCompletesAFlow(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	authURL := a.Verification.ExternalVerificationRedirectURL
	u, _ := url.Parse(authURL)
	state := u.Query().Get("state")
	if state == "" {
		t.Fatal("no state in the authorization URL")
	}
	stored, err := e.store.GetAccount(t.Context(), a.ID) // what the store holds
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Verification.ExternalVerificationRedirectURL, state) || stored.Verification.ExternalVerificationRedirectURL == authURL {
		t.Fatal("the store holds the raw state")
	}
	if got := e.get("user_1", a.ID); got.Verification.ExternalVerificationRedirectURL != authURL {
		t.Fatalf("the owner reads %q, want the authorization URL", got.Verification.ExternalVerificationRedirectURL)
	}
	e.flows.mu.Lock()
	f := e.flows.saved[len(e.flows.saved)-1]
	e.flows.mu.Unlock()
	verifier, nonce, err := account.FlowSecretsOf(e.svc, f)
	if err != nil || verifier == "" || nonce == "" {
		t.Fatalf("flow secrets: %v", err)
	}
	if strings.Contains(string(f.Secrets), verifier) || strings.Contains(string(f.Secrets), nonce) {
		t.Fatal("the flow store holds the verifier or nonce in the clear")
	}
	// Sealed secrets moved to another flow do not open.
	moved := f.Clone()
	moved.StateHash = strings.Repeat("0", 64)
	if _, _, err := account.FlowSecretsOf(e.svc, moved); err == nil {
		t.Fatal("sealed flow secrets open under another state hash")
	}
	// And the flow still completes.
	if c, err := e.complete(e.authorize(authURL, "sub-1")); err != nil || !c.Account.Verified() {
		t.Fatalf("Complete: %v", err)
	}
}
