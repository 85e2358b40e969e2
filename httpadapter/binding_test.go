package httpadapter

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tetherauth/tether/account"
)

// One binding per browser (issue 10, item 4): every flow a browser starts,
// a connect in one tab and a reauthorize in another, is bound to the one
// value its cookie holds. Both callbacks complete, in either order; neither
// completes in another browser; the cookie keeps its attributes and its
// value, and a value that is not a binding is replaced.
func TestOneBindingPerBrowser(t *testing.T) {
	lax := func(o *Options) { o.Cookie.SameSite = http.SameSiteLaxMode }
	for _, cfg := range []envConfig{{}, {tls: true}, {tls: true, opts: lax}} {
		// Lax on http and when chosen, None by default on https.
		want, scheme := http.SameSiteLaxMode, "http"
		if cfg.tls {
			scheme = "https"
			if cfg.opts == nil {
				want = http.SameSiteNoneMode
			}
		}
		for _, first := range []string{"connect", "reauthorize"} {
			t.Run(scheme+"/SameSite="+sameSiteName(want)+"/"+first+"'s callback first", func(t *testing.T) {
				reauthFirst := first == "reauthorize"
				e := newEnv(t, cfg)
				cookieName := defaultCookieName
				if cfg.tls {
					cookieName = "__Host-" + cookieName
				}
				b := e.browser("alice")
				// Whatever the browser holds that is not a binding value is
				// replaced by one.
				b.jar.SetCookies(mustParse(t, e.base), []*http.Cookie{{Name: cookieName, Value: "not-a-binding", Path: "/", Secure: cfg.tls}})

				// Every answer that sets the cookie sets the same value with
				// the same attributes.
				var value string
				checkCookie := func(step string, res result) {
					t.Helper()
					ck := cookieNamed(res, cookieName)
					if ck == nil {
						t.Fatalf("%s: no %s cookie: %v", step, cookieName, res.header["Set-Cookie"])
					}
					if ck.Secure != cfg.tls || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" || ck.SameSite != want || ck.MaxAge <= 0 || len(ck.Value) != bindingLen {
						t.Errorf("%s: cookie %+v", step, ck)
					}
					if value == "" {
						value = ck.Value
					} else if ck.Value != value {
						t.Errorf("%s: the browser's binding changed", step)
					}
					if n := b.bindingCookies(cookieName); n != 1 {
						t.Errorf("%s: the browser holds %d binding cookies, want 1", step, n)
					}
				}
				start := func(step string, r req) *account.ExternalAccount {
					t.Helper()
					res := b.do(r)
					checkCookie(step, res)
					return wantAccount(t, res)
				}
				connect := func(step, label string) *account.ExternalAccount {
					t.Helper()
					form := url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/settings"}, "label": {label}}
					return start(step, req{method: http.MethodPost, url: e.url("/me/external_accounts"), ctype: mediaForm, body: form.Encode()})
				}
				callback := func(step, cb string, a *account.ExternalAccount) {
					t.Helper()
					res := b.get(cb)
					if res.status != http.StatusSeeOther {
						t.Fatalf("%s: callback %d %s", step, res.status, res)
					}
					checkCookie(step, res)
					if got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID))); !got.Verified() {
						t.Fatalf("%s: not verified: %+v", step, got.Verification)
					}
				}

				e.login("sub-alice")
				old := connect("first connect", "Old")
				if value == "not-a-binding" {
					t.Fatal("the invalid cookie was kept")
				}
				callback("first callback", b.authorize(old), old)

				// Two tabs: a connect of a new identity and a reauthorize of
				// the old one, both in flight at once.
				work := connect("connect in tab 1", "Work")
				reauth := start("reauthorize in tab 2", req{method: http.MethodPatch, url: e.url("/me/external_accounts/" + old.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings"})
				e.login("sub-work")
				workCB := b.authorize(work)
				e.login("sub-alice")
				reauthCB := b.authorize(reauth)
				if reauthFirst {
					callback("tab 2's callback", reauthCB, old)
					callback("tab 1's callback", workCB, work)
				} else {
					callback("tab 1's callback", workCB, work)
					callback("tab 2's callback", reauthCB, old)
				}

				// A callback taken to another browser fails, even one that
				// holds a binding of its own.
				other := e.browser("alice")
				mine := other.connect(url.Values{})
				home := connect("connect in tab 3", "Home")
				e.login("sub-home")
				wantError(t, other.get(b.authorize(home)), http.StatusBadRequest, "oauth_callback_invalid", "")
				if got := wantAccount(t, b.get(e.url("/me/external_accounts/"+home.ID))); got.Verified() {
					t.Fatal("a callback in another browser verified the account")
				}
				// The other browser's own flow was not disturbed.
				if res := other.get(other.authorize(mine)); res.status != http.StatusSeeOther {
					t.Fatalf("the other browser's own callback: %d %s", res.status, res)
				}
			})
		}
	}
}

// bindingCookies counts the cookies named name the browser would send to
// the host.
func (b *browser) bindingCookies(name string) int {
	n := 0
	u, _ := url.Parse(b.e.base)
	for _, ck := range b.jar.Cookies(u) {
		if ck.Name == name {
			n++
		}
	}
	return n
}

func sameSiteName(s http.SameSite) string {
	if s == http.SameSiteNoneMode {
		return "None"
	}
	return "Lax"
}
