package httpadapter

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

func TestConnectVerifies(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")

		res := b.postForm(e.url("/me/external_accounts"), url.Values{
			"strategy":         {"oauth_custom_dev"},
			"redirect_url":     {"/settings?tab=accounts"},
			"additional_scope": {"calendar", "drive"},
			"label":            {"work"},
		})
		a := wantAccount(t, res)
		checkCommonHeaders(t, res.header)
		if a.Verification.Status != verification.StatusUnverified || a.Verification.ExternalVerificationRedirectURL == "" || a.Label != "work" {
			t.Fatalf("connect answered %+v", a)
		}
		ck := cookieNamed(res, defaultCookieName)
		if ck == nil {
			t.Fatalf("no binding cookie set: %v", res.header["Set-Cookie"])
		}
		if !ck.HttpOnly || ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.MaxAge < 600 || len(ck.Value) != bindingLen {
			t.Errorf("binding cookie on http: %+v", ck)
		}

		callback := b.authorize(a)
		res = b.get(callback)
		if res.status != http.StatusSeeOther {
			t.Fatalf("callback status %d: %s", res.status, res)
		}
		if loc := res.header.Get("Location"); loc != "/settings?tab=accounts" {
			t.Errorf("callback redirects to %q", loc)
		}
		checkCommonHeaders(t, res.header)
		if got := res.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q", got)
		}
		// The browser keeps its one binding for its other flows.
		if ck := cookieNamed(res, defaultCookieName); ck == nil || ck.MaxAge <= 0 {
			t.Errorf("binding cookie not kept after the verification: %+v", ck)
		}

		got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
		if !got.Verified() || got.ProviderUserID != "sub-alice" {
			t.Fatalf("after callback: %+v", got.Verification)
		}
		for _, s := range []string{"openid", "email", "calendar", "drive"} {
			if !slices.Contains(got.ApprovedScopes, s) {
				t.Errorf("approved scopes %v lack %s", got.ApprovedScopes, s)
			}
		}

		res = b.get(e.url("/me/external_accounts"))
		if res.status != http.StatusOK {
			t.Fatalf("list: %d %s", res.status, res)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(res.body, &list); err != nil || len(list) != 1 {
			t.Fatalf("list is not an array of one: %v %s", err, res)
		}
	})
}

func TestConnectJSONBody(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	res := b.do(req{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: "application/json; charset=utf-8",
		body: `{"strategy":"oauth_custom_dev","redirect_url":"https://app.example.com/done","additional_scopes":["calendar"],"label":null}`})
	a := wantAccount(t, res)
	if res := b.get(b.authorize(a)); res.status != http.StatusSeeOther || res.header.Get("Location") != "https://app.example.com/done" {
		t.Fatalf("callback: %d %q", res.status, res.header.Get("Location"))
	}
	got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
	if !got.Verified() || !slices.Contains(got.ApprovedScopes, "calendar") {
		t.Fatalf("after callback: %+v %v", got.Verification, got.ApprovedScopes)
	}
}

func TestCallbackRedirectsToAbsoluteAllowedURL(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a := b.connect(url.Values{"redirect_url": {"https://app.example.com/done?x=1"}})
	res := b.get(b.authorize(a))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "https://app.example.com/done?x=1" {
		t.Fatalf("callback: %d %q", res.status, res.header.Get("Location"))
	}
}

func TestFullRoundTripFollowsRedirects(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		res := b.complete(a)
		if res.status != http.StatusOK || res.url.Path != "/settings" || string(res.body) != "settings page" {
			t.Fatalf("round trip ended at %v with %d %s", res.url, res.status, res)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
			t.Fatal("not verified")
		}
	})
}

