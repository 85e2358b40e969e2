package providertest

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The OAuth 1.0a mode: NewOAuth1 starts a fake of X's (Twitter's) legacy
// OAuth 1.0a API (RFC 5849, three-legged), on X's paths:
//
//	POST      /oauth/request_token                 temporary credentials (oauth_callback required)
//	GET       /oauth/authenticate, /oauth/authorize the authorization page (SetLogin, Approve, Deny)
//	POST      /oauth/access_token                  token credentials for an approved oauth_verifier
//	GET       /1.1/account/verify_credentials.json the signed-in account, in X's v1.1 user shape
//	POST      /1.1/oauth/invalidate_token          revokes token credentials
//
// Every request but the authorization page must carry an "OAuth"
// Authorization header whose HMAC-SHA1 signature the server checks with its
// own implementation of RFC 5849 section 3.4 (oauth1BaseString and
// oauth1SignHMACSHA1, tested on the RFC's and X's published examples),
// independent of any client library; its timestamp must be within MaxSkew
// of the server's clock and its nonce never seen before.
// Failures answer as X documents them: HTTP 401 with
// {"errors":[{"code":32,"message":"Could not authenticate you."}]}, and
// code 89 "Invalid or expired token." for an unknown or revoked token.

// OAuth1Config configures an OAuth 1.0a server. The zero value is usable:
// consumer "consumer-key"/"consumer-secret", the system clock and a
// five-minute timestamp window.
type OAuth1Config struct {
	// ConsumerKey and ConsumerSecret are the one client's credentials (X's
	// "API Key" and "API Key Secret").
	ConsumerKey, ConsumerSecret string
	// Now is the server's clock, for timestamp checks. Default: time.Now.
	Now func() time.Time
	// MaxSkew is how far oauth_timestamp may be from Now. Default: 5
	// minutes.
	MaxSkew time.Duration
	// CallbackUnconfirmed leaves oauth_callback_confirmed out of the
	// request_token response, as a server that ignored the callback would.
	CallbackUnconfirmed bool
}

// OAuth1User is an account at the fake X, as verify_credentials returns it.
type OAuth1User struct {
	// ID is the account's numeric id in decimal (X's "id_str"); it is also
	// sent as the JSON number "id", with every digit. Required.
	ID string
	// ScreenName is the @handle without "@" ("screen_name").
	ScreenName string
	// Name is the display name ("name").
	Name string
	// Email is returned when the request asks include_email=true and is
	// left out when empty, as X does for accounts without a verified
	// address.
	Email string
	// ProfileImageURL is "profile_image_url_https".
	ProfileImageURL string
}

// OAuth1Credential is a credential pair the server issued.
type OAuth1Credential struct {
	// Token and Secret are the oauth_token and oauth_token_secret.
	Token, Secret string
	// Kind is "temporary" (a request token) or "token" (an access token).
	Kind string
	// UserID is the user who approved a temporary credential, or whom
	// token credentials act for.
	UserID string
	// Callback is a temporary credential's oauth_callback.
	Callback string
	// Verifier is the oauth_verifier of an approved temporary credential.
	Verifier string
	// Used reports that a temporary credential was exchanged (or an
	// exchange of it was attempted with a valid signature).
	Used bool
	// Denied reports that the user refused a temporary credential.
	Denied bool
	// Revoked reports that token credentials were invalidated.
	Revoked bool
}

// OAuth1 is a fake X OAuth 1.0a server on an httptest.Server.
type OAuth1 struct {
	// URL is the server's base URL, which serves /oauth/* and /1.1/*.
	URL string
	cfg OAuth1Config
	srv *httptest.Server

	mu            sync.Mutex
	users         map[string]OAuth1User
	creds         map[string]*OAuth1Credential
	nonces        map[string]time.Time
	login         string
	requests      map[string]int
	sigFailures   int
	revocations   int
	lastAuthorize url.Values
}

