package account_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

const callbackURL = "http://127.0.0.1:1/identity/oauth_callback" // never contacted

var devStrategy = verification.MustParseStrategy("oauth_custom_dev")

// testBinding is the browser binding of the test's one browser: every flow
// must be bound to a browser or have its callback name the user.
const testBinding = "test-browser-binding"

// flowRecorder wraps a FlowStore to remember every flow saved, so tests can
// look for the verifiers and nonces that must never leak.
type flowRecorder struct {
	account.FlowStore
	mu    sync.Mutex
	saved []*account.Flow
}

func (r *flowRecorder) SaveFlow(ctx context.Context, f *account.Flow) error {
	r.mu.Lock()
	r.saved = append(r.saved, f.Clone())
	r.mu.Unlock()
	return r.FlowStore.SaveFlow(ctx, f)
}

func (r *flowRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.saved)
}

type env struct {
	t       *testing.T
	idp     *providertest.Server
	prov    *oidc.Provider
	store   *memstore.Store
	flows   *flowRecorder
	keyring *account.Keyring
	oldKey  account.Key
	svc     *account.Service
	clock   *testkit.Clock
	logs    *testkit.LogBuffer

	mu       sync.Mutex
	secrets  []string // states and codes seen on callbacks
	messages []string // error strings returned
}

type envOption func(*providertest.Config, *account.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	var pcfg providertest.Config
	var acfg account.Config
	for _, o := range opts {
		o(&pcfg, &acfg)
	}
	e := &env{t: t, clock: testkit.NewClock(), logs: &testkit.LogBuffer{}}
	// One clock for the Service, the provider and the ID token checks, so
	// that advancing it ages tokens as well as verifications.
	pcfg.Now = e.clock.Now
	e.idp = providertest.New(pcfg)
	t.Cleanup(e.idp.Close)
	var err error
	e.prov, err = oidc.New(t.Context(), oidc.Config{
		Strategy:     devStrategy,
		Title:        "Dev",
		Issuer:       e.idp.Issuer(),
		ClientID:     e.idp.ClientID(),
		ClientSecret: e.idp.ClientSecret(),
		// A generous timeout: CI machines are small and -race is slow.
		HTTP: provider.HTTPSettings{Timeout: 30 * time.Second, Now: e.clock.Now},
	})
	if err != nil {
		t.Fatalf("oidc.New: %v", err)
	}
	reg, err := provider.NewRegistry(e.prov)
	if err != nil {
		t.Fatal(err)
	}
	e.store = memstore.New(memstore.Options{Now: e.clock.Now})
	e.flows = &flowRecorder{FlowStore: e.store}
	e.oldKey = account.GenerateKey("k1")
	e.keyring, err = account.NewKeyring(e.oldKey)
	if err != nil {
		t.Fatal(err)
	}
	acfg.Accounts, acfg.Flows, acfg.Providers, acfg.Keyring = e.store, e.flows, reg, e.keyring
	acfg.CallbackURL = callbackURL
	acfg.Now = e.clock.Now
	acfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.svc, err = account.New(acfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.checkNoLeaks)
	return e
}

func (e *env) addUser(sub, email string) {
	yes := true
	e.idp.AddUser(providertest.User{
		Subject: sub, Email: email, EmailVerified: &yes,
		GivenName: "Ada", FamilyName: "Lovelace", Name: "Ada Lovelace",
		Picture: "https://img.example/" + sub + ".png", PreferredUsername: sub + "-login",
	})
}

func (e *env) connect(user string, scopes ...string) *account.ExternalAccount {
	e.t.Helper()
	a, err := e.svc.Connect(e.t.Context(), account.ConnectParams{
		UserID: user, Strategy: devStrategy.String(), RedirectURL: "/settings", AdditionalScopes: scopes, Binding: testBinding,
	})
	if err != nil {
		e.t.Fatalf("Connect: %v", err)
	}
	return a
}

// authorize plays the browser at the provider as sub and returns the
// callback parameters.
func (e *env) authorize(authURL, sub string) account.CallbackParams {
	e.t.Helper()
	e.idp.SetLogin(sub)
	cb, err := providertest.Authorize(e.t.Context(), e.idp.Client(), authURL)
	if err != nil {
		e.t.Fatalf("Authorize: %v", err)
	}
	q := cb.Query()
	e.mu.Lock()
	e.secrets = append(e.secrets, q.Get("state"), q.Get("code"))
	e.mu.Unlock()
	return account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Iss: q.Get("iss"), Binding: testBinding}
}

func (e *env) complete(p account.CallbackParams) (*account.Completion, error) {
	c, err := e.svc.Complete(e.t.Context(), p)
	if err != nil {
		e.mu.Lock()
		e.messages = append(e.messages, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		e.mu.Unlock()
	}
	return c, err
}

// link connects user to the provider account sub and expects it verified.
func (e *env) link(user, sub string, scopes ...string) *account.ExternalAccount {
	e.t.Helper()
	a := e.connect(user, scopes...)
	c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, sub))
	if err != nil {
		e.t.Fatalf("Complete: %v", err)
	}
	if c.Account.Verification.Status != verification.StatusVerified {
		e.t.Fatalf("status = %s, want verified", c.Account.Verification.Status)
	}
	return c.Account
}

