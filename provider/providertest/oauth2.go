package providertest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The plain OAuth 2.0 mode: NewOAuth2 starts an authorization server
// without OpenID Connect (no discovery, ID token or JWKS), whose API
// endpoints the test defines with HandleAPI in the shapes a provider
// documents (GitHub's /user, Discord's /users/@me, ...). It authorizes,
// issues codes and tokens (PKCE, refresh with rotation, revocation),
// authenticates the client, and lets a test inject token errors,
// including the off-spec HTTP 200 with an error member.

// OAuth2Config configures an OAuth 2.0 server. The zero value is usable: client
// "client-id"/"client-secret", client_secret_basic, PKCE optional, a space
// as scope separator, paths /authorize, /token and /revoke.
type OAuth2Config struct {
	ClientID, ClientSecret string
	// AuthMethod is the one client authentication method the token and
	// revocation endpoints accept. Default: AuthMethodBasic.
	AuthMethod string
	// RequirePKCE refuses authorization requests without an S256
	// code_challenge; RejectPKCE refuses those with one.
	RequirePKCE, RejectPKCE bool
	// AuthorizePath, TokenPath and RevokePath are the endpoints' paths;
	// RevokePath "-" serves no revocation endpoint.
	AuthorizePath, TokenPath, RevokePath string
	// ScopeSeparator joins the granted scopes in token responses, and
	// splits the requested ones (a comma also splits). Default: " ".
	ScopeSeparator string
	// GrantScopes decides the granted scopes. Default: the requested ones.
	GrantScopes func(requested []string) []string
	// TokenResponse adjusts every successful token response body.
	TokenResponse func(body map[string]any)
	// FormUnlessJSON answers form-encoded token responses unless the
	// request accepts application/json, as GitHub does.
	FormUnlessJSON bool
	// NoRefreshToken issues no refresh tokens.
	NoRefreshToken bool
}

// OAuth2Token is a token the server issued.
type OAuth2Token struct {
	Value   string
	Type    string // "access_token" or "refresh_token"
	Subject string
	Scopes  []string
	Revoked bool
	grant   int
}

// OAuth is a fake OAuth 2.0 authorization server on an httptest.Server.
type OAuth2 struct {
	// URL is the server's base URL.
	URL string
	cfg OAuth2Config
	mux *http.ServeMux
	srv *httptest.Server

	mu            sync.Mutex
	login         string
	codes         map[string]*code
	tokens        map[string]*OAuth2Token
	grants        int
	tokenErr      *TokenError
	authorizeErr  string
	lastAuthorize url.Values
	tokenRequests int
	lastTokenForm url.Values
	lastTokenHdr  http.Header
}

type code struct {
	subject, redirectURI, challenge string
	scopes                          []string
	used                            bool
}

// NewOAuth2 starts an OAuth server, closed when t ends.
func NewOAuth2(t testing.TB, cfg OAuth2Config) *OAuth2 {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID = "client-id"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "client-secret"
	}
	if cfg.AuthMethod == "" {
		cfg.AuthMethod = AuthMethodBasic
	}
	if cfg.AuthorizePath == "" {
		cfg.AuthorizePath = "/authorize"
	}
	if cfg.TokenPath == "" {
		cfg.TokenPath = "/token"
	}
	if cfg.RevokePath == "" {
		cfg.RevokePath = "/revoke"
	}
	if cfg.ScopeSeparator == "" {
		cfg.ScopeSeparator = " "
	}
	s := &OAuth2{cfg: cfg, mux: http.NewServeMux(), codes: map[string]*code{}, tokens: map[string]*OAuth2Token{}}
	s.mux.HandleFunc("GET "+cfg.AuthorizePath, s.authorize)
	s.mux.HandleFunc("POST "+cfg.TokenPath, s.token)
	if cfg.RevokePath != "-" {
		s.mux.HandleFunc("POST "+cfg.RevokePath, s.revoke)
	}
	s.srv = httptest.NewServer(s.mux)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// ClientID is the client id of the server's one client.
func (s *OAuth2) ClientID() string { return s.cfg.ClientID }

// ClientSecret is the client secret of the server's one client.
func (s *OAuth2) ClientSecret() string { return s.cfg.ClientSecret }