// NewOAuth1 starts an OAuth 1.0a server, closed when t ends.
func NewOAuth1(t testing.TB, cfg OAuth1Config) *OAuth1 {
	t.Helper()
	cfg.ConsumerKey = cmp.Or(cfg.ConsumerKey, "consumer-key")
	cfg.ConsumerSecret = cmp.Or(cfg.ConsumerSecret, "consumer-secret")
	cfg.MaxSkew = cmp.Or(cfg.MaxSkew, 5*time.Minute)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &OAuth1{
		cfg: cfg, users: map[string]OAuth1User{}, creds: map[string]*OAuth1Credential{},
		nonces: map[string]time.Time{}, requests: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/request_token", s.requestToken)
	mux.HandleFunc("GET /oauth/authenticate", s.authorizePage)
	mux.HandleFunc("GET /oauth/authorize", s.authorizePage)
	mux.HandleFunc("POST /oauth/access_token", s.accessToken)
	mux.HandleFunc("GET /1.1/account/verify_credentials.json", s.verifyCredentials)
	mux.HandleFunc("POST /1.1/oauth/invalidate_token", s.invalidateToken)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL, s.srv = srv.URL, srv
	return s
}

// Close stops the server before the test ends: every request to it then
// fails to connect, as in an outage of X.
func (s *OAuth1) Close() { s.srv.Close() }

// Consumer returns the client's credentials: the consumer key and secret
// (X's API Key and API Key Secret).
func (s *OAuth1) Consumer() (key, secret string) { return s.cfg.ConsumerKey, s.cfg.ConsumerSecret }

// AddUser adds u, or replaces the user with the same ID. It panics when
// u.ID is empty.
func (s *OAuth1) AddUser(u OAuth1User) {
	if u.ID == "" {
		panic("providertest: OAuth1.AddUser of a user without an ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// SetLogin signs the user with this id in: GET /oauth/authenticate (and
// /oauth/authorize) then approve as them and redirect to the callback, so
// that [Authorize] or a browser-like client can play the page. "" signs
// everyone out: the page then answers 200 without redirecting.
func (s *OAuth1) SetLogin(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login = userID
}

// Approve plays the authorization page for authURL (the provider's
// /oauth/authenticate or /oauth/authorize URL with its oauth_token) as the
// user with userID: it returns the temporary credential's callback URL with
// oauth_token and oauth_verifier added to its query, which is kept. It
// fails for an unknown user, a URL of another server, or a temporary
// credential that is unknown or was already approved, denied or used.
func (s *OAuth1) Approve(authURL, userID string) (string, error) {
	return s.decide(authURL, userID, false)
}

// Deny plays the authorization page for authURL as a user who refuses: it
// returns the callback URL with denied=<oauth_token> added to its query, as
// X does.
func (s *OAuth1) Deny(authURL string) (string, error) {
	return s.decide(authURL, "", true)
}

// LastAuthorize returns the query of the last authorization page request
// (HTTP, Approve or Deny): oauth_token, force_login, screen_name.
func (s *OAuth1) LastAuthorize() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuthorize
}

// Lookup returns the credential whose token is token, if the server issued
// it.
func (s *OAuth1) Lookup(token string) (OAuth1Credential, bool) {
	for _, c := range s.Credentials("") {
		if c.Token == token {
			return c, true
		}
	}
	return OAuth1Credential{}, false
}

// Credentials returns every credential the server issued of kind
// ("temporary" or "token"; "" for all), in no particular order.
func (s *OAuth1) Credentials(kind string) []OAuth1Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []OAuth1Credential
	for _, c := range s.creds {
		if kind == "" || c.Kind == kind {
			out = append(out, *c)
		}
	}
	return out
}

// OAuth1Stats is what the server saw.
type OAuth1Stats struct {
	// Requests counts the requests by path (such as
	// "/oauth/access_token"), refused ones included.
	Requests map[string]int
	// SignatureFailures counts requests refused for their OAuth
	// parameters: a bad signature, consumer key, timestamp, nonce or
	// signature method.
	SignatureFailures int
	// Revocations counts the token credentials invalidate_token revoked.
	Revocations int
}

// Stats returns what the server saw so far.
func (s *OAuth1) Stats() OAuth1Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return OAuth1Stats{Requests: maps.Clone(s.requests), SignatureFailures: s.sigFailures, Revocations: s.revocations}
}

func (s *OAuth1) decide(authURL, userID string, deny bool) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("providertest: authorization URL: %w", err)
	}
	if !strings.HasPrefix(authURL, s.URL+"/oauth/authenticate?") && !strings.HasPrefix(authURL, s.URL+"/oauth/authorize?") {
		return "", errors.New("providertest: not an authorization URL of this server")
	}
	return s.decideQuery(u.Query(), userID, deny)
}