func TestReauthorizeAddsScopes(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		b.complete(a)
		before := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))

		res := b.do(req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaForm,
			body: url.Values{"additional_scope": {"calendar.write"}, "redirect_url": {"/settings"}}.Encode()})
		re := wantAccount(t, res)
		if re.Verification.Status != verification.StatusUnverified || cookieNamed(res, defaultCookieName) == nil {
			t.Fatalf("reauthorize: %+v, cookies %v", re.Verification, res.header["Set-Cookie"])
		}
		// Until the callback, the previous grant stands.
		if mid := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))); !slices.Equal(mid.ApprovedScopes, before.ApprovedScopes) {
			t.Errorf("scopes changed before the callback: %v", mid.ApprovedScopes)
		}
		b.complete(re)
		after := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
		if !after.Verified() || !slices.Contains(after.ApprovedScopes, "calendar.write") || len(after.ApprovedScopes) <= len(before.ApprovedScopes) {
			t.Fatalf("after reauthorize: %s %v (before %v)", after.Verification.Status, after.ApprovedScopes, before.ApprovedScopes)
		}
		for _, s := range before.ApprovedScopes {
			if !slices.Contains(after.ApprovedScopes, s) {
				t.Errorf("scope %s lost", s)
			}
		}

		// JSON body too.
		res = b.do(req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaJSON,
			body: `{"additional_scopes":["x.read"],"redirect_url":"/settings","oidc_prompt":"consent"}`})
		re = wantAccount(t, res)
		if !strings.Contains(re.Verification.ExternalVerificationRedirectURL, "x.read") {
			t.Errorf("reauthorize URL does not ask for x.read")
		}
	})
}

func TestDestroy(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		b.complete(a)

		res := b.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID)})
		if res.status != http.StatusOK {
			t.Fatalf("delete: %d %s", res.status, res)
		}
		checkCommonHeaders(t, res.header)
		if want := `{"object":"external_account","id":"` + a.ID + `","deleted":true}`; string(res.body) != want {
			t.Errorf("delete answered %s, want %s", res, want)
		}
		wantError(t, b.get(e.url("/me/external_accounts/"+a.ID)), http.StatusNotFound, "external_account_not_found", "")
		wantError(t, b.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID)}), http.StatusNotFound, "external_account_not_found", "")
		if res := b.get(e.url("/me/external_accounts")); string(res.body) != "[]" {
			t.Errorf("list after delete: %s", res)
		}
		if len(e.pt.Tokens()) == 0 {
			t.Fatal("providertest issued no tokens")
		}
		for _, tok := range e.pt.Tokens() {
			if !tok.Revoked {
				t.Errorf("%s of the destroyed account not revoked at the provider", tok.Type)
			}
		}
	})
}

func TestUsersAreIsolated(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		alice, bob := e.browser("alice"), e.browser("bob")
		a := alice.connect(url.Values{})
		alice.complete(a)

		wantError(t, bob.get(e.url("/me/external_accounts/"+a.ID)), http.StatusNotFound, "external_account_not_found", "")
		wantError(t, bob.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID)}), http.StatusNotFound, "external_account_not_found", "")
		wantError(t, bob.do(req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings"}),
			http.StatusNotFound, "external_account_not_found", "")
		if res := bob.get(e.url("/me/external_accounts")); string(res.body) != "[]" {
			t.Errorf("bob lists %s", res)
		}
		if got := wantAccount(t, alice.get(e.url("/me/external_accounts/"+a.ID))); !got.Verified() {
			t.Errorf("alice's account after bob's attempts: %+v", got.Verification)
		}
	})
}

func TestCrossOriginWritesRefused(t *testing.T) {
	eachProvider(t, envConfig{opts: func(o *Options) { o.TrustedOrigins = []string{"https://front.example.com"} }}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		form := url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/settings"}}.Encode()

		crossSite := []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "same-site"},
			{"Origin": "https://evil.example.com"},
			{"Origin": "null"},
		}
		for _, hdr := range crossSite {
			for _, q := range []req{
				{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: mediaForm, body: form},
				{method: http.MethodPatch, url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings"},
				{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID)},
			} {
				q.header = hdr
				res := b.do(q)
				wantError(t, res, http.StatusForbidden, "origin_invalid", "")
				if cookieNamed(res, defaultCookieName) != nil {
					t.Errorf("%s %v set a binding cookie", q.method, hdr)
				}
			}
		}
		// The account survived.
		wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))

		// Same-origin browsers, a trusted origin and non-browser clients pass.
		for _, hdr := range []map[string]string{
			{"Sec-Fetch-Site": "same-origin"},
			{"Sec-Fetch-Site": "none"},
			{"Origin": e.base},
			{"Origin": "https://front.example.com"},
			nil,
		} {
			res := b.do(req{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: mediaForm, body: form, header: hdr})
			if res.status != http.StatusOK {
				t.Errorf("same-origin POST with %v: %d %s", hdr, res.status, res)
			}
		}
		// Reads are not state-changing: a cross-site GET is served (the
		// browser's CORS policy keeps the answer from the other site).
		res := b.do(req{method: http.MethodGet, url: e.url("/me/external_accounts"), header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
		if res.status != http.StatusOK {
			t.Errorf("cross-site GET: %d", res.status)
		}
	})
}

