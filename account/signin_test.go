package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// signIn runs a sign-in (or sign-up) in browser as sub, through the
// provider, and returns the callback's completion.
func (e *env) signIn(kind account.AttemptKind, browser, sub string) (*account.Completion, error) {
	e.t.Helper()
	start := e.svc.SignIn
	if kind == account.SignUp {
		start = e.svc.SignUp
	}
	a, err := start(e.t.Context(), account.StartParams{Binding: browser, Strategy: devStrategy.String(), RedirectURL: "/home"})
	if err != nil {
		e.t.Fatalf("%s: %v", kind, err)
	}
	if a.Kind != kind || a.Verification.Status != verification.StatusUnverified || a.Verification.ExternalVerificationRedirectURL == "" {
		e.t.Fatalf("started %s = %+v", kind, a)
	}
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, sub)
	p.Binding = browser
	return e.complete(p)
}

// createUsers is a host's sign-up: it counts the users it creates.
type createUsers struct {
	n    atomic.Int32
	mu   sync.Mutex
	seen []*account.HeldIdentity
}

func (c *createUsers) create(_ context.Context, id *account.HeldIdentity) (string, error) {
	n := c.n.Add(1)
	c.mu.Lock()
	c.seen = append(c.seen, id)
	c.mu.Unlock()
	return fmt.Sprintf("user_new_%d", n), nil
}

func TestSignInAsOwner(t *testing.T) {
	var l eventLog
	e := newEnv(t, withEvents(&l))
	linked := e.link("user_1", "sub-1")
	l.take()
	c, err := e.signIn(account.SignIn, "browser-b", "sub-1")
	if err != nil {
		t.Fatal(err)
	}
	at := c.Attempt
	if at == nil || at.Status != account.StatusComplete || at.UserID != "user_1" || at.Verification.Status != verification.StatusVerified || c.RedirectURL != "/home" {
		t.Fatalf("sign-in = %+v", at)
	}
	if c.Account == nil || c.Account.ID != linked.ID || at.Identity != nil {
		t.Fatalf("sign-in account = %+v", c.Account)
	}
	wantEvents(t, &l, account.EventSignedIn)
	client, err := e.svc.Client(t.Context(), "browser-b")
	if err != nil || client.SignIn == nil || client.SignIn.UserID != "user_1" || client.SignUp != nil {
		t.Fatalf("client = %+v, %v", client, err)
	}
	// The login refreshed the owner's tokens.
	if _, err := e.svc.AccessToken(t.Context(), "user_1", linked.ID); err != nil {
		t.Fatal(err)
	}
	// Signing in again gives the same user.
	c, err = e.signIn(account.SignIn, "browser-c", "sub-1")
	if err != nil || c.Attempt.UserID != "user_1" {
		t.Fatalf("second sign-in: %+v %v", c.Attempt, err)
	}
}

func TestSignInNewIdentityThenTransfer(t *testing.T) {
	e := newEnv(t)
	e.addUser("sub-new", "new@example.com")
	c, err := e.signIn(account.SignIn, "browser-b", "sub-new")
	if err != nil {
		t.Fatal(err)
	}
	at := c.Attempt
	if at.Verification.Status != verification.StatusTransferable || !errors.Is(at.Verification.Error, verification.ErrExternalAccountNotFound) || !at.NeedsUser() {
		t.Fatalf("unknown identity: %+v", at.Verification)
	}
	if at.Identity == nil || at.Identity.EmailAddress != "new@example.com" || at.Identity.ProviderUserID != "sub-new" || at.UserID != "" {
		t.Fatalf("held identity = %+v", at.Identity)
	}
	if c.Account != nil {
		t.Fatal("a transferable sign-in returned an account")
	}
	var users createUsers
	// Another browser has nothing to transfer.
	_, err = e.svc.TransferToNewUser(t.Context(), "browser-x", account.SignIn, users.create)
	wantCode(t, err, verification.ErrResourceNotFound)

	up, err := e.svc.TransferToNewUser(t.Context(), "browser-b", account.SignIn, users.create)
	if err != nil {
		t.Fatal(err)
	}
	if up.Kind != account.SignUp || up.Status != account.StatusComplete || up.UserID != "user_new_1" || users.n.Load() != 1 {
		t.Fatalf("transfer = %+v", up)
	}
	as := must(e.svc.List(t.Context(), "user_new_1"))
	if len(as) != 1 || !as[0].Verified() || as[0].ProviderUserID != "sub-new" || as[0].EmailAddress != "new@example.com" {
		t.Fatalf("new user's accounts = %+v", as)
	}
	if _, err := e.svc.AccessToken(t.Context(), "user_new_1", as[0].ID); err != nil {
		t.Fatalf("the held tokens did not reach the account: %v", err)
	}
	// Once only.
	_, err = e.svc.TransferToNewUser(t.Context(), "browser-b", account.SignIn, users.create)
	wantCode(t, err, verification.ErrResourceNotFound)
	// And now the identity signs its user in.
	c, err = e.signIn(account.SignIn, "browser-c", "sub-new")
	if err != nil || c.Attempt.UserID != "user_new_1" {
		t.Fatalf("sign-in after transfer: %+v, %v", c.Attempt, err)
	}
	if users.n.Load() != 1 {
		t.Fatal("a user was created again")
	}
}

