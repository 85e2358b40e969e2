package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tetherauth/tether/provider"
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
