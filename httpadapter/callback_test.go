package httpadapter

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// postFormCallback plays a form_post provider's auto-submitting page: a
// cross-site POST navigation from the provider's origin.
func (b *browser) postFormCallback(a *account.ExternalAccount) result {
	b.e.t.Helper()
	res := b.get(a.Verification.ExternalVerificationRedirectURL)
	action := formActionRe.FindStringSubmatch(string(res.body))
	if action == nil {
		b.e.t.Fatalf("no form_post page: %d %s", res.status, res)
	}
	fields := url.Values{}
	for _, m := range hiddenInputRe.FindAllStringSubmatch(string(res.body), -1) {
		fields.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return b.do(req{method: http.MethodPost, url: html.UnescapeString(action[1]), ctype: mediaForm, body: fields.Encode(), header: map[string]string{
		"Sec-Fetch-Site": "cross-site",
		"Origin":         b.e.pt.URL(),
	}})
}

var (
	formActionRe  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenInputRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

func TestCallbackFormPost(t *testing.T) {
	for _, tls := range []bool{false, true} {
		e := newEnv(t, envConfig{tls: tls, formPost: true})
		b := e.browser("alice")
		a := b.connect(url.Values{})
		res := b.postFormCallback(a)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings" {
			t.Fatalf("tls=%v: form_post callback: %d %s", tls, res.status, res)
		}
		if got := res.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q", got)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
			t.Fatalf("tls=%v: form_post did not verify", tls)
		}
	}
}

func TestCallbackFormPostBadBody(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	cb := e.url(CallbackPath)
	wantError(t, b.do(req{method: http.MethodPost, url: cb, ctype: "application/json", body: `{"state":"x"}`}), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	wantError(t, b.do(req{method: http.MethodPost, url: cb, body: "state=x"}), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	wantError(t, b.do(req{method: http.MethodPost, url: cb, ctype: mediaForm, body: "state=" + strings.Repeat("x", DefaultMaxBodyBytes)}), http.StatusRequestEntityTooLarge, "request_body_too_large", "")
	wantError(t, b.do(req{method: http.MethodPost, url: cb, ctype: mediaForm, body: "state=%zz"}), http.StatusBadRequest, "oauth_callback_invalid", "")
	wantError(t, b.do(req{method: http.MethodPost, url: cb}), http.StatusBadRequest, "oauth_callback_invalid", "")
}

func TestCallbackRepeatedParams(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		cb, _ := url.Parse(b.authorize(a))
		q := cb.Query()
		for _, k := range []string{"state", "code", "iss"} {
			dup := url.Values{}
			for kk, vs := range q {
				dup[kk] = append([]string(nil), vs...)
			}
			dup.Add(k, dup.Get(k))
			u := *cb
			u.RawQuery = dup.Encode()
			res := b.get(u.String())
			wantError(t, res, http.StatusBadRequest, "oauth_callback_invalid", k)
		}
		// The same parameter in the query and the form body of a POST.
		u := *cb
		u.RawQuery = "state=" + url.QueryEscape(q.Get("state"))
		res := b.do(req{method: http.MethodPost, url: u.String(), ctype: mediaForm, body: q.Encode()})
		wantError(t, res, http.StatusBadRequest, "oauth_callback_invalid", "state")

		// None of these consumed the flow: the real callback still works.
		if res := b.get(cb.String()); res.status != http.StatusSeeOther {
			t.Fatalf("genuine callback after rejected duplicates: %d %s", res.status, res)
		}
	})
}

func TestCallbackIgnoresTokenParams(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a := b.connect(url.Values{})
	cb, _ := url.Parse(b.authorize(a))
	q := cb.Query()
	q.Set("access_token", "at-injected")
	q.Set("id_token", "idt-injected")
	q.Set("refresh_token", "rt-injected")
	q.Set("token_type", "Bearer")
	q.Set("expires_in", "3600")
	q.Set("user", `{"name":"x"}`)
	cb.RawQuery = q.Encode()
	if res := b.get(cb.String()); res.status != http.StatusSeeOther {
		t.Fatalf("callback with token parameters: %d %s", res.status, res)
	}
	e.prov.mu.Lock()
	extra := e.prov.lastExtra
	e.prov.mu.Unlock()
	for _, k := range []string{"access_token", "id_token", "refresh_token", "token_type", "expires_in", "state", "code", "iss"} {
		if _, ok := extra[k]; ok {
			t.Errorf("%s passed on to the provider", k)
		}
	}
	if extra["user"] == nil {
		t.Errorf("other parameters not passed on: %v", extra)
	}
	if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
		t.Fatal("not verified")
	}
}

func TestCallbackReplayRefused(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		cb := b.authorize(a)
		if res := b.get(cb); res.status != http.StatusSeeOther {
			t.Fatalf("first callback: %d", res.status)
		}
		wantError(t, b.get(cb), http.StatusBadRequest, "oauth_callback_invalid", "")
	})
}

