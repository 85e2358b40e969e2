package httpadapter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
)

// hostUsers is a host's sign-up and session start for the tests: sessions
// are the "session" cookie sessionUser reads.
type hostUsers struct {
	mu      sync.Mutex
	created []string
	n       atomic.Int32
}

func (u *hostUsers) options(o *Options) {
	o.SignIn = SignInOptions{
		StartSession: func(w http.ResponseWriter, _ *http.Request, userID string) error {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: userID, Path: "/", HttpOnly: true})
			return nil
		},
		CreateUser: func(_ *http.Request, id *account.HeldIdentity) (string, error) {
			userID := fmt.Sprintf("user_new_%d", u.n.Add(1))
			u.mu.Lock()
			u.created = append(u.created, userID+"="+id.ProviderUserID)
			u.mu.Unlock()
			return userID, nil
		},
	}
}

// sessionOf returns the user the browser is signed in as.
func (b *browser) sessionOf() string {
	u, _ := url.Parse(b.e.base)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

type attemptJSON struct {
	Object        string `json:"object"`
	ID            string `json:"id"`
	Status        string `json:"status"`
	FirstFactor   *verificationJSON
	Verifications *struct {
		ExternalAccount verificationJSON `json:"external_account"`
	} `json:"verifications"`
	CreatedUserID *string `json:"created_user_id"`
	EmailAddress  *string `json:"email_address"`
}

type verificationJSON struct {
	Status      string `json:"status"`
	RedirectURL string `json:"external_verification_redirect_url"`
	Error       *struct {
		Code string `json:"code"`
	} `json:"error"`
}

func (a *attemptJSON) UnmarshalJSON(b []byte) error {
	type plain attemptJSON
	var p struct {
		plain
		FFV *verificationJSON `json:"first_factor_verification"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = attemptJSON(p.plain)
	a.FirstFactor = p.FFV
	return nil
}

func (a *attemptJSON) verification() verificationJSON {
	if a.FirstFactor != nil {
		return *a.FirstFactor
	}
	if a.Verifications != nil {
		return a.Verifications.ExternalAccount
	}
	return verificationJSON{}
}

func decodeAttempt(t *testing.T, res result) attemptJSON {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res)
	}
	var a attemptJSON
	if err := json.Unmarshal(res.body, &a); err != nil {
		t.Fatalf("attempt: %v %s", err, res)
	}
	return a
}

// signIn starts a sign-in (or sign-up) in b and runs it through the
// provider as sub; it returns the callback's response.
func (b *browser) signIn(path, sub string) result {
	b.e.t.Helper()
	a := decodeAttempt(b.e.t, b.postForm(b.e.url(path), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/home"}}))
	v := a.verification()
	if v.Status != "unverified" || v.RedirectURL == "" {
		b.e.t.Fatalf("started %s: %+v", path, a)
	}
	b.e.login(sub)
	res := b.get(v.RedirectURL)
	return b.get(res.header.Get("Location"))
}

func (b *browser) client() (signIn, signUp *attemptJSON) {
	b.e.t.Helper()
	res := b.get(b.e.url("/client"))
	var c struct {
		Object string       `json:"object"`
		SignIn *attemptJSON `json:"sign_in"`
		SignUp *attemptJSON `json:"sign_up"`
	}
	if res.status != http.StatusOK || json.Unmarshal(res.body, &c) != nil || c.Object != "client" {
		b.e.t.Fatalf("client: %d %s", res.status, res)
	}
	return c.SignIn, c.SignUp
}

func TestSignInRoutes(t *testing.T) {
	var users hostUsers
	eachProvider(t, envConfig{opts: users.options}, func(t *testing.T, e *env) {
		// An identity linked to alice signs alice in.
		alice := e.browser("alice")
		e.login("sub-alice")
		if res := alice.complete(alice.connect(url.Values{})); res.status >= 400 {
			t.Fatalf("connect: %s", res)
		}
		b := e.browser("")
		res := b.signIn("/sign_ins", "sub-alice")
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/home" {
			t.Fatalf("callback: %d %s", res.status, res)
		}
		if b.sessionOf() != "alice" {
			t.Fatalf("signed in as %q, want alice", b.sessionOf())
		}
		if si, _ := b.client(); si == nil || si.Status != "complete" || si.Object != "sign_in_attempt" {
			t.Fatalf("client sign_in = %+v", si)
		}
		if res := b.get(e.url("/me/external_accounts")); res.status != http.StatusOK || !strings.Contains(string(res.body), "sub-alice") {
			t.Fatalf("alice's accounts after signing in: %s", res)
		}

		// A new identity: transferable, then "create an account".
		c := e.browser("")
		c.signIn("/sign_ins", "sub-new")
		if c.sessionOf() != "" {
			t.Fatal("a new identity signed somebody in")
		}
		si, _ := c.client()
		if si == nil || si.verification().Status != "transferable" || si.verification().Error == nil || si.verification().Error.Code != "external_account_not_found" {
			t.Fatalf("sign_in of a new identity = %+v", si)
		}
		up := decodeAttempt(t, c.postForm(e.url("/sign_ups"), url.Values{"transfer": {"true"}}))
		if up.Status != "complete" || up.CreatedUserID == nil || c.sessionOf() != *up.CreatedUserID {
			t.Fatalf("sign_up transfer = %+v, session %q", up, c.sessionOf())
		}
		// Once only.
		wantError(t, c.postForm(e.url("/sign_ups"), url.Values{"transfer": {"true"}}), http.StatusNotFound, "resource_not_found", "")

		// A sign-up with a linked identity ends transferable, and a sign-in
		// transfer signs its owner in.
		d := e.browser("")
		d.signIn("/sign_ups", "sub-alice")
		_, su := d.client()
		if su == nil || su.verification().Status != "transferable" || su.verification().Error.Code != "external_account_exists" {
			t.Fatalf("sign_up of a linked identity = %+v", su)
		}
		in := decodeAttempt(t, d.postForm(e.url("/sign_ins"), url.Values{"transfer": {"true"}}))
		if in.Status != "complete" || d.sessionOf() != "alice" {
			t.Fatalf("sign_in transfer = %+v, session %q", in, d.sessionOf())
		}

		// A sign-up with a new identity creates the user at the callback.
		f := e.browser("")
		f.signIn("/sign_ups", "sub-fresh")
		if s := f.sessionOf(); !strings.HasPrefix(s, "user_new_") {
			t.Fatalf("sign-up of a new identity: session %q", s)
		}
	})
}

// An attacker's sign-in callback loaded in a victim's browser signs nobody
// in and links nothing.
func TestSignInLoginCSRF(t *testing.T) {
	var users hostUsers
	eachProvider(t, envConfig{opts: users.options}, func(t *testing.T, e *env) {
		attacker := e.browser("")
		a := decodeAttempt(t, attacker.postForm(e.url("/sign_ins"), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/home"}}))
		e.login("sub-attacker")
		cb := attacker.get(a.verification().RedirectURL).header.Get("Location")
		victim := e.browser("")
		wantError(t, victim.get(cb), http.StatusBadRequest, "oauth_callback_invalid", "")
		if victim.sessionOf() != "" {
			t.Fatal("the victim was signed in")
		}
		si, su := victim.client()
		if si != nil || su != nil {
			t.Fatalf("the victim's browser holds %+v %+v", si, su)
		}
		wantError(t, victim.postForm(e.url("/sign_ups"), url.Values{"transfer": {"true"}}), http.StatusNotFound, "resource_not_found", "")
		if users.n.Load() != 0 {
			t.Fatal("a user was created")
		}
		// Cross-origin sign-ins are refused.
		wantError(t, attacker.do(req{method: http.MethodPost, url: e.url("/sign_ins"), ctype: mediaForm,
			body: "strategy=oauth_custom_dev&redirect_url=/", header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden, "origin_invalid", "")
	})
}

func TestSignInRoutesOff(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("")
		for _, p := range []string{"/sign_ins", "/sign_ups"} {
			if res := b.postForm(e.url(p), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/"}}); res.status != http.StatusNotFound {
				t.Errorf("%s without SignInOptions: %d", p, res.status)
			}
		}
	})
	eachProvider(t, envConfig{opts: func(o *Options) {
		o.SignIn.StartSession = func(http.ResponseWriter, *http.Request, string) error { return nil }
	}}, func(t *testing.T, e *env) {
		b := e.browser("")
		wantError(t, b.postForm(e.url("/sign_ups"), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/"}}), http.StatusForbidden, "sign_up_unavailable", "")
		wantError(t, b.postForm(e.url("/sign_ins"), url.Values{"redirect_url": {"/"}}), http.StatusBadRequest, "form_param_missing", "strategy")
		wantError(t, b.postForm(e.url("/sign_ins"), url.Values{"transfer": {"maybe"}}), http.StatusBadRequest, "form_param_invalid", "transfer")
	})
}

// POST /sign_ins with an oauth_token_ strategy takes a native client's ID
// token: without one it is a missing parameter, a bad one is refused.
func TestIDTokenSignInRoute(t *testing.T) {
	var users hostUsers
	e := newEnv(t, envConfig{opts: users.options})
	b := e.browser("")
	wantError(t, b.postForm(e.url("/sign_ins"), url.Values{"strategy": {"oauth_token_custom_dev"}}), http.StatusBadRequest, "form_param_missing", "token")
	res := b.postForm(e.url("/sign_ins"), url.Values{"strategy": {"oauth_token_custom_dev"}, "token": {"not.a.jwt"}})
	if res.status < 400 || !strings.Contains(string(res.body), "oauth_id_token_invalid") {
		t.Fatalf("a bad ID token: %d %s", res.status, res)
	}
	if b.sessionOf() != "" {
		t.Fatal("a bad ID token signed somebody in")
	}
}

// A signed-out client cannot start sign-ins without bound: past its
// bucket it gets 429, others are not affected.
func TestSignInRateLimit(t *testing.T) {
	var users hostUsers
	e := newEnv(t, envConfig{opts: users.options})
	b := e.browser("")
	form := url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/"}}
	for i := range DefaultSignInBurst {
		if res := b.postForm(e.url("/sign_ins"), form); res.status != http.StatusOK {
			t.Fatalf("sign-in %d within the burst: %d %s", i, res.status, res)
		}
	}
	res := b.postForm(e.url("/sign_ins"), form)
	wantError(t, res, http.StatusTooManyRequests, "too_many_requests", "")
	if res.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// The limiter refills and forgets, bounded.
	l := newIPLimiter(2, time.Minute)
	clock := time.Now()
	l.now = func() time.Time { return clock }
	r := httptest.NewRequest("POST", "/sign_ins", nil)
	if !l.allow(r) || !l.allow(r) || l.allow(r) {
		t.Fatal("a bucket of 2 does not allow exactly 2")
	}
	clock = clock.Add(time.Minute)
	if !l.allow(r) {
		t.Fatal("the bucket did not refill")
	}
	for i := range maxLimiterClients + 10 {
		rr := httptest.NewRequest("POST", "/sign_ins", nil)
		rr.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
		clock = clock.Add(time.Millisecond)
		l.allow(rr)
	}
	if len(l.clients) > maxLimiterClients {
		t.Fatalf("the limiter keeps %d clients, more than %d", len(l.clients), maxLimiterClients)
	}
}
