package httpadapter

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

func testService(t testing.TB, callbackURL string, provs ...provider.Provider) *account.Service {
	t.Helper()
	reg, err := provider.NewRegistry(provs...)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	s := memstore.New(memstore.Options{})
	svc, err := account.New(account.Config{Accounts: s, Flows: s, Providers: reg, Keyring: kr, CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestNewValidates(t *testing.T) {
	const cb = "https://app.example.com/tether/oauth_callback"
	svc := testService(t, cb)
	uid := func(*http.Request) (string, error) { return "u", nil }
	good := Options{UserID: uid, CallbackURL: cb}
	if _, err := New(svc, good); err != nil {
		t.Fatalf("New(good) = %v", err)
	}
	if _, err := New(nil, good); err == nil {
		t.Error("New without a Service succeeded")
	}
	bad := map[string]func(*Options){
		"no UserID":             func(o *Options) { o.UserID = nil },
		"other callback":        func(o *Options) { o.CallbackURL = "https://app.example.com/other/oauth_callback" },
		"relative callback":     func(o *Options) { o.CallbackURL = "/oauth_callback" },
		"ftp callback":          func(o *Options) { o.CallbackURL = "ftp://app.example.com/oauth_callback" },
		"callback userinfo":     func(o *Options) { o.CallbackURL = "https://u@app.example.com/oauth_callback" },
		"callback fragment":     func(o *Options) { o.CallbackURL = cb + "#x" },
		"callback path":         func(o *Options) { o.CallbackURL = "https://app.example.com/tether/callback" },
		"callback vs prefix":    func(o *Options) { o.Prefix = "/other" },
		"prefix trailing slash": func(o *Options) { o.Prefix = "/tether/" },
		"prefix relative":       func(o *Options) { o.Prefix = "tether" },
		"prefix unclean":        func(o *Options) { o.Prefix = "/a//tether" },
		"prefix wildcard":       func(o *Options) { o.Prefix = "/{x}" },
		"origin with path":      func(o *Options) { o.AllowedRedirectOrigins = []string{"https://app.example.com/x"} },
		"origin no scheme":      func(o *Options) { o.AllowedRedirectOrigins = []string{"app.example.com"} },
		"origin javascript":     func(o *Options) { o.AllowedRedirectOrigins = []string{"javascript:alert(1)"} },
		"origin userinfo":       func(o *Options) { o.AllowedRedirectOrigins = []string{"https://a@app.example.com"} },
		"origin query":          func(o *Options) { o.AllowedRedirectOrigins = []string{"https://app.example.com?x"} },
		"origin escaped":        func(o *Options) { o.AllowedRedirectOrigins = []string{"https://app%2eexample.com"} },
		"trusted origin":        func(o *Options) { o.TrustedOrigins = []string{"not an origin"} },
		"cookie strict":         func(o *Options) { o.Cookie.SameSite = http.SameSiteStrictMode },
		"cookie default mode":   func(o *Options) { o.Cookie.SameSite = http.SameSiteDefaultMode },
		"cookie name prefix":    func(o *Options) { o.Cookie.Name = "__Host-x" },
		"cookie name chars":     func(o *Options) { o.Cookie.Name = "a;b" },
	}
	for name, change := range bad {
		o := good
		change(&o)
		if _, err := New(svc, o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	// SameSite=None needs https.
	httpSvc := testService(t, "http://127.0.0.1:8080/oauth_callback")
	if _, err := New(httpSvc, Options{UserID: uid, CallbackURL: "http://127.0.0.1:8080/oauth_callback", Cookie: CookieOptions{SameSite: http.SameSiteNoneMode}}); err == nil {
		t.Error("SameSite=None on http accepted")
	}
	h, err := New(httpSvc, Options{UserID: uid, CallbackURL: "http://127.0.0.1:8080/oauth_callback"})
	if err != nil {
		t.Fatal(err)
	}
	if h.cookie.name != defaultCookieName || h.cookie.secure || h.cookie.sameSite != http.SameSiteLaxMode || h.maxBody != DefaultMaxBodyBytes {
		t.Errorf("http defaults: %+v, body %d", h.cookie, h.maxBody)
	}
	// The callback URL defaults to the Service's.
	if h, err := New(httpSvc, Options{UserID: uid}); err != nil || h.cookie.name != defaultCookieName {
		t.Errorf("default callback URL: %v", err)
	}
	h, err = New(svc, good)
	if err != nil {
		t.Fatal(err)
	}
	if h.cookie.name != "__Host-"+defaultCookieName || !h.cookie.secure || h.cookie.sameSite != http.SameSiteNoneMode || h.cookie.maxAge != 2*600+60 {
		t.Errorf("https defaults: %+v", h.cookie)
	}
}

func TestCheckRedirectURL(t *testing.T) {
	set, err := newOriginSet([]string{"https://app.example.com", "http://127.0.0.1:8080/", "https://[::1]:8443", "HTTPS://Other.Example.com:443"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range badRedirectURLs {
		err := set.checkRedirectURL(r.raw)
		if verification.Code(err) != r.code || verification.AsError(err).Meta["param_name"] != "redirect_url" {
			t.Errorf("checkRedirectURL(%q) = %v, want %s", r.raw, err, r.code)
		}
	}
	good := append([]string{
		"http://127.0.0.1:8080/after",
		"https://[::1]:8443/x",
		"https://other.example.com/x",
		"https://OTHER.example.com:443",
	}, goodRedirectURLs...)
	for _, raw := range good {
		if err := set.checkRedirectURL(raw); err != nil {
			t.Errorf("checkRedirectURL(%q) = %v, want ok", raw, err)
		}
	}
	for _, raw := range []string{"http://127.0.0.1/", "http://127.0.0.1:8081/", "https://127.0.0.1:8080/", "https://[::1]/"} {
		if err := set.checkRedirectURL(raw); verification.Code(err) != "redirect_url_not_allowed" {
			t.Errorf("checkRedirectURL(%q) = %v, want redirect_url_not_allowed", raw, err)
		}
	}
	if err := set.checkRedirectURL(""); verification.Code(err) != "form_param_missing" {
		t.Errorf("empty redirect URL: %v", err)
	}
}

func TestDecodeBody(t *testing.T) {
	full := params{
		Strategy: "oauth_google", RedirectURL: "/x", AdditionalScopes: []string{"a", "b"},
		Label: "work", OIDCPrompt: "consent", OIDCLoginHint: "a@example.com",
	}
	cases := []struct {
		ctype, body string
		fields      fieldSet
		want        params
		code        string
	}{
		{mediaForm, "strategy=oauth_google&redirect_url=%2Fx&additional_scope=a&additional_scope=b&label=work&oidc_prompt=consent&oidc_login_hint=a%40example.com&extra=1", connectFields, full, ""},
		{"Application/X-WWW-Form-Urlencoded; charset=UTF-8", "strategy=oauth_google", connectFields, params{Strategy: "oauth_google"}, ""},
		{mediaJSON, `{"strategy":"oauth_google","redirect_url":"/x","additional_scopes":["a","b"],"label":"work","oidc_prompt":"consent","oidc_login_hint":"a@example.com"}`, connectFields, full, ""},
		{mediaJSON, ` { "label" : null , "additional_scopes" : null } `, connectFields, params{}, ""},
		{mediaJSON, `{"additional_scopes":[]}`, connectFields, params{AdditionalScopes: []string{}}, ""},
		{"", "", connectFields, params{}, ""},
		{mediaForm, "", connectFields, params{}, ""},
		// Reauthorize ignores connect-only form fields, refuses them in JSON.
		{mediaForm, "strategy=oauth_google&label=x&redirect_url=/y", reauthorizeFields, params{RedirectURL: "/y"}, ""},
		{mediaJSON, `{"label":"x"}`, reauthorizeFields, params{}, "form_param_invalid"},
		{mediaJSON, ``, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `null`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"strategy":"a"`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"strategy":"a",}`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"strategy":"a"}]`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"strategy":["a"]}`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"additional_scopes":["a",null]}`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"additional_scopes":["a"}`, connectFields, params{}, "form_param_invalid"},
		{mediaJSON, `{"\u0000":1}`, connectFields, params{}, "form_param_invalid"},
		{"text/plain", "strategy=x", connectFields, params{}, "unsupported_media_type"},
		{"", "x", connectFields, params{}, "unsupported_media_type"},
		{"application/json; charset=utf-16", "{}", connectFields, params{}, "unsupported_media_type"},
		{"application/problem+json", "{}", connectFields, params{}, "unsupported_media_type"},
		{mediaForm, "label=a&label=b", connectFields, params{}, "form_param_invalid"},
		{mediaForm, "a=%", connectFields, params{}, "form_param_invalid"},
		{mediaForm, "a=1;b=2", connectFields, params{}, "form_param_invalid"},
	}
	for _, c := range cases {
		got, err := decodeBody(c.ctype, []byte(c.body), c.fields)
		if verification.Code(err) != c.code {
			t.Errorf("decodeBody(%q, %q) error %v, want %q", c.ctype, c.body, err, c.code)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, c.want) {
			t.Errorf("decodeBody(%q, %q) = %+v, want %+v", c.ctype, c.body, got, c.want)
		}
	}
}

// TestStatusTable pins the one code -> status table.
func TestStatusTable(t *testing.T) {
	want := map[*verification.Error]int{
		verification.ErrExternalAccountNotFound: 404,
		verification.ErrResourceNotFound:        404,
		verification.ErrExternalAccountExists:   400,
		verification.ErrAlreadyConnected:        400,
		verification.ErrIdentityMismatch:        400,
		verification.ErrMissingRefreshToken:     422,
		verification.ErrAccessDenied:            403,
		verification.ErrAccountLimit:            403,
		verification.ErrTokenExchange:           502,
		verification.ErrFetchUser:               502,
		verification.ErrIDTokenInvalid:          502,
		verification.ErrCallbackInvalid:         400,
		verification.ErrProviderNotEnabled:      422,
		verification.ErrTokenRetrieval:          502,
		verification.ErrVerificationExpired:     422,
		verification.ErrVerificationFailed:      422,
		verification.ErrAlreadyVerified:         422,
		verification.ErrStrategyInvalid:         400,
		verification.ErrFormParamInvalid:        400,
		verification.ErrFormParamMissing:        400,
		verification.ErrRedirectURLNotAllowed:   400,
		verification.ErrAuthenticationInvalid:   401,
		verification.ErrConflict:                409,
		verification.ErrStoreUnavailable:        503,
		verification.ErrInternal:                500,
		ErrOriginInvalid:                        403,
		ErrSignUpUnavailable:                    403,
		ErrForbidden:                            403,
		ErrPreconditionFailed:                   412,
		ErrTooManyRequests:                      429,
		ErrMethodNotAllowed:                     405,
		ErrRequestBodyTooLarge:                  413,
		ErrUnsupportedMediaType:                 415,
	}
	if len(want) != len(statusByCode) {
		t.Errorf("the table has %d codes, the test %d", len(statusByCode), len(want))
	}
	for e, status := range want {
		if got := HTTPStatus(e.WithParam("x").Wrap(errors.New("cause"))); got != status {
			t.Errorf("HTTPStatus(%s) = %d, want %d", e.Code, got, status)
		}
	}
	if got := HTTPStatus(errors.New("plain")); got != 500 {
		t.Errorf("plain error: %d", got)
	}
	if got := HTTPStatus(&verification.Error{Code: "made_up"}); got != 500 {
		t.Errorf("unknown code: %d", got)
	}
}

func TestCleanPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/a": true, "/a/": true, "/a/b": true, "/me/external_accounts/x/reauthorize": true,
		"": false, "a": false, "//": false, "/a//b": false, "/a/./b": false, "/a/../b": false, "/a/.": false, "/..": false, "/a//": false,
	} {
		if got := cleanPath(p); got != want {
			t.Errorf("cleanPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestBindingCookieRead(t *testing.T) {
	c := bindingCookie{name: "b"}
	for v, want := range map[string]string{
		newBinding()[:bindingLen]:       "ok",
		strings.Repeat("a", bindingLen): "ok",
		strings.Repeat("a", 42):         "",
		strings.Repeat("a", 44):         "",
		strings.Repeat("+", bindingLen): "",
		"":                              "",
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "b="+v)
		got := c.read(r)
		if (want == "ok") != (got == v && got != "") {
			t.Errorf("read(%q) = %q", v, got)
		}
	}
	a, b := newBinding(), newBinding()
	if a == b || len(a) != bindingLen {
		t.Errorf("newBinding: %q %q", a, b)
	}
}

// TestReadBodyUnknownLength: a body without Content-Length (chunked) is cut
// at the limit too.
func TestReadBodyUnknownLength(t *testing.T) {
	for _, n := range []int{10, 11, 100} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", n)))
		r.ContentLength = -1
		_, err := readBody(httptest.NewRecorder(), r, 10)
		if tooLarge := errors.Is(err, ErrRequestBodyTooLarge); tooLarge != (n > 10) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}
