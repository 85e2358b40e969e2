package conformance

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider/providertest"
)

// OAuth 1.0a faults (see fault).
const (
	// request token endpoint: HTTP 401.
	requestToken401 fault = iota + 100
	// access token endpoint: HTTP 401 with a text body that echoes the
	// verifier.
	accessToken401
	// profile routes: HTTP 401 with OAuth1Harness.ErrorBody.
	profile401
	// profile routes: HTTP 200 with an HTML page that echoes the token.
	profileNotJSON
)

// maxSkew is how far oauth_timestamp may be from the fake's clock.
const maxSkew = 5 * time.Minute

// credential is a credential pair the fake issued: temporary credentials
// (with their callback, and the user and verifier once approved) or token
// credentials (with their user).
type credential struct {
	token, secret      string
	callback, verifier string
	user               User
	approved, used     bool
}

// oauth1Fake is the OAuth 1.0a provider an OAuth1Harness declares, on
// 127.0.0.1. It checks every request's HMAC-SHA1 signature with
// providertest's own RFC 5849 code.
type oauth1Fake struct {
	OAuth1Server
	t       *testing.T
	h       *OAuth1Harness
	secrets *secrets

	mu        sync.Mutex
	login     User
	fault     fault
	temporary map[string]*credential
	tokens    map[string]*credential
	nonces    map[string]bool
	requests  int
	issuedTmp *credential // the last temporary credentials
	issued    *credential // the last token credentials
	revoked   []string
}

func newOAuth1Fake(t *testing.T, h *OAuth1Harness) *oauth1Fake {
	t.Helper()
	f := &oauth1Fake{
		t: t, h: h, secrets: &secrets{},
		temporary: map[string]*credential{}, tokens: map[string]*credential{}, nonces: map[string]bool{},
	}
	f.URL, f.Client, f.ConsumerKey, f.ConsumerSecret = serve(t, f, f.secrets)
	return f
}

func (f *oauth1Fake) setFault(x fault) { f.mu.Lock(); f.fault = x; f.mu.Unlock() }
func (f *oauth1Fake) setLogin(u User)  { f.mu.Lock(); f.login = u; f.mu.Unlock() }

// sent returns how many requests the fake has received.
func (f *oauth1Fake) sent() int { f.mu.Lock(); defer f.mu.Unlock(); return f.requests }

// faulty reports whether the fake is set to fail with x.
func (f *oauth1Fake) faulty(x fault) bool { f.mu.Lock(); defer f.mu.Unlock(); return f.fault == x }

func (f *oauth1Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	h, p := f.h, r.URL.Path
	switch {
	case p == h.Authorize && r.Method == http.MethodGet:
		f.authorize(w, r)
		return
	case p == h.RequestToken && r.Method == http.MethodPost:
		f.requestToken(w, r)
		return
	case p == h.AccessToken && r.Method == http.MethodPost:
		f.accessToken(w, r)
		return
	case h.Revoke != nil && p == h.Revoke.Path && r.Method == cmp.Or(h.Revoke.Method, http.MethodPost):
		f.revoke(w, r)
		return
	}
	for _, route := range h.Profile {
		if p == route.Path && r.Method == cmp.Or(route.Method, http.MethodGet) {
			f.profile(w, r, route)
			return
		}
	}
	f.t.Errorf("the provider sent %s %s, which the harness declares no route for", r.Method, p)
	writeJSON(w, http.StatusNotFound, map[string]any{"error": "not_found"})
}

