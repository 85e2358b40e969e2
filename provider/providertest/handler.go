package providertest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxFormBytes bounds the request bodies the provider reads.
const maxFormBytes = 64 << 10

// Handler is the provider as an http.Handler, serving the endpoints listed in
// the package documentation relative to its issuer's path. Its methods set
// users, faults and keys, and inspect what it issued; all are safe for
// concurrent use, including while it serves.
type Handler struct {
	issuer string
	cfg    Config
	mux    *http.ServeMux

	// The first signing key is generated on first use: many tests never
	// need one, and RSA key generation is slow.
	firstKey sync.Once

	// The unpublished key of IDTokenBadSignature, generated on first use.
	rogueOnce sync.Once
	roguePriv *rsa.PrivateKey
	rogueErr  error

	mu          sync.Mutex
	users       map[string]User
	userOrder   []string // subjects in the order they were added
	login       string
	codes       map[string]*authCode
	tokens      map[string]*issuedToken
	issued      []*issuedToken // in issue order, for Tokens
	grants      int
	currentKey  *signingKey
	previousKey *signingKey
	faults      Faults
	stats       Stats
}

// grant is one approved authorization: the code and every token issued from
// it, directly or by refreshing, share it.
type grant struct {
	id       int
	clientID string
	subject  string
	scopes   []string
	nonce    string
	authTime time.Time
}

// authCode is an authorization code waiting to be redeemed.
type authCode struct {
	grant       *grant
	redirectURI string
	challenge   string
	expiresAt   time.Time
	used        bool
}

// Token types, as in RFC 7009's token_type_hint.
const (
	accessTokenType  = "access_token"
	refreshTokenType = "refresh_token"
)

// issuedToken is an access or refresh token the provider issued.
type issuedToken struct {
	value     string
	typ       string
	grant     *grant
	scopes    []string
	issuedAt  time.Time
	expiresAt time.Time // zero for refresh tokens, which do not expire
	revoked   bool
	rotated   bool
	rotatedAt time.Time
}

// NewHandler returns a provider whose issuer identifier is issuer, such as
// "http://127.0.0.1:8080/dev-oidc", for mounting at the issuer's path:
//
//	mux.Handle("/dev-oidc/", http.StripPrefix("/dev-oidc", h))
//
// A trailing slash of issuer is dropped. NewHandler panics when issuer is not
// an absolute http or https URL without query or fragment (OpenID Connect
// Discovery section 3), or when cfg.AuthMethods names a method other than
// AuthMethodBasic and AuthMethodPost.
func NewHandler(issuer string, cfg Config) *Handler {
	issuer = strings.TrimSuffix(issuer, "/")
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		panic("providertest: issuer " + issuer + " is not an absolute http(s) URL without query or fragment")
	}
	for _, m := range cfg.AuthMethods {
		if m != AuthMethodBasic && m != AuthMethodPost {
			panic("providertest: client authentication method " + m + " is not supported")
		}
	}
	h := &Handler{
		issuer: issuer,
		cfg:    cfg.withDefaults(),
		users:  make(map[string]User),
		codes:  make(map[string]*authCode),
		tokens: make(map[string]*issuedToken),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathDiscovery, h.discovery)
	mux.HandleFunc("GET "+PathJWKS, h.jwks)
	mux.HandleFunc("GET "+PathAuthorize, h.authorize)
	mux.HandleFunc("POST "+PathAuthorize, h.authorize)
	mux.HandleFunc("POST "+PathToken, h.token)
	mux.HandleFunc("GET "+PathUserinfo, h.userinfo)
	mux.HandleFunc("POST "+PathUserinfo, h.userinfo)
	mux.HandleFunc("POST "+PathRevoke, h.revoke)
	h.mux = mux
	return h
}

// Issuer returns the provider's issuer identifier, the "iss" of its ID
// tokens and the base of its endpoints.
func (h *Handler) Issuer() string { return h.issuer }

// ClientID returns the client id of the provider's one client.
func (h *Handler) ClientID() string { return h.cfg.ClientID }

// ClientSecret returns the client secret of the provider's one client.
func (h *Handler) ClientSecret() string { return h.cfg.ClientSecret }

// ServeHTTP serves the provider's endpoints, after Faults.Delay.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := h.currentFaults().Delay; d > 0 {
		// The server notices a client going away only once the request
		// body has been read: read it now so that the wait ends then.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
		if err != nil {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			http.Error(w, "request canceled", http.StatusServiceUnavailable)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// now reads the provider's clock.
func (h *Handler) now() time.Time { return h.cfg.Now() }

// count updates the request counters.
func (h *Handler) count(f func(*Stats)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.stats)
}

// randomValue returns prefix followed by 256 random bits, base64url-encoded:
// the form of every code and token the provider issues.
func randomValue(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand crashes the program instead
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// oauthError is an OAuth 2.0 error response.
type oauthError struct {
	status      int
	code        string
	description string
	// basic asks for a WWW-Authenticate: Basic challenge (RFC 6749 section
	// 5.2, invalid_client after a client tried HTTP Basic).
	basic bool
}

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: desc}
}

func errInvalidGrant(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: desc}
}

// writeOAuthError writes e as RFC 6749 section 5.2 JSON.
func writeOAuthError(w http.ResponseWriter, e *oauthError, pad int) {
	if e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="providertest"`)
	}
	body := map[string]any{"error": e.code}
	if e.description != "" {
		body["error_description"] = e.description
	}
	noStore(w)
	writeJSON(w, e.status, body, pad)
}

// noStore marks a response that carries tokens or errors about them as not
// cacheable (RFC 6749 section 5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// writeJSON writes body as JSON with status, padded with pad bytes for the
// OversizeBody fault.
func writeJSON(w http.ResponseWriter, status int, body map[string]any, pad int) {
	if pad > 0 {
		body["x_padding"] = strings.Repeat("x", pad)
	}
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "providertest: cannot encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// repeatedParam names a parameter given more than once, which RFC 6749
// section 3.1 forbids, or returns "". A name that is not a plain token is
// not repeated back (error descriptions are restricted to printable ASCII).
func repeatedParam(v url.Values) string {
	for k, vs := range v {
		if len(vs) > 1 {
			if plainName(k) {
				return k
			}
			return "(unnamed)"
		}
	}
	return ""
}

// plainName reports whether k is a short parameter name of a-z and '_'.
func plainName(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}

// parseForm reads a form body of at most maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, errInvalidRequest("the request body is not a valid form")
	}
	if k := repeatedParam(r.PostForm); k != "" {
		return nil, errInvalidRequest("parameter " + k + " is repeated")
	}
	return r.PostForm, nil
}

// scopeList splits a scope parameter, dropping duplicates.
func scopeList(s string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, f := range strings.Fields(s) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