func TestPrefixOption(t *testing.T) {
	e := newEnv(t, envConfig{prefix: true})
	b := e.browser("alice")
	a := b.connect(url.Values{})
	if res := b.complete(a); res.url.Path != "/settings" {
		t.Fatalf("round trip ended at %v: %d %s", res.url, res.status, res)
	}
	if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
		t.Fatal("not verified")
	}
	wantError(t, b.get(e.url("/nope")), http.StatusNotFound, "resource_not_found", "")
	wantError(t, b.do(req{method: http.MethodPut, url: e.url("/me/external_accounts")}), http.StatusMethodNotAllowed, "method_not_allowed", "")
}

func TestHTTPSBindingCookie(t *testing.T) {
	eachProvider(t, envConfig{tls: true}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		res := b.postForm(e.url("/me/external_accounts"), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/settings"}})
		a := wantAccount(t, res)
		ck := cookieNamed(res, "__Host-"+defaultCookieName)
		if ck == nil {
			t.Fatalf("no __Host- binding cookie: %v", res.header["Set-Cookie"])
		}
		if !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != http.SameSiteNoneMode {
			t.Errorf("binding cookie on https: %+v", ck)
		}
		res = b.get(b.authorize(a))
		if res.status != http.StatusSeeOther {
			t.Fatalf("callback: %d %s", res.status, res)
		}
		if ck := cookieNamed(res, "__Host-"+defaultCookieName); ck == nil || !ck.Secure || ck.Path != "/" || ck.MaxAge <= 0 {
			t.Errorf("renewed cookie: %+v", ck)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))).Verified() {
			t.Fatal("not verified over https")
		}
	})
}

func TestSameSiteLaxOnHTTPS(t *testing.T) {
	e := newEnv(t, envConfig{tls: true, opts: func(o *Options) { o.Cookie = CookieOptions{Name: "b", SameSite: http.SameSiteLaxMode} }})
	res := e.browser("alice").postForm(e.url("/me/external_accounts"), url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/settings"}})
	if ck := cookieNamed(res, "__Host-b"); ck == nil || ck.SameSite != http.SameSiteLaxMode || !ck.Secure {
		t.Fatalf("cookie %+v", ck)
	}
}

func TestErrorHook(t *testing.T) {
	e := newEnv(t, envConfig{})
	e.browser("bad").get(e.url("/me/external_accounts"))
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.hooked) != 1 || e.hooked[0].status != http.StatusUnauthorized || e.hooked[0].err.Code != "authentication_invalid" {
		t.Fatalf("hook calls %+v", e.hooked)
	}
	if cause := e.hooked[0].err.Unwrap(); cause == nil || !strings.Contains(cause.Error(), "session store down") {
		t.Errorf("hook does not see the host's error: %v", cause)
	}
}

// One user cannot start connects without bound: past the limit the answer
// is 403 external_account_limit_exceeded, and nothing is stored.
func TestAccountLimit(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		form := url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/settings"}}.Encode()
		for range envMaxPending {
			if res := b.do(req{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: mediaForm, body: form}); res.status != http.StatusOK {
				t.Fatalf("connect under the limit: %d %s", res.status, res)
			}
		}
		res := b.do(req{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: mediaForm, body: form})
		wantError(t, res, http.StatusForbidden, "external_account_limit_exceeded", "")
		var list []json.RawMessage
		if err := json.Unmarshal(b.get(e.url("/me/external_accounts")).body, &list); err != nil || len(list) != envMaxPending {
			t.Fatalf("accounts after the refused connect: %d, %v", len(list), err)
		}
	})
}

