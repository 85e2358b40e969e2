package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
)

// testServer is the demo served in process by run.
type testServer struct {
	URL  string
	Dir  string
	Log  *lockedBuffer
	stop func() error
}

// testConfig is the configuration of a demo whose files live in dir.
func testConfig(dir string) config {
	return config{
		Addr:            "127.0.0.1:0",
		DB:              filepath.Join(dir, "tether-demo.db"),
		CleanupEvery:    time.Minute,
		ShutdownTimeout: 5 * time.Second,
	}
}

// startServer runs the demo with cfg on a free port of 127.0.0.1 until the
// test ends (or Stop), and waits until it serves the page.
func startServer(t *testing.T, cfg config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, ln, log) }()
	ts := &testServer{
		URL: "http://" + ln.Addr().String(),
		Dir: filepath.Dir(cfg.DB),
		Log: logs,
	}
	var once sync.Once
	var stopErr error
	ts.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				t.Errorf("the server did not stop within 30s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Errorf("run: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	// The listener is open, so requests wait for Serve; a failing newApp
	// returns instead.
	pageDone := make(chan error, 1)
	go func() {
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Get(ts.URL + "/")
		if err == nil {
			resp.Body.Close()
		}
		pageDone <- err
	}()
	select {
	case err := <-done:
		done <- err
		t.Fatalf("run stopped before serving: %v\nlog:\n%s", err, logs.String())
	case err := <-pageDone:
		if err != nil {
			t.Fatalf("GET /: %v", err)
		}
	}
	return ts
}

// Stop shuts the server down and returns run's result.
func (ts *testServer) Stop() error { return ts.stop() }

// browser is an HTTP client with a cookie jar that records the URLs it was
// redirected through.
type browser struct {
	t      *testing.T
	c      *http.Client
	base   string
	mu     sync.Mutex
	visits []*url.URL
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: base}
	b.c = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			b.mu.Lock()
			b.visits = append(b.visits, req.URL)
			b.mu.Unlock()
			if len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b
}

// visited returns the URLs the browser was redirected to so far.
func (b *browser) visited() []*url.URL {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*url.URL(nil), b.visits...)
}

// do sends a request (a form body when form is not nil) and returns the
// final response's status and body, after redirects.
func (b *browser) do(method, target string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet && strings.HasPrefix(target, b.base) {
		req.Header.Set("Origin", b.base) // as a browser sends it
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(data)
}

// login signs username in and returns the page it lands on.
func (b *browser) login(username string) string {
	b.t.Helper()
	resp, page := b.do("POST", "/login", url.Values{"username": {username}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		b.t.Fatalf("login %q: %d at %s\n%s", username, resp.StatusCode, resp.Request.URL.Path, page)
	}
	return page
}

// api calls a Tether route and decodes the JSON answer into out (when not
// nil), failing the test unless the status is want.
func (b *browser) api(method, path string, form url.Values, want int, out any) {
	b.t.Helper()
	resp, body := b.do(method, "/identity"+path, form)
	if resp.StatusCode != want {
		b.t.Fatalf("%s /identity%s: status %d, want %d: %s", method, path, resp.StatusCode, want, body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(body), out); err != nil {
			b.t.Fatalf("%s /identity%s: %v: %s", method, path, err, body)
		}
	}
}

// accounts lists the signed-in user's accounts through the API.
func (b *browser) accounts() []*account.ExternalAccount {
	b.t.Helper()
	var list []*account.ExternalAccount
	b.api("GET", "/me/external_accounts", nil, http.StatusOK, &list)
	return list
}

// connect starts connecting an account at strategy and returns it,
// unverified.
func (b *browser) connect(strategy string, extra url.Values) *account.ExternalAccount {
	b.t.Helper()
	form := url.Values{"strategy": {strategy}, "redirect_url": {"/"}}
	for k, v := range extra {
		form[k] = v
	}
	var a account.ExternalAccount
	b.api("POST", "/me/external_accounts", form, http.StatusOK, &a)
	return &a
}

var (
	formRe   = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	subRe    = regexp.MustCompile(`name="sub" value="([^"]*)"`)
)

// providerForm is the dev provider's sign-in form.
type providerForm struct {
	Action string
	Fields url.Values // the hidden fields
	Sub    string     // the prefilled subject
}

// openProvider follows an authorization URL to the dev provider's sign-in
// form and reads it.
func (b *browser) openProvider(authURL string) providerForm {
	b.t.Helper()
	resp, page := b.do("GET", authURL, nil)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET the authorization URL: %d\n%s", resp.StatusCode, page)
	}
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no sign-in form on the dev provider's page:\n%s", page)
	}
	f := providerForm{Action: html.UnescapeString(m[1]), Fields: url.Values{}}
	for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
		f.Fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	if s := subRe.FindStringSubmatch(page); s != nil {
		f.Sub = html.UnescapeString(s[1])
	}
	return f
}

// devIdentity is what the test types into the dev provider's form.
type devIdentity struct {
	Sub, Email, Name string
	EmailVerified    bool
}

// submit posts the form with decision ("approve" or "deny") and follows
// the redirects to the callback and back to the page, which it returns.
func (b *browser) submit(f providerForm, decision string, id devIdentity) string {
	b.t.Helper()
	form := url.Values{}
	for k, v := range f.Fields {
		form[k] = v
	}
	form.Set("sub", id.Sub)
	form.Set("email", id.Email)
	form.Set("name", id.Name)
	if id.EmailVerified {
		form.Set("email_verified", "true")
	}
	form.Set("decision", decision)
	resp, page := b.do("POST", f.Action, form)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		b.t.Fatalf("%s on the dev provider: ended with %d at %s\n%s", decision, resp.StatusCode, resp.Request.URL, page)
	}
	return page
}

// find returns the account with id from list, failing the test when it is
// not there.
func find(t *testing.T, list []*account.ExternalAccount, id string) *account.ExternalAccount {
	t.Helper()
	for _, a := range list {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("account %s not in the list (%d accounts)", id, len(list))
	return nil
}

// netListen listens on a free port of 127.0.0.1.
func netListen(t *testing.T) (net.Listener, error) {
	t.Helper()
	return net.Listen("tcp", "127.0.0.1:0")
}

// rand8 returns 8 random letters and digits, for names tests must not share.
func rand8() string { return strings.ToLower(rand.Text()[:8]) }

// noEnv is a getenv with nothing set.
func noEnv(string) string { return "" }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

type lockedBuffer = testkit.LogBuffer