func TestCallbackUnknownOrMissingState(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	for _, q := range []string{"", "?code=x", "?state=unknown&code=x", "?state=" + strings.Repeat("s", 600) + "&code=x", "?state=a;b", "?state=%zz"} {
		res := b.get(e.url(CallbackPath) + q)
		wantError(t, res, http.StatusBadRequest, "oauth_callback_invalid", "")
		if got := res.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%q: Referrer-Policy %q", q, got)
		}
	}
	res := b.do(req{method: http.MethodHead, url: e.url(CallbackPath) + "?state=x&code=y"})
	if res.status != http.StatusMethodNotAllowed || !strings.Contains(res.header.Get("Allow"), "GET") {
		t.Errorf("HEAD callback: %d Allow %q", res.status, res.header.Get("Allow"))
	}
	res = b.do(req{method: http.MethodPut, url: e.url(CallbackPath)})
	wantError(t, res, http.StatusMethodNotAllowed, "method_not_allowed", "")
	if got := res.header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow %q", got)
	}
}

// TestLoginCSRF delivers a callback to a browser or user that did not start
// the flow: no redirect, no verification.
func TestLoginCSRF(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		alice := e.browser("alice")

		// Another browser, signed in as another user.
		a := alice.connect(url.Values{})
		wantError(t, e.browser("mallory").get(alice.authorize(a)), http.StatusBadRequest, "oauth_callback_invalid", "")
		// Another browser, signed in as nobody.
		a = alice.connect(url.Values{})
		wantError(t, e.browser("").get(alice.authorize(a)), http.StatusBadRequest, "oauth_callback_invalid", "")
		// Another browser of the same user (no binding cookie).
		a = alice.connect(url.Values{})
		wantError(t, e.browser("alice").get(alice.authorize(a)), http.StatusBadRequest, "oauth_callback_invalid", "")
		// The right browser, but now signed in as someone else.
		a = alice.connect(url.Values{})
		cb := alice.authorize(a)
		u, _ := url.Parse(e.base)
		alice.jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "mallory", Path: "/"}})
		wantError(t, alice.get(cb), http.StatusBadRequest, "oauth_callback_invalid", "")
		// A forged binding cookie.
		alice.jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "alice", Path: "/"}})
		a = alice.connect(url.Values{})
		cb = alice.authorize(a)
		alice.jar.SetCookies(u, []*http.Cookie{{Name: defaultCookieName, Value: newBinding(), Path: "/"}})
		wantError(t, alice.get(cb), http.StatusBadRequest, "oauth_callback_invalid", "")

		as, err := e.svc.List(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Verified() || a.HasIdentity() {
				t.Errorf("account %s verified by a foreign callback", a.ID)
			}
		}
	})
}

// TestCallbackAccessDenied: a retryable failure redirects, keeps the
// binding cookie, and the retry from the same browser succeeds.
func TestCallbackAccessDenied(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		e.deny(true)
		res := b.get(b.authorize(a))
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings" {
			t.Fatalf("denied callback: %d %s", res.status, res)
		}
		ck := cookieNamed(res, defaultCookieName)
		if ck == nil || ck.MaxAge <= 0 || len(ck.Value) != bindingLen {
			t.Fatalf("binding cookie not kept for the retry: %+v", ck)
		}
		got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
		if got.Verification.Status != verification.StatusUnverified || got.Verification.Error == nil || got.Verification.Error.Code != "oauth_access_denied" {
			t.Fatalf("after denial: %+v", got.Verification)
		}
		e.mu.Lock()
		hooked := len(e.hooked) == 1 && e.hooked[0].status == http.StatusSeeOther && e.hooked[0].err.Code == "oauth_access_denied"
		e.mu.Unlock()
		if !hooked {
			t.Errorf("error hook not told of the outcome: %+v", e.hooked)
		}

		e.deny(false)
		if res := b.complete(got); res.url.Path != "/settings" {
			t.Fatalf("retry ended at %v", res.url)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
			t.Fatal("retry did not verify")
		}
	})
}

func TestCallbackExpired(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		cb := b.authorize(a)
		e.clock.Advance(verification.DefaultTTL + time.Minute)
		res := b.get(cb)
		if res.status != http.StatusSeeOther {
			t.Fatalf("late callback: %d %s", res.status, res)
		}
		if ck := cookieNamed(res, defaultCookieName); ck == nil || ck.MaxAge <= 0 {
			t.Errorf("binding cookie not kept after expiry: %+v", ck)
		}
		got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
		if got.Verification.Status != verification.StatusExpired {
			t.Fatalf("after a late callback: %+v", got.Verification)
		}
	})
}

// TestCallbackRechecksDestination: a flow started outside the handler (by
// the host calling the Service) with a destination the allowlist refuses is
// completed but not redirected.
func TestCallbackRechecksDestination(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a, err := e.svc.Connect(t.Context(), account.ConnectParams{UserID: "alice", Strategy: "oauth_custom_dev", RedirectURL: "https://evil.example.net/x"})
	if err != nil {
		t.Fatal(err)
	}
	res := b.get(b.authorize(a))
	wantError(t, res, http.StatusBadRequest, "redirect_url_not_allowed", "redirect_url")
}