// signed checks r's protocol parameters, consumer key, timestamp, nonce
// and HMAC-SHA1 signature under the consumer secret and, when creds is not
// nil, the secret of the credentials of creds its oauth_token names, which
// it returns. A request without a valid signature fails the subtest and is
// answered with HTTP 401.
func (f *oauth1Fake) signed(w http.ResponseWriter, r *http.Request, what string, creds map[string]*credential) (*providertest.OAuth1Request, *credential, bool) {
	fail := func(format string, args ...any) (*providertest.OAuth1Request, *credential, bool) {
		f.t.Errorf("%s: "+format, append([]any{what}, args...)...)
		http.Error(w, "Could not authenticate you.", http.StatusUnauthorized)
		return nil, nil, false
	}
	req, err := providertest.ParseOAuth1Request(r)
	if err != nil {
		return fail("%v", err)
	}
	oauth := req.Protocol
	if oauth.Get("oauth_consumer_key") != f.ConsumerKey {
		return fail("oauth_consumer_key %q, want %q", oauth.Get("oauth_consumer_key"), f.ConsumerKey)
	}
	if ts, err := strconv.ParseInt(oauth.Get("oauth_timestamp"), 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > maxSkew {
		return fail("oauth_timestamp %q is not within %v of now", oauth.Get("oauth_timestamp"), maxSkew)
	}
	f.mu.Lock()
	nonce := oauth.Get("oauth_nonce")
	reused := f.nonces[nonce]
	f.nonces[nonce] = true
	var c *credential
	if creds != nil {
		c = creds[oauth.Get("oauth_token")]
	}
	f.mu.Unlock()
	tokenSecret := ""
	switch {
	case reused:
		return fail("oauth_nonce %q was used before (RFC 5849 section 3.3)", nonce)
	case creds == nil && oauth.Has("oauth_token"):
		return fail("an oauth_token, but this request is signed with the client credentials alone")
	case creds != nil && (c == nil || len(oauth["oauth_token"]) != 1):
		return fail("the oauth_token is none the fake issued for this request")
	case c != nil:
		tokenSecret = c.secret
	}
	if !req.Verify(f.ConsumerSecret, tokenSecret) {
		return fail("the HMAC-SHA1 signature does not verify (RFC 5849 section 3.4)")
	}
	return req, c, true
}

// requestToken issues temporary credentials for the request's
// oauth_callback.
func (f *oauth1Fake) requestToken(w http.ResponseWriter, r *http.Request) {
	req, _, ok := f.signed(w, r, "temporary credential request", nil)
	if !ok {
		return
	}
	if f.faulty(requestToken401) {
		http.Error(w, "Could not authenticate you.", http.StatusUnauthorized)
		return
	}
	cb := req.Params.Get("oauth_callback")
	if u, err := url.Parse(cb); err != nil || !u.IsAbs() {
		f.t.Errorf("temporary credential request: oauth_callback %q is not an absolute URL", cb)
		http.Error(w, "oauth_callback", http.StatusBadRequest)
		return
	}
	c := &credential{token: "tc-" + random(18), secret: "tcs-" + random(18), callback: cb}
	f.mu.Lock()
	f.temporary[c.token], f.issuedTmp = c, c
	f.mu.Unlock()
	f.secrets.add(c.token, c.secret)
	writeForm(w, url.Values{"oauth_token": {c.token}, "oauth_token_secret": {c.secret}, "oauth_callback_confirmed": {"true"}})
}

// authorize approves the temporary credentials of the page's oauth_token
// as the signed-in fixture user and sends the browser to their callback,
// with oauth_token and oauth_verifier added to its query (RFC 5849 section
// 2.2).
func (f *oauth1Fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	c := f.temporary[q.Get("oauth_token")]
	ok := len(q["oauth_token"]) == 1 && c != nil && !c.approved
	if ok {
		c.approved, c.user, c.verifier = true, f.login, "ov-"+random(18)
	}
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("authorization page: the oauth_token is none the fake issued, or was approved before")
		http.Error(w, "unknown oauth_token", http.StatusBadRequest)
		return
	}
	f.secrets.add(c.verifier)
	cb, _ := url.Parse(c.callback)
	cq := cb.Query()
	cq.Set("oauth_token", c.token)
	cq.Set("oauth_verifier", c.verifier)
	cb.RawQuery = cq.Encode()
	http.Redirect(w, r, cb.String(), http.StatusFound)
}

// accessToken issues token credentials for approved temporary credentials
// and their verifier, once.
func (f *oauth1Fake) accessToken(w http.ResponseWriter, r *http.Request) {
	req, tmp, ok := f.signed(w, r, "token request", f.temporary)
	if !ok {
		return
	}
	verifier := req.Params.Get("oauth_verifier")
	f.mu.Lock()
	good := tmp.approved && !tmp.used && verifier == tmp.verifier && f.fault != accessToken401
	tmp.used = true // a verifier is single use, whatever the outcome
	f.mu.Unlock()
	if !good {
		http.Error(w, "Error processing your OAuth request: Invalid oauth_verifier parameter "+verifier, http.StatusUnauthorized)
		return
	}
	c := &credential{token: "at-" + random(24), secret: "ts-" + random(24), user: tmp.user}
	f.mu.Lock()
	f.tokens[c.token], f.issued = c, c
	f.mu.Unlock()
	f.secrets.add(c.token, c.secret)
	writeForm(w, url.Values{"oauth_token": {c.token}, "oauth_token_secret": {c.secret}})
}

// profile answers a profile route for the token credentials' user.
func (f *oauth1Fake) profile(w http.ResponseWriter, r *http.Request, route Route) {
	req, c, ok := f.signed(w, r, r.Method+" "+r.URL.Path, f.tokens)
	if !ok {
		return
	}
	for k, vs := range route.Query {
		if !req.Params.Has(k) || (len(vs) > 0 && vs[0] != "" && req.Params.Get(k) != vs[0]) {
			f.t.Errorf("%s %s: query parameter %s=%q, want %q", r.Method, r.URL.Path, k, req.Params.Get(k), vs)
		}
	}
	switch {
	case f.faulty(profile401):
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, cmp.Or(f.h.ErrorBody, `{"error":"invalid_token"}`))
	case f.faulty(profileNotJSON):
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body>Over capacity for %s</body></html>", html.EscapeString(c.token))
	default:
		writeJSON(w, http.StatusOK, route.Body(c.user, nil))
	}
}

// revoke invalidates the token credentials the request is signed with.
func (f *oauth1Fake) revoke(w http.ResponseWriter, r *http.Request) {
	_, c, ok := f.signed(w, r, "revocation request", f.tokens)
	if !ok {
		return
	}
	if f.faulty(revoke503) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "temporarily_unavailable"})
		return
	}
	f.mu.Lock()
	f.revoked = append(f.revoked, c.token)
	delete(f.tokens, c.token)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{})
}

func writeForm(w http.ResponseWriter, v url.Values) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	_, _ = io.WriteString(w, v.Encode())
}
