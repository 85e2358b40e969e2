package httpadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// envConfig varies the test environment.
type envConfig struct {
	formPost  bool                                                       // the provider answers with response_mode=form_post
	tls       bool                                                       // serve the host over https
	prefix    bool                                                       // mount with Options.Prefix instead of http.StripPrefix
	opts      func(*Options)                                             // adjust the handler's options
	accounts  func(*memstore.Store) account.AccountStore                 // wrap the account store
	providers func(t *testing.T, callbackURL string) []provider.Provider // other providers than providertest's
}

// env is a host application on an httptest.Server with the handler mounted
// at /tether, providertest behind provider/oidc registered as
// oauth_custom_dev, and every log line and response body recorded.
type env struct {
	t     *testing.T
	pt    *providertest.Server // the provider
	prov  *recordingProvider   // provider/oidc on pt, recording what Exchange was given
	store *memstore.Store
	clock *testkit.Clock
	svc   *account.Service
	h     *Handler
	srv   *httptest.Server
	base  string // the host's origin
	logs  *lockedBuffer

	mu       sync.Mutex
	bodies   []string // every response body a browser read
	bindings []string // every binding value a browser received
	seen     []string // every state and code a browser carried

	failureBodies []string // bodies of the handler's error and redirect answers
	hooked        []hookCall
}

type hookCall struct {
	status int
	err    *verification.Error
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, logs: &lockedBuffer{}, clock: testkit.NewClock()}
	e.srv = httptest.NewUnstartedServer(nil)
	scheme := "http"
	if cfg.tls {
		scheme = "https"
	}
	e.base = scheme + "://" + e.srv.Listener.Addr().String()
	callbackURL := e.base + "/tether" + CallbackPath

	e.pt = providertest.New(providertest.Config{})
	t.Cleanup(e.pt.Close)
	e.pt.AddUser(providertest.User{Subject: "sub-alice", Email: "alice@example.com", EmailVerified: new(true), Name: "Alice A", GivenName: "Alice", FamilyName: "A"})
	e.pt.SetLogin("sub-alice")
	oc := oidc.Config{
		Strategy:     verification.MustParseStrategy("oauth_custom_dev"),
		Issuer:       e.pt.URL(),
		ClientID:     e.pt.ClientID(),
		ClientSecret: e.pt.ClientSecret(),
	}
	if cfg.formPost {
		oc.ExtraAuthParams = map[string]string{"response_mode": "form_post"}
	}
	prov, err := oidc.New(t.Context(), oc)
	if err != nil {
		t.Fatal(err)
	}
	e.prov = &recordingProvider{Provider: prov}
	provs := []provider.Provider{e.prov}
	if cfg.providers != nil {
		provs = cfg.providers(t, callbackURL)
	}
	reg, err := provider.NewRegistry(provs...)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.store = memstore.New(memstore.Options{Now: e.clock.Now})
	var accounts account.AccountStore = e.store
	if cfg.accounts != nil {
		accounts = cfg.accounts(e.store)
	}
	e.svc, err = account.New(account.Config{
		Accounts:    accounts,
		Tokens:      e.store,
		Flows:       e.store,
		Providers:   reg,
		Keyring:     kr,
		CallbackURL: callbackURL,
		// Tests start many connects per user; TestAccountLimit checks the
		// limit itself.
		Limits: account.Limits{MaxPending: envMaxPending},
		Now:    e.clock.Now,
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		CallbackURL:            callbackURL,
		UserID:                 sessionUser,
		AllowedRedirectOrigins: []string{"https://app.example.com"},
		Logger:                 logger,
		OnError: func(r *http.Request, status int, err *verification.Error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.hooked = append(e.hooked, hookCall{status, err})
		},
	}
	if cfg.prefix {
		opts.Prefix = "/tether"
	}
	if cfg.opts != nil {
		cfg.opts(&opts)
	}
	e.h, err = New(e.svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if cfg.prefix {
		mux.Handle("/tether/", e.h)
	} else {
		mux.Handle("/tether/", http.StripPrefix("/tether", e.h))
	}
	mux.HandleFunc("GET /settings", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "settings page")
	})
	e.srv.Config.Handler = mux
	if cfg.tls {
		e.srv.StartTLS()
	} else {
		e.srv.Start()
	}
	t.Cleanup(e.srv.Close)
	return e
}

// sessionUser is the host's UserID: the "session" cookie names the user, and
// the "bad" session is a failing session store.
func sessionUser(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", err
	}
	if c.Value == "bad" {
		return "", errors.New("session store down: secret-session-detail")
	}
	return c.Value, nil
}

// recordSeen records the state and code a URL carries.
func (e *env) recordSeen(u *url.URL) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range []string{"state", "code"} {
		if v := u.Query().Get(k); v != "" {
			e.seen = append(e.seen, v)
		}
	}
}

// url is the absolute URL of a handler route.
func (e *env) url(route string) string { return e.base + "/tether" + route }

// browser is one browser: a cookie jar, signed in to the host as user.
type browser struct {
	e      *env
	follow *http.Client // follows redirects
	stay   *http.Client // does not
	jar    *cookiejar.Jar
}

