package httpadapter

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// badRedirectURLs are redirect URLs the handler must refuse, with the code:
// syntax errors are form_param_invalid, well-formed URLs on other origins
// redirect_url_not_allowed.
var badRedirectURLs = []struct {
	raw, code string
}{
	{"//evil.com", "form_param_invalid"},
	{"//evil.com/path", "form_param_invalid"},
	{"/\\evil.com", "form_param_invalid"},
	{"\\\\evil.com", "form_param_invalid"},
	{"\\/evil.com", "form_param_invalid"},
	{"https:evil.com", "form_param_invalid"},
	{"https:/evil.com", "form_param_invalid"},
	{"https:\\\\evil.com", "form_param_invalid"},
	{"javascript:alert(1)", "form_param_invalid"},
	{"JaVaScRiPt:alert(1)", "form_param_invalid"},
	{"data:text/html,<script>alert(1)</script>", "form_param_invalid"},
	{"/%2F%2Fevil.com", "form_param_invalid"},
	{"/%2f%2fevil.com", "form_param_invalid"},
	{"/%5C%5Cevil.com", "form_param_invalid"},
	{"/settings\r\nLocation: https://evil.com", "form_param_invalid"},
	{"/settings\nx", "form_param_invalid"},
	{"/settings\rx", "form_param_invalid"},
	{"\r/settings", "form_param_invalid"},
	{"https://app.example.com/\n", "form_param_invalid"},
	{"https://app.example.\r\ncom/", "form_param_invalid"},
	{"/\t/evil.com", "form_param_invalid"},
	{"https://app.example.com@evil.com", "form_param_invalid"},
	{"https://app.example.com:443@evil.com/", "form_param_invalid"},
	{"https://app.example.com%40evil.com/", "form_param_invalid"},
	{"https://app%2Eexample.com/", "form_param_invalid"},
	{"https://app.example.com.evil.com", "redirect_url_not_allowed"},
	{"https://app.example.com.evil.com/settings", "redirect_url_not_allowed"},
	{"https://evil.com/https://app.example.com", "redirect_url_not_allowed"},
	{"https://evil.com?https://app.example.com", "redirect_url_not_allowed"},
	{"https://evil.com#https://app.example.com", "redirect_url_not_allowed"},
	{"http://app.example.com/", "redirect_url_not_allowed"},
	{"https://app.example.com:8443/", "redirect_url_not_allowed"},
	{"https://sub.app.example.com/", "redirect_url_not_allowed"},
	{"https://example.com/", "redirect_url_not_allowed"},
	{"https://app.example.com./", "redirect_url_not_allowed"},
	{"https://\u212Aapp.example.com/", "redirect_url_not_allowed"},
	{"https://app.example.com\u3002evil.com/", "redirect_url_not_allowed"},
	{"https://\uff41pp.example.com/", "redirect_url_not_allowed"},
	{"ftp://app.example.com/", "form_param_invalid"},
	{"settings", "form_param_invalid"},
	{"./settings", "form_param_invalid"},
	{"?x=1", "form_param_invalid"},
	{"#x", "form_param_invalid"},
	{" /settings", "form_param_invalid"},
}

// goodRedirectURLs are allowed with AllowedRedirectOrigins
// ["https://app.example.com"].
var goodRedirectURLs = []string{
	"/",
	"/settings",
	"/settings?tab=accounts#connected",
	"/a/%2F/b",
	"https://app.example.com",
	"https://app.example.com/",
	"https://APP.Example.com/settings",
	"HTTPS://app.example.com/x",
	"https://app.example.com:443/x",
	"https://app.example.com/?next=https://evil.com",
}