// Two flows in flight in one browser (two tabs) both complete, in either
// order; the same callback in another browser does not (issue 10, item 4).
func TestSeveralFlowsPerBrowser(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		first := b.connect(url.Values{"label": {"Work"}})
		second := b.connect(url.Values{"label": {"Home"}})
		bindings := 0
		for _, ck := range b.jar.Cookies(mustParse(t, e.base)) {
			if ck.Name == defaultCookieName {
				bindings++
			}
		}
		if bindings != 1 {
			t.Fatalf("the browser holds %d binding cookies, want 1", bindings)
		}
		e.login("sub-2")
		cb2 := b.authorize(second)
		e.login("sub-1")
		cb1 := b.authorize(first)
		// Another browser of the same user cannot use them.
		other := e.browser("alice")
		wantError(t, other.get(cb2), http.StatusBadRequest, "oauth_callback_invalid", "")
		// The flow that browser burned got a fresh attempt; the first one
		// completes in this browser, newest first.
		if res := b.get(cb1); res.status != http.StatusSeeOther {
			t.Fatalf("first tab: %d %s", res.status, res)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+first.ID))).Verified() {
			t.Fatal("the first tab's account is not verified")
		}
		retry := wantAccount(t, b.get(e.url("/me/external_accounts/"+second.ID)))
		e.login("sub-2")
		if res := b.get(b.authorize(retry)); res.status != http.StatusSeeOther {
			t.Fatalf("second tab: %d %s", res.status, res)
		}
		if !wantAccount(t, b.get(e.url("/me/external_accounts/"+second.ID))).Verified() {
			t.Fatal("the second tab's account is not verified")
		}
	})
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestListPages(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		var want []string
		for range 5 {
			want = append(want, b.connect(url.Values{}).ID)
			e.clock.Advance(time.Millisecond)
		}
		var got []string
		next := e.url("/me/external_accounts?limit=2")
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatal("pages do not end")
			}
			res := b.get(next)
			var page []json.RawMessage
			if err := json.Unmarshal(res.body, &page); err != nil || len(page) > 2 {
				t.Fatalf("page %d: %s", pages, res)
			}
			for _, raw := range page {
				var a account.ExternalAccount
				if err := json.Unmarshal(raw, &a); err != nil {
					t.Fatal(err)
				}
				got = append(got, a.ID)
			}
			next = ""
			if link := res.header.Get("Link"); link != "" {
				target, _, ok := strings.Cut(strings.TrimPrefix(link, "<"), `>; rel="next"`)
				if !ok {
					t.Fatalf("Link = %q", link)
				}
				next = e.base + target
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("pages = %v, want %v", got, want)
		}
		// Without limit: everything, no Link.
		res := b.get(e.url("/me/external_accounts"))
		if res.header.Get("Link") != "" || strings.Count(string(res.body), `"object":"external_account"`) != 5 {
			t.Fatalf("unpaged list: %s", res)
		}
		for _, bad := range []string{"limit=0", "limit=101", "limit=x", "after=nope", "limit=1&limit=2"} {
			wantError(t, b.get(e.url("/me/external_accounts?"+bad)), http.StatusBadRequest, "form_param_invalid", "")
		}
	})
}

func TestRevokeTokensRoute(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		if res := b.get(b.authorize(a)); res.status != http.StatusSeeOther {
			t.Fatalf("callback: %d %s", res.status, res)
		}
		res := b.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID + "/tokens")})
		got := wantAccount(t, res)
		if !got.Verified() || got.Verification.Error == nil || got.Verification.Error.Code != "external_account_missing_refresh_token" {
			t.Fatalf("after revoking: %+v", got.Verification)
		}
		bob := e.browser("bob")
		wantError(t, bob.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID + "/tokens")}), http.StatusNotFound, "external_account_not_found", "")
		wantError(t, b.do(req{method: http.MethodDelete, url: e.url("/me/external_accounts/" + a.ID + "/tokens"), header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden, "origin_invalid", "")
	})
}