func (e *env) get(user, id string) *account.ExternalAccount {
	e.t.Helper()
	a, err := e.svc.Get(e.t.Context(), user, id)
	if err != nil {
		e.t.Fatalf("Get: %v", err)
	}
	return a
}

// checkNoLeaks looks for every secret of every flow in the logs and in the
// error strings the Service returned.
func (e *env) checkNoLeaks() {
	e.mu.Lock()
	defer e.mu.Unlock()
	secrets := slices.Clone(e.secrets)
	e.flows.mu.Lock()
	for _, f := range e.flows.saved {
		if f.Kind == account.FlowAttempt || f.Kind == account.FlowClaim {
			continue // no PKCE secrets
		}
		verifier, nonce, err := account.FlowSecretsOf(e.svc, f)
		if err != nil {
			e.t.Errorf("flow secrets do not open: %v", err)
		}
		secrets = append(secrets, verifier, nonce)
	}
	e.flows.mu.Unlock()
	for _, tok := range e.idp.Tokens() {
		secrets = append(secrets, tok.Value)
	}
	haystack := e.logs.String() + strings.Join(e.messages, "\n")
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(haystack, s) {
			e.t.Errorf("a secret (%d bytes) appears in logs or errors", len(s))
		}
	}
}

func wantCode(t *testing.T, err error, want *verification.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s", err, want.Code)
	}
}

func TestConnectComplete(t *testing.T) {
	e := newEnv(t)
	e.addUser("sub-ada", "ada@example.com")
	a := e.connect("user_1", "offline_access")
	if a.Verification.Status != verification.StatusUnverified || a.Verification.Attempts != 0 ||
		!strings.HasPrefix(a.ID, "eac_") || !strings.HasPrefix(a.IdentificationID, "idn_") {
		t.Fatalf("after Connect: %+v", a)
	}
	u, err := url.Parse(a.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) != 43 ||
		len(q.Get("nonce")) != 43 || q.Get("redirect_uri") != callbackURL || q.Get("scope") != "openid email profile offline_access" {
		t.Fatalf("authorization URL: %v", q)
	}

	c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-ada"))
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	got := c.Account
	if c.RedirectURL != "/settings" || got.ID != a.ID || got.ProviderUserID != "sub-ada" || got.EmailAddress != "ada@example.com" ||
		got.EmailAddressVerified == nil || !*got.EmailAddressVerified || got.FirstName != "Ada" || got.LastName != "Lovelace" ||
		got.AvatarURL != "https://img.example/sub-ada.png" || got.Username != "sub-ada-login" {
		t.Fatalf("verified account: %+v", got)
	}
	v := got.Verification
	if v.Status != verification.StatusVerified || v.Attempts != 1 || v.Error != nil || v.ExternalVerificationRedirectURL != "" {
		t.Fatalf("verification: %+v", v)
	}
	if !slices.Equal(got.ApprovedScopes, []string{"openid", "email", "profile", "offline_access"}) {
		t.Fatalf("approved scopes = %q", got.ApprovedScopes)
	}
	if stored := e.get("user_1", a.ID); stored.Version != got.Version || !stored.Verified() {
		t.Fatalf("stored: %+v", stored)
	}
	list, err := e.svc.List(t.Context(), "user_1")
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("List = %v, %v", list, err)
	}
	checkSealed(t, e, a.ID)
}

// checkSealed asserts the store holds no plaintext token of the provider.
func checkSealed(t *testing.T, e *env, accountID string) {
	t.Helper()
	st, err := e.store.GetTokens(t.Context(), accountID)
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	if account.SealedKeyID(st.Blob) != "k1" {
		t.Fatalf("tokens not sealed by the keyring")
	}
	tokens := e.idp.Tokens()
	if len(tokens) == 0 {
		t.Fatal("provider issued no tokens")
	}
	for _, tok := range tokens {
		if bytes.Contains(st.Blob, []byte(tok.Value)) || bytes.Contains(st.Blob, []byte(tok.Value[:8])) {
			t.Fatalf("plaintext %s in the store", tok.Type)
		}
	}
	if bytes.Contains(st.Blob, []byte("access_token")) || bytes.Contains(st.Blob, []byte("eyJ")) {
		t.Fatal("token JSON visible in the store")
	}
}