// Client returns an HTTP client for the server.
func (s *OAuth2) Client() *http.Client { return s.srv.Client() }

// SetLogin signs sub in: authorization requests are approved as sub.
func (s *OAuth2) SetLogin(sub string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.login = sub
}

// SetTokenError makes the token endpoint fail with e (nil: succeed).
func (s *OAuth2) SetTokenError(e *TokenError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenErr = e
}

// SetAuthorizeError makes the authorization endpoint redirect with this
// error ("" to approve).
func (s *OAuth2) SetAuthorizeError(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizeErr = code
}

// LastAuthorize returns the query of the last authorization request.
func (s *OAuth2) LastAuthorize() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAuthorize
}

// LastTokenForm returns the form of the last token request.
func (s *OAuth2) LastTokenForm() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastTokenForm
}

// LastTokenHeader returns the header of the last token request.
func (s *OAuth2) LastTokenHeader() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastTokenHdr
}

// TokenRequests counts token endpoint requests.
func (s *OAuth2) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// Lookup returns the token value, if the server issued it.
func (s *OAuth2) Lookup(value string) (OAuth2Token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok {
		return OAuth2Token{}, false
	}
	return *t, true
}

// Tokens returns every token the server issued, in no particular order.
func (s *OAuth2) Tokens() []OAuth2Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OAuth2Token, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, *t)
	}
	return out
}

// RevokeGrant revokes every token of the grant value belongs to, and
// reports whether value was a live token: what a provider-specific
// revocation endpoint does.
func (s *OAuth2) RevokeGrant(value string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok || t.Revoked {
		return false
	}
	for _, o := range s.tokens {
		if o.grant == t.grant {
			o.Revoked = true
		}
	}
	return true
}

// CheckClient authenticates the client of r with the server's method and
// reports whether it succeeded; provider-specific handlers use it.
func (s *OAuth2) CheckClient(r *http.Request, form url.Values) bool {
	var id, secret string
	user, pass, basic := r.BasicAuth()
	switch s.cfg.AuthMethod {
	case AuthMethodBasic:
		if !basic || form.Has("client_secret") {
			return false
		}
		id, _ = url.QueryUnescape(user)
		secret, _ = url.QueryUnescape(pass)
	default:
		if basic || r.Header.Get("Authorization") != "" {
			return false
		}
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
}

// HandleFunc serves h at pattern, unauthenticated.
func (s *OAuth2) HandleFunc(pattern string, h http.HandlerFunc) { s.mux.HandleFunc(pattern, h) }

// HandleAPI serves h at pattern for requests with a live access token as a
// Bearer token; others get 401 with {"message": "Bad credentials"}.
func (s *OAuth2) HandleAPI(pattern string, h func(w http.ResponseWriter, r *http.Request, tok OAuth2Token)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		value, ok := strings.CutPrefix(auth, "Bearer ")
		s.mu.Lock()
		t, known := s.tokens[value]
		live := ok && known && !t.Revoked && t.Type == "access_token"
		var tok OAuth2Token
		if live {
			tok = *t
		}
		s.mu.Unlock()
		if !live {
			WriteJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials"})
			return
		}
		h(w, r, tok)
	})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteRaw writes a JSON document as is, such as a testdata fixture.
func WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *OAuth2) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.lastAuthorize = q
	login, authErr := s.login, s.authorizeErr
	s.mu.Unlock()
	if q.Get("client_id") != s.cfg.ClientID {
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" || redirect.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		rq := redirect.Query()
		for k, v := range params {
			rq[k] = v
		}
		if st := q.Get("state"); st != "" {
			rq.Set("state", st)
		}
		redirect.RawQuery = rq.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case s.cfg.RejectPKCE && challenge != "":
		back(url.Values{"error": {"invalid_request"}})
		return
	case challenge == "" && s.cfg.RequirePKCE, challenge != "" && method != "S256":
		back(url.Values{"error": {"invalid_request"}})
		return
	case authErr != "":
		back(url.Values{"error": {authErr}})
		return
	case login == "":
		http.Error(w, "nobody is signed in", http.StatusOK)
		return
	}
	requested := oauth2SplitScopes(q.Get("scope"))
	granted := requested
	if s.cfg.GrantScopes != nil {
		granted = s.cfg.GrantScopes(slices.Clone(requested))
	}
	c := oauth2Random("code_")
	s.mu.Lock()
	s.codes[c] = &code{subject: login, redirectURI: q.Get("redirect_uri"), challenge: challenge, scopes: granted}
	s.mu.Unlock()
	back(url.Values{"code": {c}})
}

