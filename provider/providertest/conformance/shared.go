package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// browse sends the browser to the authorization URL and returns the
// callback's parameters, from the redirect or the form_post page.
func browse(t *testing.T, client *http.Client, raw string) url.Values {
	t.Helper()
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(raw)
	if err != nil {
		t.Fatalf("GET authorization URL: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatalf("callback URL: %v", err)
		}
		return loc.Query()
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	v := url.Values{}
	for _, m := range inputPattern.FindAllStringSubmatch(b.String(), -1) {
		v.Add(unescapeHTML(m[1]), unescapeHTML(m[2]))
	}
	if len(v) == 0 {
		t.Fatalf("authorization endpoint answered HTTP %d without a callback", resp.StatusCode)
	}
	return v
}

var inputPattern = regexp.MustCompile(`<input type=hidden name="([^"]*)" value="([^"]*)">`)

func unescapeHTML(s string) string {
	r := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`, "&#39;", "'")
	return r.Replace(s)
}

// checkIdentity compares every field but Claims.
func checkIdentity(t *testing.T, got *provider.Identity, want provider.Identity) {
	t.Helper()
	if got == nil {
		t.Fatal("Exchange returned a nil Identity")
	}
	show := func(b *bool) string {
		if b == nil {
			return "nil"
		}
		return fmt.Sprint(*b)
	}
	for _, c := range []struct{ field, got, want string }{
		{"ProviderUserID", got.ProviderUserID, want.ProviderUserID},
		{"EmailAddress", got.EmailAddress, want.EmailAddress},
		{"EmailVerified", show(got.EmailVerified), show(want.EmailVerified)},
		{"FirstName", got.FirstName, want.FirstName},
		{"LastName", got.LastName, want.LastName},
		{"Username", got.Username, want.Username},
		{"AvatarURL", got.AvatarURL, want.AvatarURL},
	} {
		if c.got != c.want {
			t.Errorf("Identity.%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

// checkPrinted fails when v printed with %v, %+v, %#v or %s shows a secret.
func checkPrinted(t *testing.T, sec *secrets, what string, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, v)
		if name := leaked(out, sec.all()); name != "" {
			t.Errorf("%s printed with %s shows a secret (%s)", what, verb, name)
		}
	}
}

// checkErr fails when err, or any error it wraps, shows a secret.
func checkErr(t *testing.T, sec *secrets, err error) {
	t.Helper()
	secrets := sec.all()
	for _, e := range chain(err) {
		for _, verb := range []string{"%v", "%+v"} {
			if name := leaked(fmt.Sprintf(verb, e), secrets); name != "" {
				t.Errorf("error %T printed with %s shows a secret (%s)", e, verb, name)
			}
		}
	}
}

// chain returns err and every error it wraps.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil || len(out) > 100 {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// secretKinds name the secrets the suite makes by their prefix.
var secretKinds = []struct{ prefix, kind string }{
	{"code-", "the authorization code"}, {"at-", "an access token"}, {"rt-", "a refresh token"},
	{"state-", "the state"}, {"nonce-", "the nonce"}, {"conformance-secret-", "the client secret"},
	{"eyJ", "a JWT (ID token or client secret)"},
	{"tc-", "a temporary credential's token"}, {"tcs-", "a temporary credential's secret"},
	{"ts-", "a token credential's secret"}, {"ov-", "the oauth_verifier"},
}

// leaked returns which kind of secret s shows, or "".
func leaked(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < 8 || !strings.Contains(s, sec) {
			continue
		}
		for _, k := range secretKinds {
			if strings.HasPrefix(sec, k.prefix) {
				return k.kind
			}
		}
		return "the PKCE verifier or another secret"
	}
	return ""
}

// traced returns a context with a recording span, under which a provider
// that traces its requests (every catalogue provider does) records its
// spans, and the function that ends it and returns every span recorded.
func traced() (context.Context, func() []sdktrace.ReadOnlySpan) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("conformance").Start(context.Background(), "conformance")
	return ctx, func() []sdktrace.ReadOnlySpan {
		root.End()
		return rec.Ended()
	}
}

// checkSpans fails when a span's name, attributes or events show a
// secret: a URL path with a token in it (HubSpot's endpoints take one)
// must not reach a trace.
func checkSpans(t *testing.T, sec *secrets, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	secrets := sec.all()
	for _, sp := range spans {
		texts := []string{sp.Name(), sp.Status().Description}
		for _, a := range sp.Attributes() {
			texts = append(texts, string(a.Key)+"="+a.Value.Emit())
		}
		for _, e := range sp.Events() {
			texts = append(texts, e.Name)
			for _, a := range e.Attributes {
				texts = append(texts, string(a.Key)+"="+a.Value.Emit())
			}
		}
		for _, text := range texts {
			if name := leaked(text, secrets); name != "" {
				t.Errorf("span %q shows a secret (%s)", sp.Name(), name)
			}
		}
	}
}

// secrets are the secrets a run made or saw, which no error, printed value
// or span may show.
type secrets struct {
	mu   sync.Mutex
	list []string
}

// add records s as secrets.
func (sec *secrets) add(s ...string) {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	sec.list = append(sec.list, s...)
}

func (sec *secrets) all() []string {
	sec.mu.Lock()
	defer sec.mu.Unlock()
	return slices.Clone(sec.list)
}

// checkRoutes reports profile routes without Path or Body and examples
// the suite cannot serve through them.
func checkRoutes(routes []Route, examples []Example, idToken bool) error {
	for _, r := range routes {
		if r.Path == "" || r.Body == nil {
			return errors.New("every profile route needs Path and Body")
		}
	}
	for _, ex := range examples {
		if ex.Name == "" {
			return errors.New("every Example needs a Name")
		}
		if ex.Claims != nil && !idToken {
			return fmt.Errorf("Example %s has Claims but the harness has no IDToken", ex.Name)
		}
		for path, body := range ex.Bodies {
			if !slices.ContainsFunc(routes, func(r Route) bool { return r.Path == path }) {
				return fmt.Errorf("Example %s has a body for %s, which is no profile route's path", ex.Name, path)
			}
			if !json.Valid([]byte(body)) {
				return fmt.Errorf("Example %s: the body for %s is not JSON", ex.Name, path)
			}
		}
	}
	return nil
}

// withBodies returns routes whose Body is the example's verbatim where it
// has one for the route's Path.
func withBodies(routes []Route, bodies map[string]string) []Route {
	routes = slices.Clone(routes)
	for i, r := range routes {
		if body, ok := bodies[r.Path]; ok {
			routes[i].Body = func(User, []string) any { return json.RawMessage(body) }
		}
	}
	return routes
}

// subtest is a subtest a run starts.
type subtest struct {
	name string
	fn   func(*testing.T)
}

// plan is the subtests of a run of either mode, in their order: first,
// one exchange per fixture, then, one per documented example; none when
// the harness is invalid.
type plan struct {
	invalid  error
	first    []subtest
	exchange func(*testing.T, User)
	then     []subtest
	example  func(*testing.T, Example)
}

func (pl plan) run(t *testing.T, examples []Example) {
	t.Helper()
	if pl.invalid != nil {
		t.Fatalf("conformance: invalid harness: %v", pl.invalid)
	}
	tests := slices.Clone(pl.first)
	for _, fx := range fixtures {
		tests = append(tests, subtest{"Exchange/" + fx.name, func(t *testing.T) { pl.exchange(t, fx.user) }})
	}
	tests = append(tests, pl.then...)
	for _, ex := range examples {
		tests = append(tests, subtest{"Example/" + ex.Name, func(t *testing.T) { pl.example(t, ex) }})
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

// wantFailure fails unless err is sentinel, and when err shows a secret.
func wantFailure(t *testing.T, sec *secrets, what string, err error, sentinel *verification.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want %s", what, sentinel.Code)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: %v, want %s", what, err, sentinel.Code)
	}
	checkErr(t, sec, err)
}

// checkNames checks p's Strategy() and Metadata().Title and returns its
// Metadata.
func checkNames(t *testing.T, p provider.Provider, strategy, title string) provider.Metadata {
	t.Helper()
	if got := p.Strategy().String(); got != strategy {
		t.Errorf("Strategy() = %q, want %q", got, strategy)
	}
	md := p.Metadata()
	if md.Title != title {
		t.Errorf("Metadata().Title = %q, want %q", md.Title, title)
	}
	return md
}

// checkCapabilities fails when p implements an optional interface the
// harness does not declare, or lacks one it declares.
func checkCapabilities(t *testing.T, p provider.Provider, refresh, revoke, verify bool) {
	t.Helper()
	_, refresher := p.(provider.Refresher)
	_, revoker := p.(provider.Revoker)
	_, verifier := p.(provider.IDTokenVerifier)
	for _, c := range []struct {
		name          string
		has, declared bool
	}{{"Refresher", refresher, refresh}, {"Revoker", revoker, revoke}, {"IDTokenVerifier", verifier, verify}} {
		switch {
		case c.has && !c.declared:
			t.Errorf("the provider implements provider.%s, which the harness does not declare", c.name)
		case !c.has && c.declared:
			t.Errorf("the harness declares %s, which the provider does not implement", c.name)
		}
	}
}

// build returns the provider newFn makes on s, failing the subtest when it
// fails or returns nil.
func build[S any, P comparable](t *testing.T, newFn func(S) (P, error), s S) P {
	t.Helper()
	p, err := newFn(s)
	if err != nil {
		t.Fatalf("the harness's New: %v", err)
	}
	var none P
	if p == none {
		t.Fatal("the harness's New returned a nil provider")
	}
	return p
}

// serve starts h on 127.0.0.1 until t ends; it returns its URL, a client
// that trusts it, and a client id and a secret, which sec records.
func serve(t *testing.T, h http.Handler, sec *secrets) (base string, client *http.Client, id, secret string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	id, secret = "conformance-client-"+random(6), "conformance-secret-"+random(16)
	sec.add(secret)
	return srv.URL, srv.Client(), id, secret
}