func TestTransferExpires(t *testing.T) {
	e := newEnv(t)
	if _, err := e.signIn(account.SignIn, "browser-b", "sub-late"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.svc.Policy().Lifetime() + time.Second)
	var users createUsers
	_, err := e.svc.TransferToNewUser(t.Context(), "browser-b", account.SignIn, users.create)
	if err == nil || users.n.Load() != 0 {
		t.Fatalf("a transfer after expiry: %v, %d users", err, users.n.Load())
	}
}

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	c, err := e.signIn(account.SignUp, "browser-b", "sub-up")
	if err != nil {
		t.Fatal(err, e.logs.String())
	}
	if !c.Attempt.NeedsUser() || c.Attempt.Status != account.StatusMissingRequirements || c.Attempt.Verification.Status != verification.StatusVerified {
		t.Fatalf("sign-up of a new identity = %+v", c.Attempt)
	}
	var users createUsers
	up, err := e.svc.TransferToNewUser(t.Context(), "browser-b", account.SignUp, users.create)
	if err != nil || up.Status != account.StatusComplete || up.UserID != "user_new_1" || up.ID != c.Attempt.ID {
		t.Fatalf("sign-up complete = %+v, %v", up, err)
	}

	// A sign-up with a linked identity: transferable, external_account_exists,
	// and a sign-in by transfer signs in its owner.
	c, err = e.signIn(account.SignUp, "browser-c", "sub-up")
	if err != nil {
		t.Fatal(err)
	}
	if c.Attempt.Verification.Status != verification.StatusTransferable || !errors.Is(c.Attempt.Verification.Error, verification.ErrExternalAccountExists) || c.Attempt.NeedsUser() {
		t.Fatalf("sign-up of an owned identity = %+v", c.Attempt.Verification)
	}
	_, err = e.svc.TransferToNewUser(t.Context(), "browser-c", account.SignUp, users.create)
	wantCode(t, err, verification.ErrResourceNotFound)
	in, err := e.svc.TransferToOwner(t.Context(), "browser-c")
	if err != nil || in.Kind != account.SignIn || in.Status != account.StatusComplete || in.UserID != "user_new_1" {
		t.Fatalf("sign-in by transfer = %+v, %v", in, err)
	}
	_, err = e.svc.TransferToOwner(t.Context(), "browser-c")
	wantCode(t, err, verification.ErrResourceNotFound)
	client, _ := e.svc.Client(t.Context(), "browser-c")
	if client.SignIn == nil || client.SignIn.UserID != "user_new_1" {
		t.Fatalf("client after transfer = %+v", client)
	}
}