// TestCallbackOutcomes: outcomes that end a verification still redirect;
// the front end reads them from the account.
func TestCallbackOutcomes(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		alice, bob := e.browser("alice"), e.browser("bob")
		first := alice.connect(url.Values{})
		alice.complete(first)

		check := func(b *browser, id string, status verification.Status, code string) *account.ExternalAccount {
			t.Helper()
			got := wantAccount(t, b.get(e.url("/me/external_accounts/"+id)))
			if got.Verification.Status != status || (code != "" && (got.Verification.Error == nil || got.Verification.Error.Code != code)) {
				t.Fatalf("account %s: %+v, want %s %s", id, got.Verification, status, code)
			}
			return got
		}
		callback := func(b *browser, a *account.ExternalAccount) result {
			t.Helper()
			res := b.get(b.authorize(a))
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings" {
				t.Fatalf("callback: %d %s", res.status, res)
			}
			if ck := cookieNamed(res, defaultCookieName); ck == nil || ck.MaxAge <= 0 {
				t.Errorf("final outcome dropped the browser's binding: %+v", ck)
			}
			return res
		}

		// Bob connects alice's provider account.
		a := bob.connect(url.Values{})
		callback(bob, a)
		check(bob, a.ID, verification.StatusFailed, "external_account_exists")

		// Alice connects it a second time.
		a = alice.connect(url.Values{})
		callback(alice, a)
		check(alice, a.ID, verification.StatusFailed, "oauth_account_already_connected")

		// Alice reauthorizes, but signs in as someone else at the provider.
		before := check(alice, first.ID, verification.StatusVerified, "")
		e.login("sub-other")
		res := alice.do(req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + first.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings&additional_scope=more"})
		callback(alice, wantAccount(t, res))
		after := check(alice, first.ID, verification.StatusFailed, "external_account_identity_mismatch")
		if after.ProviderUserID != before.ProviderUserID || strings.Join(after.ApprovedScopes, " ") != strings.Join(before.ApprovedScopes, " ") {
			t.Errorf("a failed reauthorization changed the grant: %v -> %v", before, after)
		}
	})
}

// TestConcurrentCallbacks: of many concurrent deliveries of one callback,
// exactly one redirects.
func TestConcurrentCallbacks(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a := b.connect(url.Values{})
	cb := b.authorize(a)
	const n = 8
	statuses := make(chan int, n)
	for range n {
		go func() {
			r, err := b.stay.Get(cb)
			if err != nil {
				statuses <- 0
				return
			}
			r.Body.Close()
			statuses <- r.StatusCode
		}()
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	if count[http.StatusSeeOther] != 1 || count[http.StatusBadRequest] != n-1 {
		t.Fatalf("statuses %v", count)
	}
	if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
		t.Fatal("not verified")
	}
}

// TestForeignCallbackThenRetry: after a foreign browser burned the state,
// the browser that started the flow can still finish it.
func TestForeignCallbackThenRetry(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		alice := e.browser("alice")
		a := alice.connect(url.Values{})
		wantError(t, e.browser("mallory").get(alice.authorize(a)), http.StatusBadRequest, "oauth_callback_invalid", "")
		got := wantAccount(t, alice.get(e.url("/me/external_accounts/"+a.ID)))
		if got.Verification.Status != verification.StatusUnverified || got.Verification.ExternalVerificationRedirectURL == "" {
			t.Fatalf("after a foreign callback: %+v", got.Verification)
		}
		res := alice.get(alice.authorize(got))
		if res.status != http.StatusSeeOther {
			t.Fatalf("retry: %d %s", res.status, res)
		}
		if !wantAccount(t, alice.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
			t.Fatal("the retry did not verify")
		}
	})
}

// TestCallbackRetriesExhausted: each denial is retried until the last one
// fails the verification; the browser keeps its binding throughout (other
// flows may use it). Reauthorizing then starts over.
func TestCallbackRetriesExhausted(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a := b.connect(url.Values{})
	e.deny(true)
	for i := 1; i <= verification.DefaultMaxAttempts; i++ {
		res := b.get(b.authorize(a))
		if res.status != http.StatusSeeOther {
			t.Fatalf("attempt %d: %d %s", i, res.status, res)
		}
		ck := cookieNamed(res, defaultCookieName)
		a = wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
		last := i == verification.DefaultMaxAttempts
		if last != (a.Verification.Status == verification.StatusFailed) || a.Verification.Attempts != i {
			t.Fatalf("attempt %d: %+v", i, a.Verification)
		}
		if ck == nil || ck.MaxAge <= 0 {
			t.Fatalf("attempt %d: cookie %+v", i, ck)
		}
	}
	e.deny(false)
	res := b.do(req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings"})
	b.complete(wantAccount(t, res))
	if got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))); !got.Verified() {
		t.Fatalf("reauthorizing a failed connect: %+v", got.Verification)
	}
}