func (e *env) browser(user string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" {
		u, _ := url.Parse(e.base)
		jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: user, Path: "/"}})
	}
	transport := http.DefaultTransport
	if strings.HasPrefix(e.base, "https:") {
		transport = e.srv.Client().Transport
	}
	return &browser{
		e:   e,
		jar: jar,
		follow: &http.Client{Jar: jar, Transport: transport, CheckRedirect: func(r *http.Request, via []*http.Request) error {
			e.recordSeen(r.URL)
			if len(via) >= 10 {
				return errors.New("too many redirects")
			}
			return nil
		}},
		stay: &http.Client{Jar: jar, Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// result is a response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL // of the last request
}

func (r result) String() string { return string(r.body) }

// req describes a request.
type req struct {
	method, url string
	ctype, body string
	header      map[string]string
	follow      bool
}

func (b *browser) do(q req) result {
	b.e.t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r, err := http.NewRequest(q.method, q.url, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if q.ctype != "" {
		r.Header.Set("Content-Type", q.ctype)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	c := b.stay
	if q.follow {
		c = b.follow
	}
	resp, err := c.Do(r)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	b.e.mu.Lock()
	b.e.bodies = append(b.e.bodies, string(data))
	if resp.StatusCode >= 300 && strings.HasPrefix(resp.Request.URL.String(), b.e.base) {
		b.e.failureBodies = append(b.e.failureBodies, string(data))
	}
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, defaultCookieName) && c.Value != "" {
			b.e.bindings = append(b.e.bindings, c.Value)
		}
	}
	b.e.mu.Unlock()
	if loc, err := url.Parse(resp.Header.Get("Location")); err == nil {
		b.e.recordSeen(loc)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data, url: resp.Request.URL}
}

func (b *browser) get(u string) result { return b.do(req{method: http.MethodGet, url: u}) }

func (b *browser) postForm(u string, v url.Values) result {
	return b.do(req{method: http.MethodPost, url: u, ctype: mediaForm, body: v.Encode()})
}

// connect starts a connect with a form body and wants 200.
func (b *browser) connect(v url.Values) *account.ExternalAccount {
	b.e.t.Helper()
	if v.Get("strategy") == "" {
		v.Set("strategy", "oauth_custom_dev")
	}
	if v.Get("redirect_url") == "" {
		v.Set("redirect_url", "/settings")
	}
	res := b.postForm(b.e.url("/me/external_accounts"), v)
	a := wantAccount(b.e.t, res)
	if u, err := url.Parse(a.Verification.ExternalVerificationRedirectURL); err == nil {
		b.e.recordSeen(u)
	}
	return a
}

// authorize sends the browser to the account's authorization URL and
// returns the callback URL the provider redirected to, without visiting it.
func (b *browser) authorize(a *account.ExternalAccount) string {
	b.e.t.Helper()
	res := b.get(a.Verification.ExternalVerificationRedirectURL)
	if res.status != http.StatusFound && res.status != http.StatusSeeOther {
		b.e.t.Fatalf("authorize: status %d: %s", res.status, res)
	}
	return res.header.Get("Location")
}

// complete runs the whole round trip: provider, callback and the host's
// page, and returns the host page's response.
func (b *browser) complete(a *account.ExternalAccount) result {
	b.e.t.Helper()
	return b.do(req{method: http.MethodGet, url: a.Verification.ExternalVerificationRedirectURL, follow: true})
}

func wantAccount(t *testing.T, res result) *account.ExternalAccount {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.status, res)
	}
	var a account.ExternalAccount
	if err := json.Unmarshal(res.body, &a); err != nil {
		t.Fatalf("decode account: %v: %s", err, res)
	}
	return &a
}

// wantError checks an error response: status, code, the envelope's shape and
// the headers every response carries. param, when not "", is the expected
// meta.param_name.
func wantError(t *testing.T, res result, status int, code, param string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status %d, want %d: %s", res.status, status, res)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	checkCommonHeaders(t, res.header)
	var env struct {
		Errors []map[string]json.RawMessage `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(res.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil || len(env.Errors) != 1 {
		t.Fatalf("not an error envelope (%v): %s", err, res)
	}
	e := env.Errors[0]
	for _, k := range []string{"code", "message", "long_message", "meta"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error has no %q: %s", k, res)
		}
	}
	var got verification.Error
	if err := json.Unmarshal(res.body[len(`{"errors":[`):len(res.body)-2], &got); err != nil {
		t.Fatalf("decode error: %v: %s", err, res)
	}
	if got.Code != code {
		t.Errorf("code %q, want %q: %s", got.Code, code, res)
	}
	if param != "" && got.Meta["param_name"] != param {
		t.Errorf("meta.param_name %q, want %q: %s", got.Meta["param_name"], param, res)
	}
	if loc := res.header.Get("Location"); loc != "" {
		t.Errorf("an error response redirects to %q", loc)
	}
}

func checkCommonHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", got)
	}
}

// cookieNamed returns the Set-Cookie of name in res, or nil.
func cookieNamed(res result, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login signs sub in at the provider.
func (e *env) login(sub string) { e.pt.SetLogin(sub) }

// deny makes the provider answer error=access_denied, or stop doing so.
func (e *env) deny(on bool) {
	var f providertest.Faults
	if on {
		f.AuthorizeError = "access_denied"
	}
	e.pt.SetFaults(f)
}

// eachProvider runs test in a fresh env with cfg.
func eachProvider(t *testing.T, cfg envConfig, test func(t *testing.T, e *env)) {
	t.Run("providertest", func(t *testing.T) { test(t, newEnv(t, cfg)) })
}

// recordingProvider is provider/oidc recording the callback parameters its
// Exchange was given, so tests see what the handler passed on.
type recordingProvider struct {
	*oidc.Provider
	mu        sync.Mutex
	lastExtra map[string][]string
}

func (p *recordingProvider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	p.mu.Lock()
	p.lastExtra = req.Params
	p.mu.Unlock()
	return p.Provider.Exchange(ctx, req)
}

// envMaxPending is the test Service's limit on pending connects per user.
const envMaxPending = 20

type lockedBuffer = testkit.LogBuffer