func TestCallbackStateErrors(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1")

	_, err := e.complete(account.CallbackParams{Code: p.Code})
	wantCode(t, err, verification.ErrCallbackInvalid) // missing state
	_, err = e.complete(account.CallbackParams{State: "unknown-" + p.State, Code: p.Code, Iss: p.Iss})
	wantCode(t, err, verification.ErrCallbackInvalid) // unknown state
	_, err = e.complete(account.CallbackParams{State: strings.Repeat("x", 10000), Code: p.Code})
	wantCode(t, err, verification.ErrCallbackInvalid) // absurd state

	if _, err := e.complete(p); err != nil {
		t.Fatalf("first callback: %v", err)
	}
	c, err := e.complete(p) // replayed
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("a replayed state got a Completion")
	}
	if got := e.get("user_1", a.ID); !got.Verified() || got.Verification.Attempts != 1 {
		t.Fatalf("replay changed the account: %+v", got.Verification)
	}
}

func TestCallbackExpired(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1")
	exchanges := e.idp.Stats().CodeExchanges

	e.clock.Advance(verification.DefaultTTL + time.Second)
	if got := e.get("user_1", a.ID); got.Verification.Status != verification.StatusExpired {
		t.Fatalf("a late read shows %s, want expired", got.Verification.Status)
	}
	c, err := e.complete(p)
	wantCode(t, err, verification.ErrVerificationExpired)
	if c == nil || c.Account.Verification.Status != verification.StatusExpired || c.Account.Verification.Attempts != 1 || c.RedirectURL != "/settings" {
		t.Fatalf("expired callback: %+v", c)
	}
	if e.idp.Stats().CodeExchanges != exchanges {
		t.Fatal("an expired verification exchanged its code")
	}

	// Past the flow's retention the state is simply unknown.
	b := e.connect("user_1")
	p = e.authorize(b.Verification.ExternalVerificationRedirectURL, "sub-1")
	e.clock.Advance(2*verification.DefaultTTL + time.Second)
	c, err = e.complete(p)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("an expired state got a Completion")
	}
}

func TestAccessDeniedThenRetry(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	e.idp.SetFaults(providertest.Faults{AuthorizeError: "access_denied"})
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1")
	if p.Error != "access_denied" || p.Code != "" {
		t.Fatalf("provider answered %+v", p)
	}
	c, err := e.complete(p)
	wantCode(t, err, verification.ErrAccessDenied)
	v := c.Account.Verification
	if v.Status != verification.StatusUnverified || v.Attempts != 1 || !errors.Is(v.Error, verification.ErrAccessDenied) {
		t.Fatalf("after access_denied: %+v", v)
	}
	retryURL := v.ExternalVerificationRedirectURL
	if retryURL == "" || retryURL == a.Verification.ExternalVerificationRedirectURL {
		t.Fatal("no fresh redirect URL for the retry")
	}
	old, _ := url.Parse(a.Verification.ExternalVerificationRedirectURL)
	fresh, _ := url.Parse(retryURL)
	for _, k := range []string{"state", "code_challenge", "nonce"} {
		if old.Query().Get(k) == fresh.Query().Get(k) {
			t.Fatalf("the retry reuses the %s", k)
		}
	}

	e.idp.SetFaults(providertest.Faults{})
	c, err = e.complete(e.authorize(retryURL, "sub-1"))
	if err != nil || !c.Account.Verified() || c.Account.Verification.Attempts != 2 || c.Account.Verification.Error != nil {
		t.Fatalf("retry: %v %+v", err, c.Account.Verification)
	}
}

func TestThreeFailedAttempts(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	e.idp.SetFaults(providertest.Faults{Token: &providertest.TokenError{Code: "server_error"}})
	next := a.Verification.ExternalVerificationRedirectURL
	for i := 1; i <= 3; i++ {
		c, err := e.complete(e.authorize(next, "sub-1"))
		wantCode(t, err, verification.ErrTokenExchange)
		v := c.Account.Verification
		if v.Attempts != i {
			t.Fatalf("attempt %d: attempts = %d", i, v.Attempts)
		}
		if i < 3 && (v.Status != verification.StatusUnverified || v.ExternalVerificationRedirectURL == "") {
			t.Fatalf("attempt %d: %+v", i, v)
		}
		if i == 3 && (v.Status != verification.StatusFailed || v.ExternalVerificationRedirectURL != "" || !errors.Is(v.Error, verification.ErrTokenExchange)) {
			t.Fatalf("attempt 3: %+v", v)
		}
		next = v.ExternalVerificationRedirectURL
	}
	if e.flows.count() != 3 {
		t.Fatalf("%d flows saved, want 3 (no flow after the final failure)", e.flows.count())
	}
}

