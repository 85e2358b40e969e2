package account_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// replica returns another Service on e's stores and provider, as a second
// process of the same host would be.
func (e *env) replica(t *testing.T, tokens account.TokenStore) *account.Service {
	t.Helper()
	reg, err := provider.NewRegistry(e.prov)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := account.New(account.Config{
		Accounts: e.store, Tokens: tokens, Flows: e.store, Providers: reg, Keyring: e.keyring,
		CallbackURL: callbackURL, Now: e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// flakyTokens fails SwapTokens the first fail times with store_unavailable.
type flakyTokens struct {
	account.TokenStore
	fail  atomic.Int32
	calls atomic.Int32
}

func (f *flakyTokens) SwapTokens(ctx context.Context, st *account.SealedTokens) error {
	f.calls.Add(1)
	if f.fail.Add(-1) >= 0 {
		return verification.ErrStoreUnavailable.Wrap(errors.New("connection reset"))
	}
	return f.TokenStore.SwapTokens(ctx, st)
}

func TestRefreshedTokensNotLost(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	flaky := &flakyTokens{TokenStore: e.store}
	svc := e.replica(t, flaky)

	// Two failed writes, then the third stores the new tokens.
	flaky.fail.Store(2)
	e.clock.Advance(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	tok, err := svc.AccessToken(ctx, "user_1", a.ID)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.svc.AccessToken(t.Context(), "user_1", a.ID)
	if err != nil || stored.Token != tok.Token || flaky.calls.Load() != 3 {
		t.Fatalf("after 2 failed writes: stored token matches %v, %d writes, %v", stored != nil && stored.Token == tok.Token, flaky.calls.Load(), err)
	}

	// A store that stays down: the caller still gets the fresh token, and
	// the log says what is at stake.
	flaky.fail.Store(100)
	e.clock.Advance(time.Hour)
	tok, err = svc.AccessToken(t.Context(), "user_1", a.ID)
	if err != nil || tok.Token == "" || tok.Token == stored.Token {
		t.Fatalf("with the store down: %v", err)
	}
	if !strings.Contains(e.logs.String(), "could not be stored") {
		t.Fatal("the lost write is not logged")
	}
}

func TestProviderTokens(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	b := e.link("user_1", "sub-2")
	e.connect("user_1") // pending: no token
	e.link("user_2", "sub-3")
	toks, err := e.svc.ProviderTokens(t.Context(), "user_1", devStrategy.String())
	if err != nil || len(toks) != 2 || toks[0].ExternalAccountID != a.ID || toks[1].ExternalAccountID != b.ID {
		t.Fatalf("ProviderTokens = %v, %v", toks, err)
	}
	for _, tok := range toks {
		if tok.Token == "" || tok.ProviderUserID == "" || tok.IDToken == "" || len(tok.Scopes) == 0 {
			t.Fatalf("token %+v lacks fields", *tok)
		}
		if s := tok.String() + tok.GoString(); strings.Contains(s, tok.Token) {
			t.Fatal("OAuthToken prints its token")
		}
	}
	toks, err = e.svc.ProviderTokens(t.Context(), "user_1", "oauth_github")
	if err != nil || len(toks) != 0 {
		t.Fatalf("ProviderTokens of another provider = %v, %v", toks, err)
	}
	_, err = e.svc.ProviderTokens(t.Context(), "user_1", "github")
	wantCode(t, err, verification.ErrStrategyInvalid)
}

func TestRevokeTokensKeepsAccount(t *testing.T) {
	var l eventLog
	e := newEnv(t, withEvents(&l))
	a := e.link("user_1", "sub-1")
	l.take()
	if err := e.svc.RevokeTokens(t.Context(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	for _, ti := range e.idp.Tokens() {
		if ti.Type == "refresh_token" && !ti.Revoked {
			t.Fatal("the refresh token is not revoked at the provider")
		}
	}
	got := e.get("user_1", a.ID)
	if !got.Verified() || !errors.Is(got.Verification.Error, verification.ErrMissingRefreshToken) {
		t.Fatalf("after revoke: %+v", got.Verification)
	}
	wantEvents(t, &l, account.EventTokensRevoked)
	_, err := e.svc.AccessToken(t.Context(), "user_1", a.ID)
	if err == nil {
		t.Fatal("a revoked account still hands out a token")
	}
	if err := e.svc.RevokeTokens(t.Context(), "user_2", a.ID); !errors.Is(err, verification.ErrExternalAccountNotFound) {
		t.Fatalf("another user's revoke: %v", err)
	}
}

func TestResealRetiresAKey(t *testing.T) {
	e := newEnv(t, func(_ *providertest.Config, c *account.Config) { c.Limits.MaxPending = -1 })
	var linked []*account.ExternalAccount
	for i := range 5 {
		linked = append(linked, e.link("user_1", "sub-"+string(rune('a'+i))))
	}
	e.connect("user_1") // no tokens
	// Rotate: k2 primary, k1 kept to open.
	k2 := account.GenerateKey("k2")
	kr, err := account.NewKeyring(k2, e.oldKey)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := provider.NewRegistry(e.prov)
	svc, err := account.New(account.Config{Accounts: e.store, Flows: e.store, Providers: reg, Keyring: kr, CallbackURL: callbackURL, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var total account.ResealResult
	next := ""
	for range 10 {
		r, err := svc.Reseal(t.Context(), account.ResealParams{Limit: 2, After: next})
		if err != nil {
			t.Fatal(err)
		}
		total.Scanned += r.Scanned
		total.Resealed += r.Resealed
		if next = r.Next; next == "" {
			break
		}
	}
	if total.Scanned != 6 || total.Resealed != 5 {
		t.Fatalf("reseal = %+v, want 6 scanned, 5 resealed", total)
	}
	// k1 can go: a keyring of k2 alone opens everything.
	only, _ := account.NewKeyring(k2)
	svc2, err := account.New(account.Config{Accounts: e.store, Flows: e.store, Providers: reg, Keyring: only, CallbackURL: callbackURL, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range linked {
		if _, err := svc2.AccessToken(t.Context(), "user_1", a.ID); err != nil {
			t.Fatalf("after retiring k1: %v", err)
		}
	}
	r, err := svc2.Reseal(t.Context(), account.ResealParams{})
	if err != nil || r.Resealed != 0 {
		t.Fatalf("second reseal = %+v, %v", r, err)
	}
}