// decideQuery approves (or denies) the temporary credential of an
// authorization page's query and returns the callback URL.
func (s *OAuth1) decideQuery(q url.Values, userID string, deny bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastAuthorize = q
	if len(q["oauth_token"]) != 1 {
		return "", errors.New("providertest: the authorization URL needs one oauth_token")
	}
	c := s.creds[q.Get("oauth_token")]
	if c == nil || c.Kind != "temporary" || c.UserID != "" || c.Used || c.Denied {
		return "", errors.New("providertest: unknown or spent oauth_token")
	}
	cb, err := url.Parse(c.Callback)
	if err != nil {
		return "", fmt.Errorf("providertest: callback: %w", err)
	}
	cq := cb.Query()
	if deny {
		c.Denied = true
		cq.Set("denied", c.Token)
	} else {
		if _, ok := s.users[userID]; !ok {
			return "", fmt.Errorf("providertest: no user %q", userID)
		}
		c.UserID, c.Verifier = userID, randomValue("ov_")
		cq.Set("oauth_token", c.Token)
		cq.Set("oauth_verifier", c.Verifier)
	}
	cb.RawQuery = cq.Encode()
	return cb.String(), nil
}

func (s *OAuth1) authorizePage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	login := s.login
	s.mu.Unlock()
	if login == "" {
		s.mu.Lock()
		s.lastAuthorize = r.URL.Query()
		s.mu.Unlock()
		http.Error(w, "nobody is signed in", http.StatusOK)
		return
	}
	cb, err := s.decideQuery(r.URL.Query(), login, false)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, cb, http.StatusFound)
}

// oauth1Errors are X's error responses.
var (
	errCouldNotAuthenticate = oauth1Error{http.StatusUnauthorized, 32, "Could not authenticate you."}
	errInvalidToken         = oauth1Error{http.StatusUnauthorized, 89, "Invalid or expired token."}
)

type oauth1Error struct {
	status  int
	code    int
	message string
}

func (e oauth1Error) write(w http.ResponseWriter) {
	WriteJSON(w, e.status, map[string]any{"errors": []any{map[string]any{"code": e.code, "message": e.message}}})
}

func (s *OAuth1) requestToken(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(w, r, "")
	if !ok {
		return
	}
	cb := p.oauth.Get("oauth_callback")
	u, err := url.Parse(cb)
	if cb == "" || err != nil || (cb != "oob" && (u.Scheme == "" || u.Host == "")) {
		WriteJSON(w, http.StatusForbidden, map[string]any{"errors": []any{map[string]any{"code": 417, "message": "Desktop applications only support the oauth_callback value 'oob'"}}})
		return
	}
	c := &OAuth1Credential{Token: randomValue("rt_"), Secret: randomValue("rs_"), Kind: "temporary", Callback: cb}
	s.mu.Lock()
	s.creds[c.Token] = c
	s.mu.Unlock()
	body := url.Values{"oauth_token": {c.Token}, "oauth_token_secret": {c.Secret}}
	if !s.cfg.CallbackUnconfirmed {
		body.Set("oauth_callback_confirmed", "true")
	}
	writeForm(w, body)
}

func (s *OAuth1) accessToken(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(w, r, "temporary")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := p.cred
	verifier := p.all["oauth_verifier"]
	wasUsed := c.Used
	c.Used = true // a verifier is single use, whatever the outcome
	if wasUsed || c.Denied || c.UserID == "" || len(verifier) != 1 ||
		subtle.ConstantTimeCompare([]byte(verifier[0]), []byte(c.Verifier)) != 1 {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("Error processing your OAuth request: Invalid oauth_verifier parameter"))
		return
	}
	at := &OAuth1Credential{Token: c.UserID + "-" + randomValue("at_"), Secret: randomValue("as_"), Kind: "token", UserID: c.UserID}
	s.creds[at.Token] = at
	writeForm(w, url.Values{
		"oauth_token": {at.Token}, "oauth_token_secret": {at.Secret},
		"user_id": {at.UserID}, "screen_name": {s.users[at.UserID].ScreenName},
	})
}