func TestIssuerParameter(t *testing.T) {
	t.Run("mismatch", func(t *testing.T) {
		e := newEnv(t)
		a := e.connect("user_1")
		e.idp.SetFaults(providertest.Faults{CallbackIssuer: "https://attacker.example"})
		exchanges := e.idp.Stats().CodeExchanges
		c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
		wantCode(t, err, verification.ErrCallbackInvalid)
		if c.Account.Verified() || c.Account.Verification.Attempts != 1 || e.idp.Stats().CodeExchanges != exchanges {
			t.Fatal("a mix-up response was used")
		}
	})
	t.Run("missing while advertised", func(t *testing.T) {
		e := newEnv(t)
		a := e.connect("user_1")
		e.idp.SetFaults(providertest.Faults{OmitCallbackIssuer: true})
		_, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
		wantCode(t, err, verification.ErrCallbackInvalid)
	})
	t.Run("absent and not advertised", func(t *testing.T) {
		e := newEnv(t, func(p *providertest.Config, _ *account.Config) { p.DisableIssuerParameter = true })
		a := e.connect("user_1")
		c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
		if err != nil || !c.Account.Verified() {
			t.Fatalf("without RFC 9207: %v", err)
		}
	})
}

func TestIDTokenFaults(t *testing.T) {
	for _, fault := range providertest.IDTokenFaults {
		t.Run(string(fault), func(t *testing.T) {
			e := newEnv(t)
			a := e.connect("user_1")
			e.idp.SetFaults(providertest.Faults{IDToken: fault})
			c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
			wantCode(t, err, verification.ErrIDTokenInvalid)
			if c.Account.Verified() || c.Account.ProviderUserID != "" {
				t.Fatalf("verified with a bad ID token: %+v", c.Account)
			}
			if _, err := e.store.GetTokens(t.Context(), a.ID); !errors.Is(err, verification.ErrResourceNotFound) {
				t.Fatalf("tokens stored after a bad ID token: %v", err)
			}
		})
	}
}

func TestUserinfoSubjectMismatch(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	e.idp.SetFaults(providertest.Faults{UserinfoSubject: "someone-else"})
	c, err := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
	wantCode(t, err, verification.ErrFetchUser)
	if c.Account.Verified() {
		t.Fatal("verified with another subject's userinfo")
	}
}

func TestIdentityOwnedByAnotherUser(t *testing.T) {
	e := newEnv(t)
	e.addUser("sub-shared", "shared@example.com")
	first := e.link("user_a", "sub-shared")
	firstTokens, _ := e.store.GetTokens(t.Context(), first.ID)

	b := e.connect("user_b")
	c, err := e.complete(e.authorize(b.Verification.ExternalVerificationRedirectURL, "sub-shared"))
	wantCode(t, err, verification.ErrExternalAccountExists)
	v := c.Account.Verification
	if v.Status != verification.StatusFailed || !errors.Is(v.Error, verification.ErrExternalAccountExists) || c.Account.ProviderUserID != "" {
		t.Fatalf("second user's account: %+v", c.Account)
	}
	after := e.get("user_a", first.ID)
	afterTokens, _ := e.store.GetTokens(t.Context(), first.ID)
	if after.Version != first.Version || !after.Verified() || !bytes.Equal(afterTokens.Blob, firstTokens.Blob) {
		t.Fatal("the first user's account was touched")
	}
	if _, err := e.store.GetTokens(t.Context(), b.ID); !errors.Is(err, verification.ErrResourceNotFound) {
		t.Fatal("tokens stored for the losing account")
	}
}

func TestSameUserSameIdentityTwice(t *testing.T) {
	e := newEnv(t)
	e.link("user_1", "sub-1")
	b := e.connect("user_1")
	c, err := e.complete(e.authorize(b.Verification.ExternalVerificationRedirectURL, "sub-1"))
	wantCode(t, err, verification.ErrAlreadyConnected)
	if c.Account.Verification.Status != verification.StatusFailed {
		t.Fatalf("status %s", c.Account.Verification.Status)
	}
}