// An attacker's callback URL loaded in a victim's browser signs nobody in
// and changes nothing.
func TestSignInLoginCSRF(t *testing.T) {
	e := newEnv(t)
	e.link("victim", "sub-victim")
	at, err := e.svc.SignIn(t.Context(), account.StartParams{Binding: "attacker-browser", Strategy: devStrategy.String(), RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.authorize(at.Verification.ExternalVerificationRedirectURL, "sub-attacker")
	p.Binding = "victim-browser"
	c, err := e.complete(p)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("the victim's browser got a completion")
	}
	client, _ := e.svc.Client(t.Context(), "victim-browser")
	if client.SignIn != nil || client.SignUp != nil {
		t.Fatalf("the victim's browser holds %+v", client)
	}
	var users createUsers
	_, err = e.svc.TransferToNewUser(t.Context(), "victim-browser", account.SignIn, users.create)
	wantCode(t, err, verification.ErrResourceNotFound)
	// Without a binding nothing starts.
	_, err = e.svc.SignIn(t.Context(), account.StartParams{Strategy: devStrategy.String(), RedirectURL: "/"})
	if err == nil {
		t.Fatal("a sign-in without a browser binding started")
	}
}

// Twenty browsers signing up with one identity at once: one user, one
// account.
func TestTwentyBrowsersOneIdentity(t *testing.T) {
	e := newEnv(t)
	const n = 20
	for i := range n {
		c, err := e.signIn(account.SignUp, fmt.Sprintf("browser-%d", i), "sub-race")
		if err != nil || !c.Attempt.NeedsUser() {
			t.Fatalf("browser %d: %+v %v", i, c, err)
		}
	}
	var users createUsers
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := e.svc.TransferToNewUser(context.Background(), fmt.Sprintf("browser-%d", i), account.SignUp, users.create)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, verification.ErrExternalAccountExists), errors.Is(err, verification.ErrConflict):
			default:
				t.Errorf("browser %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || users.n.Load() != 1 {
		t.Fatalf("%d transfers succeeded and %d users were created, want 1 and 1", ok.Load(), users.n.Load())
	}
	owner, err := e.store.FindAccountByIdentity(t.Context(), devStrategy, "sub-race")
	if err != nil || owner.UserID != "user_new_1" {
		t.Fatalf("owner = %+v, %v", owner, err)
	}
}

func TestLinkByEmail(t *testing.T) {
	hostUsers := map[string]string{"known@example.com": "user_known"}
	find := func(_ context.Context, email string) (string, error) { return hostUsers[email], nil }
	trusting := func(_ *providertest.Config, c *account.Config) {
		c.LinkByEmail = &account.EmailLinking{Providers: []verification.Strategy{devStrategy}, FindUser: find}
	}
	untrusting := func(_ *providertest.Config, c *account.Config) {
		c.LinkByEmail = &account.EmailLinking{Providers: []verification.Strategy{verification.MustParseStrategy("oauth_google")}, FindUser: find}
	}
	no := false
	for _, tc := range []struct {
		name     string
		opt      envOption
		verified *bool
		email    string
		link     bool
	}{
		{"off", func(*providertest.Config, *account.Config) {}, nil, "known@example.com", false},
		{"trusted and verified", trusting, nil, "known@example.com", true},
		{"unverified email", trusting, &no, "known@example.com", false},
		{"unknown email", trusting, nil, "other@example.com", false},
		{"untrusted provider", untrusting, nil, "known@example.com", false},
		{"email_verified as a string", trusting, nil, "known@example.com", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opt)
			yes := true
			v := &yes
			if tc.verified != nil {
				v = tc.verified
			}
			u := providertest.User{Subject: "sub-mail", Email: tc.email, EmailVerified: v}
			if tc.name == "email_verified as a string" {
				u.EmailVerified = nil
				u.Extra = map[string]any{"email_verified": "true"}
			}
			e.idp.AddUser(u)
			c, err := e.signIn(account.SignIn, "browser-b", "sub-mail")
			if err != nil {
				t.Fatal(err)
			}
			linked := c.Attempt.Status == account.StatusComplete && c.Attempt.UserID == "user_known"
			if linked != tc.link {
				t.Fatalf("linked = %v, want %v (attempt %+v)", linked, tc.link, c.Attempt)
			}
			if !tc.link && !c.Attempt.NeedsUser() {
				t.Fatalf("not linked, yet not transferable: %+v", c.Attempt)
			}
		})
	}
}

func TestSignInProviderError(t *testing.T) {
	e := newEnv(t)
	e.idp.SetFaults(providertest.Faults{AuthorizeError: "access_denied"})
	c, err := e.signIn(account.SignIn, "browser-b", "sub-1")
	wantCode(t, err, verification.ErrAccessDenied)
	if c.Attempt.Verification.Status != verification.StatusUnverified || c.Attempt.Verification.ExternalVerificationRedirectURL == "" {
		t.Fatalf("after access_denied: %+v", c.Attempt.Verification)
	}
	if strings.Contains(fmt.Sprintf("%+v", c.Attempt), "sub-1") {
		t.Fatal("a failed attempt holds an identity")
	}
}