func TestBadRequests(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		b := e.browser("alice")
		a := b.connect(url.Values{})
		accounts := e.url("/me/external_accounts")
		reauth := e.url("/me/external_accounts/" + a.ID + "/reauthorize")
		form := func(kv ...string) string {
			v := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v.Encode()
		}

		cases := []struct {
			name   string
			q      req
			status int
			code   string
			param  string
		}{
			{"missing strategy", req{method: "POST", url: accounts, ctype: mediaForm, body: form("redirect_url", "/settings")}, 400, "form_param_missing", "strategy"},
			{"empty strategy", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "", "redirect_url", "/settings")}, 400, "form_param_missing", "strategy"},
			{"missing strategy json", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"redirect_url":"/settings"}`}, 400, "form_param_missing", "strategy"},
			{"bad strategy", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "google", "redirect_url", "/settings")}, 400, "verification_strategy_invalid", "strategy"},
			{"strategy not enabled", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_github", "redirect_url", "/settings")}, 422, "oauth_provider_not_enabled", "strategy"},
			{"missing redirect_url", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev")}, 400, "form_param_missing", "redirect_url"},
			{"repeated strategy", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "strategy", "oauth_custom_dev", "redirect_url", "/settings")}, 400, "form_param_invalid", "strategy"},
			{"repeated redirect_url", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "redirect_url", "/settings", "redirect_url", "//evil.com")}, 400, "form_param_invalid", "redirect_url"},
			{"bad scope", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "redirect_url", "/settings", "additional_scope", "a b")}, 400, "form_param_invalid", "additional_scope"},
			{"bad prompt", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "redirect_url", "/settings", "oidc_prompt", "always")}, 400, "form_param_invalid", "oidc_prompt"},
			{"bad label", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "redirect_url", "/settings", "label", "a\x00b")}, 400, "form_param_invalid", "label"},
			{"bad form", req{method: "POST", url: accounts, ctype: mediaForm, body: "strategy=%zz"}, 400, "form_param_invalid", ""},
			{"oversized form", req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "label", strings.Repeat("x", DefaultMaxBodyBytes))}, 413, "request_body_too_large", ""},
			{"oversized json", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"label":"` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}`}, 413, "request_body_too_large", ""},
			{"text/plain", req{method: "POST", url: accounts, ctype: "text/plain", body: "strategy=oauth_custom_dev"}, 415, "unsupported_media_type", ""},
			{"multipart", req{method: "POST", url: accounts, ctype: "multipart/form-data; boundary=x", body: "--x--"}, 415, "unsupported_media_type", ""},
			{"no content type", req{method: "POST", url: accounts, body: "strategy=oauth_custom_dev"}, 415, "unsupported_media_type", ""},
			{"json latin1", req{method: "POST", url: accounts, ctype: "application/json; charset=iso-8859-1", body: `{}`}, 415, "unsupported_media_type", ""},
			{"bad media type", req{method: "POST", url: accounts, ctype: "application/json; charset", body: `{}`}, 415, "unsupported_media_type", ""},
			{"bad json", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":`}, 400, "form_param_invalid", ""},
			{"json array", req{method: "POST", url: accounts, ctype: mediaJSON, body: `[]`}, 400, "form_param_invalid", ""},
			{"json trailing data", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings"}{}`}, 400, "form_param_invalid", ""},
			{"json trailing garbage", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings"} x`}, 400, "form_param_invalid", ""},
			{"json unknown field", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings","admin":true}`}, 400, "form_param_invalid", "admin"},
			{"json singular scope", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings","additional_scope":"x"}`}, 400, "form_param_invalid", "additional_scope"},
			{"json case", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"Strategy":"oauth_custom_dev","redirect_url":"/settings"}`}, 400, "form_param_invalid", "Strategy"},
			{"json repeated field", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings","redirect_url":"//evil.com"}`}, 400, "form_param_invalid", "redirect_url"},
			{"json wrong type", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":1,"redirect_url":"/settings"}`}, 400, "form_param_invalid", "strategy"},
			{"json scopes not array", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings","additional_scopes":"x"}`}, 400, "form_param_invalid", "additional_scopes"},
			{"json scopes not strings", req{method: "POST", url: accounts, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings","additional_scopes":[1]}`}, 400, "form_param_invalid", "additional_scopes"},
			{"json strategy on reauthorize", req{method: "PATCH", url: reauth, ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/settings"}`}, 400, "form_param_invalid", "strategy"},
			{"reauthorize missing redirect_url", req{method: "PATCH", url: reauth, ctype: mediaForm, body: form("additional_scope", "x")}, 400, "form_param_missing", "redirect_url"},
			{"reauthorize empty body", req{method: "PATCH", url: reauth}, 400, "form_param_missing", "redirect_url"},
			{"reauthorize foreign redirect", req{method: "PATCH", url: reauth, ctype: mediaForm, body: form("redirect_url", "https://evil.com/")}, 400, "redirect_url_not_allowed", "redirect_url"},
			{"reauthorize unknown account", req{method: "PATCH", url: e.url("/me/external_accounts/eac_nope/reauthorize"), ctype: mediaForm, body: form("redirect_url", "/settings")}, 404, "external_account_not_found", ""},
			{"get unknown account", req{method: "GET", url: e.url("/me/external_accounts/eac_nope")}, 404, "external_account_not_found", ""},
			{"delete unknown account", req{method: "DELETE", url: e.url("/me/external_accounts/eac_nope")}, 404, "external_account_not_found", ""},
			{"get overlong id", req{method: "GET", url: e.url("/me/external_accounts/" + strings.Repeat("x", 200))}, 404, "external_account_not_found", ""},
			{"unknown route", req{method: "GET", url: e.url("/me/nothing")}, 404, "resource_not_found", ""},
			{"trailing slash", req{method: "GET", url: e.url("/me/external_accounts/")}, 404, "resource_not_found", ""},
			{"root", req{method: "GET", url: e.url("/")}, 404, "resource_not_found", ""},
			{"put list", req{method: "PUT", url: accounts}, 405, "method_not_allowed", ""},
			{"post one", req{method: "POST", url: e.url("/me/external_accounts/" + a.ID)}, 405, "method_not_allowed", ""},
			{"get reauthorize", req{method: "GET", url: reauth}, 405, "method_not_allowed", ""},
		}
		for _, r := range badRedirectURLs {
			cases = append(cases, struct {
				name   string
				q      req
				status int
				code   string
				param  string
			}{"redirect " + r.raw, req{method: "POST", url: accounts, ctype: mediaForm, body: form("strategy", "oauth_custom_dev", "redirect_url", r.raw)}, 400, r.code, "redirect_url"})
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := b.do(c.q)
				wantError(t, res, c.status, c.code, c.param)
				if cookieNamed(res, defaultCookieName) != nil {
					t.Errorf("a refused request set a binding cookie")
				}
			})
		}

		allow := map[string]string{
			accounts:                               "GET, HEAD, POST",
			e.url("/me/external_accounts/" + a.ID): "DELETE, GET, HEAD",
			reauth:                                 "PATCH",
		}
		for u, want := range allow {
			if got := b.do(req{method: "PUT", url: u}).header.Get("Allow"); got != want {
				t.Errorf("Allow of %s is %q, want %q", u, got, want)
			}
		}
	})
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t, envConfig{})
	a := e.browser("alice").connect(url.Values{})
	for _, user := range []string{"", "bad"} {
		b := e.browser(user)
		for _, q := range []req{
			{method: "GET", url: e.url("/me/external_accounts")},
			{method: "POST", url: e.url("/me/external_accounts"), ctype: mediaForm, body: "strategy=oauth_custom_dev&redirect_url=/settings"},
			{method: "GET", url: e.url("/me/external_accounts/" + a.ID)},
			{method: "PATCH", url: e.url("/me/external_accounts/" + a.ID + "/reauthorize"), ctype: mediaForm, body: "redirect_url=/settings"},
			{method: "DELETE", url: e.url("/me/external_accounts/" + a.ID)},
		} {
			res := b.do(q)
			wantError(t, res, http.StatusUnauthorized, "authentication_invalid", "")
			if strings.Contains(res.String(), "secret-session-detail") {
				t.Errorf("the host's error is echoed: %s", res)
			}
		}
	}
}

// failingAccounts is an account store whose backend is down.
type failingAccounts struct{ *memstore.Store }

var errDriver = errors.New("dial tcp 10.0.0.7:5432: password=hunter2 refused")

func (failingAccounts) ListAccounts(context.Context, account.Query) ([]*account.ExternalAccount, error) {
	return nil, verification.ErrStoreUnavailable.Wrap(errDriver)
}

func (failingAccounts) GetAccount(context.Context, string) (*account.ExternalAccount, error) {
	return nil, verification.ErrStoreUnavailable.Wrap(errDriver)
}

func TestStoreUnavailable(t *testing.T) {
	e := newEnv(t, envConfig{accounts: func(s *memstore.Store) account.AccountStore { return failingAccounts{s} }})
	b := e.browser("alice")
	for _, u := range []string{e.url("/me/external_accounts"), e.url("/me/external_accounts/eac_x")} {
		res := b.get(u)
		wantError(t, res, http.StatusServiceUnavailable, "store_unavailable", "")
		if strings.Contains(res.String(), "hunter2") || strings.Contains(res.String(), "10.0.0.7") {
			t.Errorf("driver error echoed: %s", res)
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, "hunter2") || !strings.Contains(logs, "code=store_unavailable") {
		t.Errorf("logs: %s", logs)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.hooked) == 0 || !errors.Is(e.hooked[0].err, errDriver) {
		t.Errorf("the error hook does not get the cause: %+v", e.hooked)
	}
}

// TestUncleanPaths: the handler answers 404 where a ServeMux would redirect
// (a host's own mux may clean the path before, as http.ServeMux does).
func TestUncleanPaths(t *testing.T) {
	e := newEnv(t, envConfig{})
	for _, p := range []string{"/me//external_accounts", "/me/x/../external_accounts", "/me/./external_accounts", "", "me/external_accounts", "/oauth_callback/..", "//oauth_callback"} {
		r := httptest.NewRequest("GET", "http://h/", nil)
		r.URL.Path = p
		r.URL.RawQuery = "state=s&code=c"
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		res := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		wantError(t, res, http.StatusNotFound, "resource_not_found", "")
	}
}