func TestSeveralAccountsOfOneProvider(t *testing.T) {
	e := newEnv(t)
	work, err := e.svc.Connect(t.Context(), account.ConnectParams{Binding: testBinding, UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Label: "Work"})
	if err != nil {
		t.Fatal(err)
	}
	home, err := e.svc.Connect(t.Context(), account.ConnectParams{Binding: testBinding, UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Label: "Home"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		a   *account.ExternalAccount
		sub string
	}{{work, "sub-work"}, {home, "sub-home"}} {
		if _, err := e.complete(e.authorize(x.a.Verification.ExternalVerificationRedirectURL, x.sub)); err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.svc.List(t.Context(), "user_1")
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
	labels := map[string]string{}
	for _, a := range list {
		if !a.Verified() {
			t.Fatalf("%s not verified", a.Label)
		}
		labels[a.Label] = a.ProviderUserID
	}
	if labels["Work"] != "sub-work" || labels["Home"] != "sub-home" {
		t.Fatalf("labels: %v", labels)
	}
}

func TestReauthorizeAddsScope(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{
		UserID: "user_1", AccountID: a.ID, AdditionalScopes: []string{"calendar.read"}, RedirectURL: "/after", Binding: testBinding,
	})
	if err != nil {
		t.Fatalf("Reauthorize: %v", err)
	}
	if r.Verification.Status != verification.StatusUnverified || r.ProviderUserID != "sub-1" || !slices.Equal(r.ApprovedScopes, a.ApprovedScopes) {
		t.Fatalf("pending reauthorization: %+v", r)
	}
	u, _ := url.Parse(r.Verification.ExternalVerificationRedirectURL)
	if !strings.Contains(u.Query().Get("scope"), "calendar.read") {
		t.Fatalf("scope requested: %q", u.Query().Get("scope"))
	}
	c, err := e.complete(e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-1"))
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if c.RedirectURL != "/after" || !c.Account.Verified() || !slices.Contains(c.Account.ApprovedScopes, "calendar.read") ||
		len(c.Account.ApprovedScopes) != len(a.ApprovedScopes)+1 {
		t.Fatalf("after reauthorize: %q %+v", c.Account.ApprovedScopes, c.Account.Verification)
	}
}

func TestReauthorizeKeepsRefreshToken(t *testing.T) {
	e := newEnv(t, func(p *providertest.Config, _ *account.Config) {
		// A provider that sends a refresh token only on the first consent.
		p.GrantScopes = func(req []string) []string { return req }
	})
	a := e.link("user_1", "sub-1")
	firstRefresh := ""
	for _, tok := range e.idp.Tokens() {
		if tok.Type == "refresh_token" {
			firstRefresh = tok.Value
		}
	}
	if firstRefresh == "" {
		t.Skip("providertest issued no refresh token")
	}
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.complete(e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-1")); err != nil {
		t.Fatal(err)
	}
	// Destroy revokes the refresh token the account holds; it must be a
	// refresh token the provider issued.
	if err := e.svc.Destroy(t.Context(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	revoked := 0
	for _, tok := range e.idp.Tokens() {
		if tok.Type == "refresh_token" && tok.Revoked {
			revoked++
		}
	}
	if revoked == 0 {
		t.Fatal("no refresh token revoked on destroy")
	}
}

func TestReauthorizeDifferentIdentity(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	before, _ := e.store.GetTokens(t.Context(), a.ID)
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, AdditionalScopes: []string{"extra"}, RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.complete(e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-2"))
	wantCode(t, err, verification.ErrIdentityMismatch)
	got := c.Account
	if got.Verification.Status != verification.StatusFailed || got.ProviderUserID != "sub-1" ||
		!slices.Equal(got.ApprovedScopes, a.ApprovedScopes) || got.EmailAddress != a.EmailAddress {
		t.Fatalf("previous grant not intact: %+v", got)
	}
	after, _ := e.store.GetTokens(t.Context(), a.ID)
	if !bytes.Equal(before.Blob, after.Blob) || before.Version != after.Version {
		t.Fatal("tokens changed by a failed reauthorization")
	}
	if _, err := e.store.FindAccountByIdentity(t.Context(), devStrategy, "sub-2"); !errors.Is(err, verification.ErrExternalAccountNotFound) {
		t.Fatal("the other identity was linked")
	}
}

func TestReauthorizeExpiredKeepsGrant(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, AdditionalScopes: []string{"x"}, RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-1")
	e.clock.Advance(11 * time.Minute)
	_, err = e.complete(p)
	wantCode(t, err, verification.ErrVerificationExpired)
	got := e.get("user_1", a.ID)
	if got.ProviderUserID != "sub-1" || !slices.Equal(got.ApprovedScopes, a.ApprovedScopes) {
		t.Fatalf("grant lost: %+v", got)
	}
	if _, err := e.store.GetTokens(t.Context(), a.ID); err != nil {
		t.Fatalf("tokens lost: %v", err)
	}
}

func TestSupersededFlow(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	r1, _ := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, RedirectURL: "/"})
	p1 := e.authorize(r1.Verification.ExternalVerificationRedirectURL, "sub-1")
	r2, _ := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, RedirectURL: "/"})
	c, err := e.complete(p1)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("a superseded flow completed")
	}
	if _, err := e.complete(e.authorize(r2.Verification.ExternalVerificationRedirectURL, "sub-1")); err != nil {
		t.Fatalf("current flow: %v", err)
	}
}