func (s *OAuth1) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(w, r, "token")
	if !ok {
		return
	}
	s.mu.Lock()
	u, known := s.users[p.cred.UserID]
	s.mu.Unlock()
	if !known {
		errInvalidToken.write(w)
		return
	}
	q := r.URL.Query()
	var b strings.Builder
	// Written by hand so that "id" is a JSON number with every digit, as
	// X's is, beyond what a float64 holds.
	fmt.Fprintf(&b, `{"id":%s,"id_str":%s,"name":%s,"screen_name":%s,"location":"","description":"",`+
		`"protected":false,"followers_count":21,"friends_count":32,"created_at":"Wed May 23 06:01:13 +0000 2007","verified":false`,
		jsonNumber(u.ID), jsonString(u.ID), jsonString(u.Name), jsonString(u.ScreenName))
	if u.ProfileImageURL != "" {
		fmt.Fprintf(&b, `,"profile_image_url_https":%s`, jsonString(u.ProfileImageURL))
	}
	if q.Get("include_email") == "true" && u.Email != "" {
		fmt.Fprintf(&b, `,"email":%s`, jsonString(u.Email))
	}
	if q.Get("skip_status") != "true" {
		b.WriteString(`,"status":{"id_str":"1","text":"hello"}`)
	}
	b.WriteString("}")
	WriteRaw(w, http.StatusOK, []byte(b.String()))
}

func (s *OAuth1) invalidateToken(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(w, r, "token")
	if !ok {
		return
	}
	s.mu.Lock()
	p.cred.Revoked = true
	s.revocations++
	s.mu.Unlock()
	WriteJSON(w, http.StatusOK, map[string]any{"access_token": p.cred.Token})
}

// jsonString is s as a JSON string (strconv.Quote writes Go escapes, which
// JSON does not have).
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// jsonNumber returns id as a JSON number when it is a decimal integer, else
// as a JSON string.
func jsonNumber(id string) string {
	if _, err := strconv.ParseUint(id, 10, 64); err == nil {
		return id
	}
	return jsonString(id)
}

func writeForm(w http.ResponseWriter, v url.Values) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(v.Encode()))
}

// signedRequest is a request's OAuth protocol parameters (from its
// Authorization header) and all its parameters (query, form body and
// protocol parameters but realm and oauth_signature).
type signedRequest struct {
	oauth url.Values
	all   url.Values
	// cred is the credential named by oauth_token, when one was required.
	cred *OAuth1Credential
}

// authenticate checks r's OAuth 1.0a signature with the consumer secret and,
// when kind is not "", the secret of the live credential of that kind named
// by oauth_token. It writes X's error and returns false on failure.
func (s *OAuth1) authenticate(w http.ResponseWriter, r *http.Request, kind string) (signedRequest, bool) {
	fail := func(e oauth1Error) (signedRequest, bool) {
		s.mu.Lock()
		if e == errCouldNotAuthenticate {
			s.sigFailures++
		}
		s.mu.Unlock()
		e.write(w)
		return signedRequest{}, false
	}
	req, err := ParseOAuth1Request(r)
	if err != nil {
		return fail(errCouldNotAuthenticate)
	}
	oauth, all := req.Protocol, req.Params
	if subtle.ConstantTimeCompare([]byte(oauth.Get("oauth_consumer_key")), []byte(s.cfg.ConsumerKey)) != 1 {
		return fail(errCouldNotAuthenticate)
	}
	ts, err := strconv.ParseInt(oauth.Get("oauth_timestamp"), 10, 64)
	now := s.cfg.Now()
	if err != nil || time.Unix(ts, 0).Sub(now).Abs() > s.cfg.MaxSkew {
		return fail(errCouldNotAuthenticate)
	}
	tokenSecret := ""
	token := oauth.Get("oauth_token")
	var cred *OAuth1Credential
	if kind != "" {
		s.mu.Lock()
		cred = s.creds[token]
		live := cred != nil && cred.Kind == kind && !cred.Revoked && len(oauth["oauth_token"]) == 1
		if live {
			tokenSecret = cred.Secret
		}
		s.mu.Unlock()
		if !live {
			return fail(errInvalidToken)
		}
	} else if token != "" {
		return fail(errCouldNotAuthenticate)
	}
	if !req.Verify(s.cfg.ConsumerSecret, tokenSecret) {
		return fail(errCouldNotAuthenticate)
	}
	// The nonce is checked last, so that only a correctly signed request
	// spends it; a reused one is refused.
	s.mu.Lock()
	for n, at := range s.nonces {
		if now.Sub(at) > 2*s.cfg.MaxSkew {
			delete(s.nonces, n)
		}
	}
	nonce := oauth.Get("oauth_nonce")
	_, reused := s.nonces[nonce]
	s.nonces[nonce] = now
	s.mu.Unlock()
	if reused {
		return fail(errCouldNotAuthenticate)
	}
	return signedRequest{oauth: oauth, all: all, cred: cred}, true
}
