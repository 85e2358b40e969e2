package account_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/twitter"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// The OAuth 1.0a flows (provider.OAuth1) run end to end: the Service,
// provider/twitter and providertest's X server, which checks every
// signature.

// snowflake is an X account id past what a float64 holds.
const snowflake = "1790012345678901234"

type oauth1Env struct {
	t     *testing.T
	x     *providertest.OAuth1
	store *memstore.Store
	svc   *account.Service
	logs  *testkit.LogBuffer
}

func newOAuth1Env(t *testing.T) *oauth1Env {
	t.Helper()
	e := &oauth1Env{t: t, x: providertest.NewOAuth1(t, providertest.OAuth1Config{}), logs: &testkit.LogBuffer{}}
	e.x.AddUser(providertest.OAuth1User{ID: snowflake, ScreenName: "ada", Name: "Ada Lovelace", Email: "ada@example.com"})
	e.x.AddUser(providertest.OAuth1User{ID: "12", ScreenName: "jack", Name: "Jack"})
	key, secret := e.x.Consumer()
	p, err := twitter.New(twitter.Config{
		Credentials: provider.Credentials{ClientID: key, ClientSecret: secret},
		BaseURL:     e.x.URL,
		HTTP:        provider.HTTPSettings{Timeout: 30 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := provider.NewRegistry(p)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	e.store = memstore.New(memstore.Options{})
	e.svc, err = account.New(account.Config{
		Accounts: e.store, Flows: e.store, Providers: reg, Keyring: kr, CallbackURL: callbackURL,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.checkNoLeaks)
	return e
}

func (e *oauth1Env) connect(user string) *account.ExternalAccount {
	e.t.Helper()
	a, err := e.svc.Connect(e.t.Context(), account.ConnectParams{
		UserID: user, Strategy: "oauth_twitter", RedirectURL: "/settings", Binding: "browser-" + user,
	})
	if err != nil {
		e.t.Fatalf("Connect: %v", err)
	}
	return a
}

// callback is what X sends the browser of user back with, after the user
// with xUser approved (or, when xUser is "", denied) the authorization at
// authURL.
func (e *oauth1Env) callback(user, authURL, xUser string) account.CallbackParams {
	e.t.Helper()
	var raw string
	var err error
	if xUser == "" {
		raw, err = e.x.Deny(authURL)
	} else {
		raw, err = e.x.Approve(authURL, xUser)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != callbackURL {
		e.t.Fatalf("X calls back %s, want the Service's callback URL", got)
	}
	q := u.Query()
	p := account.CallbackParams{State: q.Get("state"), Binding: "browser-" + user}
	q.Del("state")
	p.Extra = q
	return p
}

// checkNoLeaks looks for every credential X issued in the logs.
func (e *oauth1Env) checkNoLeaks() {
	logs := e.logs.String()
	for _, c := range e.x.Credentials("") {
		for _, s := range []string{c.Token, c.Secret, c.Verifier} {
			if len(s) >= 8 && strings.Contains(logs, s) {
				e.t.Errorf("a %s credential's secret appears in the logs", c.Kind)
			}
		}
	}
}

func TestOAuth1ConnectComplete(t *testing.T) {
	e := newOAuth1Env(t)
	a := e.connect("user_1")
	authURL := a.Verification.ExternalVerificationRedirectURL
	if !strings.HasPrefix(authURL, e.x.URL+"/oauth/authenticate?") {
		t.Fatalf("redirect URL %q is not X's authentication page", authURL)
	}
	p := e.callback("user_1", authURL, snowflake)
	if p.State == "" || len(p.Extra["oauth_verifier"]) != 1 {
		t.Fatalf("callback %+v lacks the state or the verifier", p)
	}
	c, err := e.svc.Complete(t.Context(), p)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	got := c.Account
	if got.Verification.Status != verification.StatusVerified || got.ProviderUserID != snowflake ||
		got.Username != "ada" || got.FirstName != "Ada" || got.LastName != "Lovelace" ||
		got.EmailAddress != "ada@example.com" || got.EmailAddressVerified == nil || !*got.EmailAddressVerified ||
		len(got.ApprovedScopes) != 0 || c.RedirectURL != "/settings" {
		t.Fatalf("account after the callback: %+v", got)
	}

	tok, err := e.svc.AccessToken(t.Context(), "user_1", got.ID)
	if err != nil {
		t.Fatal(err)
	}
	issued, ok := e.x.Lookup(tok.Token)
	if !ok || issued.Kind != "token" || issued.UserID != snowflake || tok.TokenSecret != issued.Secret ||
		tok.TokenType != twitter.TokenType || !tok.Expiry.IsZero() {
		t.Fatalf("AccessToken: type %q, issued %+v (known %t), secret matches %t", tok.TokenType, issued.Kind, ok, tok.TokenSecret == issued.Secret)
	}
	_, sealed, err := e.store.GetAccountTokens(t.Context(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed.Blob, []byte(issued.Secret)) || bytes.Contains(sealed.Blob, []byte(issued.Token)) {
		t.Fatal("the store holds the token credentials in clear")
	}
	if n := len(e.x.Credentials("temporary")); n != 1 {
		t.Errorf("%d temporary credentials requested, want 1", n)
	}
	if f := e.x.Stats().SignatureFailures; f != 0 {
		t.Errorf("%d requests failed X's signature check", f)
	}

	// The callback is single use.
	if c, err := e.svc.Complete(t.Context(), p); c != nil || !errors.Is(err, verification.ErrCallbackInvalid) {
		t.Fatalf("replayed callback: %v, %v", c, err)
	}

	// Destroying the account invalidates its token credentials at X.
	if err := e.svc.Destroy(t.Context(), "user_1", got.ID); err != nil {
		t.Fatal(err)
	}
	if cred, _ := e.x.Lookup(tok.Token); !cred.Revoked || e.x.Stats().Revocations != 1 {
		t.Fatalf("after Destroy: revoked %t, %d revocations", cred.Revoked, e.x.Stats().Revocations)
	}
}

func TestOAuth1DeniedThenRetried(t *testing.T) {
	e := newOAuth1Env(t)
	a := e.connect("user_1")
	first := a.Verification.ExternalVerificationRedirectURL
	c, err := e.svc.Complete(t.Context(), e.callback("user_1", first, ""))
	wantCode(t, err, verification.ErrAccessDenied)
	retry := c.Account.Verification
	if retry.Status != verification.StatusUnverified || retry.ExternalVerificationRedirectURL == "" || retry.ExternalVerificationRedirectURL == first {
		t.Fatalf("after a denial: %+v, want unverified with fresh temporary credentials", retry)
	}
	c, err = e.svc.Complete(t.Context(), e.callback("user_1", retry.ExternalVerificationRedirectURL, "12"))
	if err != nil || c.Account.ProviderUserID != "12" || c.Account.EmailAddress != "" || c.Account.EmailAddressVerified != nil {
		t.Fatalf("retry: %v, %+v", err, c)
	}
}

// A callback whose oauth_token belongs to another flow (an attacker's
// approval spliced onto the victim's state) is refused before the
// verifier is sent anywhere, and the other flow still completes.
func TestOAuth1CallbackWithAnotherFlowsToken(t *testing.T) {
	e := newOAuth1Env(t)
	victim := e.connect("user_1")
	other := e.connect("user_1")
	pv := e.callback("user_1", victim.Verification.ExternalVerificationRedirectURL, snowflake)
	po := e.callback("user_1", other.Verification.ExternalVerificationRedirectURL, "12")
	spliced := pv
	spliced.Extra = po.Extra
	before := e.x.Stats().Requests["/oauth/access_token"]
	c, err := e.svc.Complete(t.Context(), spliced)
	wantCode(t, err, verification.ErrCallbackInvalid)
	if c == nil || c.Account.HasIdentity() || e.x.Stats().Requests["/oauth/access_token"] != before {
		t.Fatalf("spliced callback: %+v; access_token requests %d -> %d", c, before, e.x.Stats().Requests["/oauth/access_token"])
	}
	if c, err := e.svc.Complete(t.Context(), po); err != nil || c.Account.ProviderUserID != "12" {
		t.Fatalf("the other flow: %v, %+v", err, c)
	}
}

// X going away between the authorization and the callback: the exchange
// fails and no fresh flow can be started, so the verification ends at
// once with the error (no redirect URL to a flow that cannot work); a new
// Connect fails cleanly and stores nothing.
func TestOAuth1ProviderDown(t *testing.T) {
	e := newOAuth1Env(t)
	a := e.connect("user_1")
	p := e.callback("user_1", a.Verification.ExternalVerificationRedirectURL, snowflake)
	e.x.Close()
	c, err := e.svc.Complete(t.Context(), p)
	wantCode(t, err, verification.ErrTokenExchange)
	v := c.Account.Verification
	if v.Status != verification.StatusFailed || v.Error == nil || v.Error.Code != verification.ErrTokenExchange.Code || v.ExternalVerificationRedirectURL != "" {
		t.Fatalf("verification after the outage: %+v", v)
	}
	_, err = e.svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: "oauth_twitter", RedirectURL: "/settings", Binding: "browser-user_1"})
	wantCode(t, err, verification.ErrTokenExchange)
	if as, err := e.svc.List(t.Context(), "user_1"); err != nil || len(as) != 1 {
		t.Fatalf("accounts after a failed Connect: %d (%v), want the one failed before", len(as), err)
	}
}

// OAuth 1.0a has no scopes: a Connect asking for some is refused.
func TestOAuth1Scopes(t *testing.T) {
	e := newOAuth1Env(t)
	_, err := e.svc.Connect(t.Context(), account.ConnectParams{
		UserID: "user_1", Strategy: "oauth_twitter", RedirectURL: "/settings", Binding: "b", AdditionalScopes: []string{"tweet.read"},
	})
	wantCode(t, err, verification.ErrFormParamInvalid)
	if n := len(e.x.Credentials("temporary")); n != 0 {
		t.Fatalf("%d temporary credentials requested for a refused Connect", n)
	}
}

func TestOAuth1SignIn(t *testing.T) {
	e := newOAuth1Env(t)
	ctx := context.Background()
	// An identity nobody owns: the attempt becomes transferable.
	at, err := e.svc.SignIn(ctx, account.StartParams{Binding: "browser-anon", Strategy: "oauth_twitter", RedirectURL: "/signed-in"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Complete(ctx, e.callback("anon", at.Verification.ExternalVerificationRedirectURL, snowflake))
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Attempt.Verification; v.Status != verification.StatusTransferable || !errors.Is(v.Error, verification.ErrExternalAccountNotFound) ||
		c.Attempt.Identity == nil || c.Attempt.Identity.ProviderUserID != snowflake || c.Attempt.Identity.Username != "ada" {
		t.Fatalf("sign-in of an unknown identity: %+v", c.Attempt)
	}

	// An identity a user owns signs that user in.
	a := e.connect("user_1")
	if _, err := e.svc.Complete(ctx, e.callback("user_1", a.Verification.ExternalVerificationRedirectURL, "12")); err != nil {
		t.Fatal(err)
	}
	at, err = e.svc.SignIn(ctx, account.StartParams{Binding: "browser-2", Strategy: "oauth_twitter", RedirectURL: "/signed-in"})
	if err != nil {
		t.Fatal(err)
	}
	c, err = e.svc.Complete(ctx, e.callback("2", at.Verification.ExternalVerificationRedirectURL, "12"))
	if err != nil || c.Attempt == nil || c.Attempt.Status != account.StatusComplete || c.Attempt.UserID != "user_1" {
		t.Fatalf("sign-in of user_1's identity: %v, %+v", err, c)
	}
}

// Twenty deliveries of one callback at once: one verifies the account, the
// others are refused, and X sees the verifier redeemed once.
func TestOAuth1CallbackRaced(t *testing.T) {
	e := newOAuth1Env(t)
	a := e.connect("user_1")
	p := e.callback("user_1", a.Verification.ExternalVerificationRedirectURL, snowflake)
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	verified := 0
	for range n {
		wg.Go(func() {
			c, err := e.svc.Complete(context.Background(), p)
			if err == nil && c.Account.Verification.Status == verification.StatusVerified {
				mu.Lock()
				verified++
				mu.Unlock()
			} else if !errors.Is(err, verification.ErrCallbackInvalid) {
				t.Errorf("a raced callback: %v", err)
			}
		})
	}
	wg.Wait()
	if verified != 1 {
		t.Fatalf("%d callbacks verified the account, want 1", verified)
	}
	if got := e.x.Stats().Requests["/oauth/access_token"]; got != 1 {
		t.Fatalf("X got %d access_token requests, want 1", got)
	}
	if got, err := e.svc.Get(context.Background(), "user_1", a.ID); err != nil || got.Verification.Status != verification.StatusVerified {
		t.Fatalf("account after the race: %v, %+v", err, got)
	}
}