func TestDestroy(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	if err := e.svc.Destroy(t.Context(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Get(t.Context(), "user_1", a.ID)
	wantCode(t, err, verification.ErrExternalAccountNotFound)
	if _, err := e.store.GetTokens(t.Context(), a.ID); !errors.Is(err, verification.ErrResourceNotFound) {
		t.Fatalf("tokens survive destroy: %v", err)
	}
	revoked := 0
	for _, tok := range e.idp.Tokens() {
		if tok.Revoked {
			revoked++
		}
	}
	if revoked == 0 || e.idp.Stats().RevocationRequests == 0 {
		t.Fatal("tokens not revoked at the provider")
	}
	wantCode(t, e.svc.Destroy(t.Context(), "user_1", a.ID), verification.ErrExternalAccountNotFound)
	// The identity is free: connecting it again works.
	e.link("user_1", "sub-1")
}

func TestUsersAreIsolated(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_a", "sub-a")
	_, err := e.svc.Get(t.Context(), "user_b", a.ID)
	wantCode(t, err, verification.ErrExternalAccountNotFound)
	wantCode(t, e.svc.Destroy(t.Context(), "user_b", a.ID), verification.ErrExternalAccountNotFound)
	_, err = e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_b", AccountID: a.ID, RedirectURL: "/"})
	wantCode(t, err, verification.ErrExternalAccountNotFound)
	if list, _ := e.svc.List(t.Context(), "user_b"); len(list) != 0 {
		t.Fatal("user_b lists user_a's account")
	}
	if !e.get("user_a", a.ID).Verified() {
		t.Fatal("user_a's account changed")
	}
}

func TestBrowserBinding(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: "browser-1-secret"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "attacker-sub")
	p.Binding = "victim-browser"
	c, err := e.complete(p)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c != nil {
		t.Fatal("a callback from another browser got a redirect")
	}
	got := e.get("user_1", a.ID)
	if got.Verified() || got.Verification.Attempts != 1 || got.Verification.ExternalVerificationRedirectURL == "" {
		t.Fatalf("after a foreign callback: %+v", got.Verification)
	}
	// The rightful browser retries with the fresh URL.
	p = e.authorize(got.Verification.ExternalVerificationRedirectURL, "sub-1")
	p.Binding, p.UserID = "browser-1-secret", "user_1"
	if c, err := e.complete(p); err != nil || !c.Account.Verified() {
		t.Fatalf("rightful callback: %v", err)
	}

	b, _ := e.svc.Connect(t.Context(), account.ConnectParams{Binding: testBinding, UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/"})
	p = e.authorize(b.Verification.ExternalVerificationRedirectURL, "sub-2")
	p.UserID = "user_2"
	_, err = e.complete(p)
	wantCode(t, err, verification.ErrCallbackInvalid)
}

func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("é", 256)
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("s%d", i)
	}
	ok := account.ConnectParams{Binding: testBinding, UserID: "user_1", Strategy: "oauth_custom_dev", RedirectURL: "/"}
	tests := []struct {
		name  string
		edit  func(*account.ConnectParams)
		want  *verification.Error
		param string
	}{
		{"unknown strategy", func(p *account.ConnectParams) { p.Strategy = "google" }, verification.ErrStrategyInvalid, "strategy"},
		{"strategy not enabled", func(p *account.ConnectParams) { p.Strategy = "oauth_github" }, verification.ErrProviderNotEnabled, "strategy"},
		{"empty user", func(p *account.ConnectParams) { p.UserID = "" }, verification.ErrAuthenticationInvalid, ""},
		{"redirect javascript", func(p *account.ConnectParams) { p.RedirectURL = "javascript:alert(1)" }, verification.ErrFormParamInvalid, "redirect_url"},
		{"redirect ftp", func(p *account.ConnectParams) { p.RedirectURL = "ftp://x/" }, verification.ErrFormParamInvalid, "redirect_url"},
		{"redirect protocol-relative", func(p *account.ConnectParams) { p.RedirectURL = "//evil.com" }, verification.ErrFormParamInvalid, "redirect_url"},
		{"redirect missing", func(p *account.ConnectParams) { p.RedirectURL = "" }, verification.ErrFormParamMissing, "redirect_url"},
		{"label too long", func(p *account.ConnectParams) { p.Label = long }, verification.ErrFormParamInvalid, "label"},
		{"label control", func(p *account.ConnectParams) { p.Label = "a\x00b" }, verification.ErrFormParamInvalid, "label"},
		{"51 scopes", func(p *account.ConnectParams) { p.AdditionalScopes = many }, verification.ErrFormParamInvalid, "additional_scope"},
		{"scope with space", func(p *account.ConnectParams) { p.AdditionalScopes = []string{"a b"} }, verification.ErrFormParamInvalid, "additional_scope"},
		{"scope with newline", func(p *account.ConnectParams) { p.AdditionalScopes = []string{"a\nb"} }, verification.ErrFormParamInvalid, "additional_scope"},
		{"empty scope", func(p *account.ConnectParams) { p.AdditionalScopes = []string{""} }, verification.ErrFormParamInvalid, "additional_scope"},
		{"bad prompt", func(p *account.ConnectParams) { p.OIDCPrompt = "always" }, verification.ErrFormParamInvalid, "oidc_prompt"},
		{"prompt none with consent", func(p *account.ConnectParams) { p.OIDCPrompt = "none consent" }, verification.ErrFormParamInvalid, "oidc_prompt"},
		{"login hint control", func(p *account.ConnectParams) { p.OIDCLoginHint = "a\r\nb" }, verification.ErrFormParamInvalid, "oidc_login_hint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			a, err := e.svc.Connect(t.Context(), p)
			wantCode(t, err, tc.want)
			if a != nil {
				t.Fatal("an account came back with an error")
			}
			if got := verification.AsError(err).Meta["param_name"]; got != tc.param {
				t.Fatalf("param_name = %q, want %q", got, tc.param)
			}
		})
	}
	if list, _ := e.svc.List(t.Context(), "user_1"); len(list) != 0 || e.flows.count() != 0 {
		t.Fatalf("bad input stored %d accounts and %d flows", len(list), e.flows.count())
	}
	p := ok
	p.Label, p.AdditionalScopes = strings.Repeat("é", 255), many[:50]
	if _, err := e.svc.Connect(t.Context(), p); err != nil {
		t.Fatalf("limits exactly: %v", err)
	}
	_, err := e.svc.List(t.Context(), "")
	wantCode(t, err, verification.ErrAuthenticationInvalid)
}

