package providertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// Mounted is a providertest provider whose endpoints are served under a real
// provider's paths (Google's /o/oauth2/v2/auth, Microsoft's
// /common/oauth2/v2.0/token, ...), so that a catalogue package's endpoint
// construction is tested, not replaced. Its issuer is URL + issuerPath.
type Mounted struct {
	*Handler
	// URL is the server's base URL (no path).
	URL string
	srv *httptest.Server
	mux *http.ServeMux
}

// NewMounted starts a providertest provider with cfg and issuer URL +
// issuerPath, serving paths (a real path to a providertest path such as
// PathToken), closed when t ends.
func NewMounted(t testing.TB, cfg Config, issuerPath string, paths map[string]string) *Mounted {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	h := NewHandler(base+issuerPath, cfg)
	o := &Mounted{Handler: h, URL: base, srv: srv, mux: http.NewServeMux()}
	for real, fake := range paths {
		o.mux.HandleFunc(real, func(w http.ResponseWriter, r *http.Request) { o.Forward(w, r, fake) })
	}
	srv.Config.Handler = o.mux
	srv.Start()
	t.Cleanup(srv.Close)
	return o
}

// Forward serves r as if it had been sent to the providertest path.
func (o *Mounted) Forward(w http.ResponseWriter, r *http.Request, path string) {
	r2 := r.Clone(r.Context())
	p, q, _ := strings.Cut(path, "?")
	r2.URL.Path, r2.URL.RawPath = p, ""
	if q != "" {
		r2.URL.RawQuery = q
	}
	o.Handler.ServeHTTP(w, r2)
}

// HandleFunc serves h at pattern instead of a mapped path, for
// provider-specific wrappers (Apple's form_post).
func (o *Mounted) HandleFunc(pattern string, h http.HandlerFunc) { o.mux.HandleFunc(pattern, h) }

// Client returns an HTTP client for the server.
func (o *Mounted) Client() *http.Client { return o.srv.Client() }

// UserFromClaims reads a JSON fixture of ID token claims (as a provider
// documents them) and returns the providertest user whose ID tokens carry
// them: "sub" becomes the Subject, the other claims Extra. Protocol claims
// (iss, aud, exp, iat, nonce, ...) are the provider's to set and are
// ignored.
func UserFromClaims(t testing.TB, path string) User {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sub, _ := c["sub"].(string)
	if sub == "" {
		t.Fatalf("%s has no sub", path)
	}
	delete(c, "sub")
	return User{Subject: sub, Extra: c}
}