func (s *OAuth2) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.tokenError(w, r, http.StatusBadRequest, "invalid_request")
		return
	}
	form := r.PostForm
	s.mu.Lock()
	s.tokenRequests++
	s.lastTokenForm = form
	s.lastTokenHdr = r.Header.Clone()
	fault := s.tokenErr
	s.mu.Unlock()
	if !s.CheckClient(r, form) {
		s.tokenError(w, r, http.StatusUnauthorized, "invalid_client")
		return
	}
	if fault != nil {
		status := fault.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		body := map[string]any{"error": fault.Code}
		if fault.Description != "" {
			body["error_description"] = fault.Description
		}
		s.respond(w, r, status, body)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var subject string
	var scopes []string
	var grant int
	switch form.Get("grant_type") {
	case "authorization_code":
		c := s.codes[form.Get("code")]
		if c == nil || c.used {
			s.respond(w, r, http.StatusBadRequest, map[string]any{"error": "invalid_grant"})
			return
		}
		c.used = true
		verifier := form.Get("code_verifier")
		switch {
		case form.Get("redirect_uri") != c.redirectURI,
			c.challenge == "" && verifier != "",
			c.challenge != "" && oauth2S256(verifier) != c.challenge:
			s.respond(w, r, http.StatusBadRequest, map[string]any{"error": "invalid_grant"})
			return
		}
		s.grants++
		subject, scopes, grant = c.subject, c.scopes, s.grants
	case "refresh_token":
		t := s.tokens[form.Get("refresh_token")]
		if t == nil || t.Revoked || t.Type != "refresh_token" {
			s.respond(w, r, http.StatusBadRequest, map[string]any{"error": "invalid_grant"})
			return
		}
		t.Revoked = true // rotation
		subject, scopes, grant = t.Subject, t.Scopes, t.grant
	default:
		s.respond(w, r, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	access := &OAuth2Token{Value: oauth2Random("at_"), Type: "access_token", Subject: subject, Scopes: scopes, grant: grant}
	s.tokens[access.Value] = access
	body := map[string]any{
		"access_token": access.Value,
		"token_type":   "bearer",
		"scope":        strings.Join(scopes, s.cfg.ScopeSeparator),
		"expires_in":   3600,
	}
	if !s.cfg.NoRefreshToken {
		refresh := &OAuth2Token{Value: oauth2Random("rt_"), Type: "refresh_token", Subject: subject, Scopes: scopes, grant: grant}
		s.tokens[refresh.Value] = refresh
		body["refresh_token"] = refresh.Value
	}
	if s.cfg.TokenResponse != nil {
		s.cfg.TokenResponse(body)
	}
	s.respond(w, r, http.StatusOK, body)
}

func (s *OAuth2) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.CheckClient(r, r.PostForm) {
		WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[r.PostForm.Get("token")]; t != nil {
		if t.Type == "refresh_token" {
			for _, o := range s.tokens {
				if o.grant == t.grant {
					o.Revoked = true
				}
			}
		}
		t.Revoked = true
	}
	w.WriteHeader(http.StatusOK)
}

func (s *OAuth2) tokenError(w http.ResponseWriter, r *http.Request, status int, code string) {
	s.respond(w, r, status, map[string]any{"error": code})
}

// respond writes a token endpoint response, form-encoded when the
// server mimics GitHub and the client did not accept JSON. It touches no
// server state, so it may run with or without the lock.
func (s *OAuth2) respond(w http.ResponseWriter, r *http.Request, status int, body map[string]any) {
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.FormUnlessJSON && !strings.Contains(r.Header.Get("Accept"), "application/json") {
		v := url.Values{}
		for k, val := range body {
			b, _ := json.Marshal(val)
			str := strings.Trim(string(b), `"`)
			v.Set(k, str)
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(v.Encode()))
		return
	}
	WriteJSON(w, status, body)
}

// splitScopes splits a scope parameter at spaces and commas.
func oauth2SplitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func oauth2Random(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func oauth2S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