func TestConcurrentCallbacksOneState(t *testing.T) {
	e := newEnv(t)
	a := e.connect("user_1")
	p := e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1")
	const n = 50
	var ok, invalid atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			c, err := e.svc.Complete(context.Background(), p)
			switch {
			case err == nil && c.Account.Verified():
				ok.Add(1)
			case errors.Is(err, verification.ErrCallbackInvalid) && c == nil:
				invalid.Add(1)
			default:
				t.Errorf("Complete: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || invalid.Load() != n-1 {
		t.Fatalf("%d callbacks verified and %d were refused, want 1 and %d", ok.Load(), invalid.Load(), n-1)
	}
	if got := e.get("user_1", a.ID); got.Verification.Attempts != 1 || e.idp.Stats().CodeExchanges != 1 {
		t.Fatalf("attempts %d, code exchanges %d", got.Verification.Attempts, e.idp.Stats().CodeExchanges)
	}
}

func TestConcurrentUsersOneIdentity(t *testing.T) {
	e := newEnv(t)
	const n = 20
	params := make([]account.CallbackParams, n)
	for i := range params {
		a := e.connect(fmt.Sprintf("user_%d", i))
		params[i] = e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-contested")
	}
	var verified, exists atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, p := range params {
		wg.Go(func() {
			<-start
			c, err := e.svc.Complete(context.Background(), p)
			switch {
			case err == nil && c.Account.Verified():
				verified.Add(1)
			case errors.Is(err, verification.ErrExternalAccountExists) && c.Account.Verification.Status == verification.StatusFailed:
				exists.Add(1)
			default:
				t.Errorf("Complete: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if verified.Load() != 1 || exists.Load() != n-1 {
		t.Fatalf("%d verified and %d got external_account_exists, want 1 and %d", verified.Load(), exists.Load(), n-1)
	}
}

func TestTokensBoundToAccount(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	b := e.link("user_1", "sub-2")
	revocations := e.idp.Stats().RevocationRequests
	// Move a's sealed tokens onto b, as a thief with write access to the
	// store would: they do not open for b, so nothing is revoked with them.
	sa, _ := e.store.GetTokens(t.Context(), a.ID)
	sb, _ := e.store.GetTokens(t.Context(), b.ID)
	if err := e.store.SwapTokens(t.Context(), &account.SealedTokens{AccountID: b.ID, Blob: sa.Blob, Version: sb.Version}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Destroy(t.Context(), "user_1", b.ID); err != nil {
		t.Fatal(err)
	}
	if e.idp.Stats().RevocationRequests != revocations {
		t.Fatal("tokens moved to another account were opened")
	}
	if !strings.Contains(e.logs.String(), "tokens unreadable") {
		t.Fatal("unreadable tokens not logged")
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	// The host rotates: a new primary key, the old one kept for opening.
	rotated, err := account.NewKeyring(account.GenerateKey("k2"), e.oldKey)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := provider.NewRegistry(e.prov)
	svc, err := account.New(account.Config{
		Accounts: e.store, Flows: e.store, Providers: reg, Keyring: rotated,
		CallbackURL: callbackURL, Now: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A reauthorization reseals with the new key.
	r, err := svc.Reauthorize(t.Context(), account.ReauthorizeParams{Binding: testBinding, UserID: "user_1", AccountID: a.ID, RedirectURL: "/"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != a.ID {
		t.Fatal("reauthorize changed the id")
	}
	e.idp.SetLogin("sub-1")
	cb, err := providertest.Authorize(t.Context(), e.idp.Client(), r.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	q := cb.Query()
	if _, err := svc.Complete(t.Context(), account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: testBinding}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.store.GetTokens(t.Context(), a.ID)
	if account.SealedKeyID(st.Blob) != "k2" {
		t.Fatalf("resealed with %q, want k2", account.SealedKeyID(st.Blob))
	}
	b := e.link("user_1", "sub-2") // sealed with k1 by the old service
	revocations := e.idp.Stats().RevocationRequests
	if err := svc.Destroy(t.Context(), "user_1", b.ID); err != nil {
		t.Fatal(err)
	}
	if e.idp.Stats().RevocationRequests == revocations {
		t.Fatal("the rotated keyring did not open tokens sealed with the old key")
	}
}

func TestNewConfig(t *testing.T) {
	s := memstore.New(memstore.Options{})
	reg, _ := provider.NewRegistry()
	kr, _ := account.NewKeyring(account.GenerateKey("k"))
	base := account.Config{Accounts: s, Flows: s, Providers: reg, Keyring: kr, CallbackURL: "https://app.example/cb"}
	if _, err := account.New(base); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := []func(*account.Config){
		func(c *account.Config) { c.Accounts = nil },
		func(c *account.Config) { c.Flows = nil },
		func(c *account.Config) { c.Providers = nil },
		func(c *account.Config) { c.Keyring = nil },
		func(c *account.Config) { c.CallbackURL = "" },
		func(c *account.Config) { c.CallbackURL = "/relative" },
		func(c *account.Config) { c.CallbackURL = "https://u:p@app.example/cb" },
		func(c *account.Config) { c.CallbackURL = "ftp://app.example/cb" },
	}
	for i, edit := range bad {
		c := base
		edit(&c)
		if _, err := account.New(c); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
}

func TestAccessToken(t *testing.T) {
	e := newEnv(t)
	a := e.link("user_1", "sub-1")
	tok, err := e.svc.AccessToken(t.Context(), "user_1", a.ID)
	if err != nil || tok.Token == "" || e.idp.Stats().Refreshes != 0 {
		t.Fatalf("fresh token: %v, refreshes %d", err, e.idp.Stats().Refreshes)
	}
	before, _ := e.store.GetTokens(t.Context(), a.ID)

	// An hour later the token is about to expire: one refresh, shared by
	// 50 concurrent callers.
	e.clock.Advance(time.Hour - 30*time.Second)
	const n = 50
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, err := e.svc.AccessToken(context.Background(), "user_1", a.ID)
			if err != nil {
				t.Errorf("AccessToken: %v", err)
				return
			}
			got[i] = tk.Token
		})
	}
	wg.Wait()
	if r := e.idp.Stats().Refreshes; r != 1 {
		t.Fatalf("%d refreshes for %d concurrent callers, want 1", r, n)
	}
	for _, g := range got {
		if g == tok.Token || g != got[0] {
			t.Fatalf("callers got different or stale tokens")
		}
	}
	after, _ := e.store.GetTokens(t.Context(), a.ID)
	if after.Version != before.Version+1 || bytes.Equal(after.Blob, before.Blob) {
		t.Fatalf("refreshed tokens not stored: v%d -> v%d", before.Version, after.Version)
	}
	checkSealed(t, e, a.ID)
	// The rotated refresh token replaced the old one: the old one is spent.
	rotated := 0
	for _, ti := range e.idp.Tokens() {
		if ti.Type == "refresh_token" && ti.Rotated {
			rotated++
		}
	}
	if rotated != 1 {
		t.Fatalf("%d refresh tokens rotated, want 1", rotated)
	}
	if _, err := e.svc.AccessToken(t.Context(), "user_1", a.ID); err != nil || e.idp.Stats().Refreshes != 1 {
		t.Fatalf("a fresh token was refreshed again: %v", err)
	}

	// Another user's account is not found; a revoked grant is reported.
	_, err = e.svc.AccessToken(t.Context(), "user_2", a.ID)
	wantCode(t, err, verification.ErrExternalAccountNotFound)
	for _, ti := range e.idp.Tokens() {
		if !ti.Revoked && ti.Type == "refresh_token" && !ti.Rotated {
			if err := e.prov.Revoke(t.Context(), ti.Value, "refresh_token"); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Advance(2 * time.Hour)
	_, err = e.svc.AccessToken(t.Context(), "user_1", a.ID)
	wantCode(t, err, verification.ErrMissingRefreshToken)
	refreshes := e.idp.Stats()
	// The dead grant is visible on the account, and not retried.
	dead := e.get("user_1", a.ID)
	if !dead.Verified() || !errors.Is(dead.Verification.Error, verification.ErrMissingRefreshToken) {
		t.Fatalf("after invalid_grant the account reads %+v", dead.Verification)
	}
	_, err = e.svc.AccessToken(t.Context(), "user_1", a.ID)
	wantCode(t, err, verification.ErrMissingRefreshToken)
	if st := e.idp.Stats(); st != refreshes {
		t.Fatalf("the provider was called again after the grant died: %+v, then %+v", refreshes, st)
	}
	// A successful reauthorization clears it.
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{UserID: "user_1", AccountID: a.ID, RedirectURL: "/", Binding: testBinding})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.complete(e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-1")); err != nil || c.Account.Verification.Error != nil {
		t.Fatalf("reauthorize after a lost grant: %v %+v", err, c.Account.Verification)
	}
	if _, err := e.svc.AccessToken(t.Context(), "user_1", a.ID); err != nil {
		t.Fatalf("AccessToken after reauthorizing: %v", err)
	}

	b := e.connect("user_1")
	_, err = e.svc.AccessToken(t.Context(), "user_1", b.ID)
	wantCode(t, err, verification.ErrTokenRetrieval)
}
