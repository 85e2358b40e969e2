package conformance

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tetherauth/tether/provider/providertest"
)

// fault makes the fake's next answers fail in one documented shape.
type fault int

const (
	noFault fault = iota
	// token endpoint: HTTP 400 {"error":"invalid_grant"} with a
	// description that echoes the code.
	token400
	// token endpoint: HTTP 200 {"error":"bad_verification_code"} (GitHub's
	// shape).
	token200Error
	// token endpoint: HTTP 200 with an HTML page that echoes the code.
	tokenNotJSON
	// token endpoint: HTTP 200 JSON without access_token.
	tokenNoAccessToken
	// token endpoint: an ID token whose nonce is not the request's (even
	// for a harness with IDToken.OmitNonce).
	idTokenWrongNonce
	// profile routes: HTTP 200 with Profile.ErrorBody.
	profile200Error
	// revocation endpoint: HTTP 503.
	revoke503
)

// callbackPath is where the fake redirects the browser.
const callbackPath = "/callback"

// expiresIn is the lifetime of the access tokens the fake issues.
const expiresIn = 3600

// grant is what an authorization request granted.
type grant struct {
	user                User
	scopes              []string
	redirect, challenge string
	nonce               string
}

// issued is the fake's last token response.
type issued struct {
	access, refresh, idToken string
	at                       time.Time
}

// fake is the provider the harness declares, on 127.0.0.1.
type fake struct {
	Server
	t      *testing.T
	h      *Harness
	signer *providertest.Signer

	mu          sync.Mutex
	login       User
	fault       fault
	codes       map[string]*grant
	access      map[string]*grant
	refresh     map[string]*grant
	last        issued
	secrets     *secrets
	revocations []revocation
	requests    int
}

// revocation is a revocation request the fake accepted.
type revocation struct{ token, hint string }

// newFake starts the fake for one subtest.
func newFake(t *testing.T, h *Harness, signer *providertest.Signer) *fake {
	t.Helper()
	f := &fake{
		t: t, h: h, signer: signer,
		secrets: &secrets{}, codes: map[string]*grant{}, access: map[string]*grant{}, refresh: map[string]*grant{},
	}
	f.URL, f.Client, f.ClientID, f.ClientSecret = serve(t, f, f.secrets)
	return f
}

// random returns n random bytes, base64url-encoded.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *fake) setFault(x fault) { f.mu.Lock(); f.fault = x; f.mu.Unlock() }
func (f *fake) setLogin(u User)  { f.mu.Lock(); f.login = u; f.mu.Unlock() }

// path expands "{client_id}" in a declared path.
func (f *fake) path(p string) string { return strings.ReplaceAll(p, "{client_id}", f.ClientID) }

func (f *fake) issuer() string { return f.URL + f.h.IDToken.IssuerPath }

func (f *fake) clientIDParam() string {
	if f.h.ClientIDParam != "" {
		return f.h.ClientIDParam
	}
	return "client_id"
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.mu.Unlock()
	h, p := f.h, r.URL.Path
	idt, rv := h.IDToken, h.Revoke
	switch {
	case p == f.path(h.Authorize.Path) && r.Method == http.MethodGet:
		f.authorize(w, r)
		return
	case p == f.path(h.Token.Path) && r.Method == http.MethodPost:
		f.token(w, r)
		return
	case idt != nil && idt.JWKSPath != "" && p == f.path(idt.JWKSPath) && r.Method == http.MethodGet:
		f.signer.ServeJWKS(w, r)
		return
	case idt != nil && idt.Discovery && p == idt.IssuerPath+"/.well-known/openid-configuration":
		f.discovery(w)
		return
	case rv != nil && !rv.Unsupported && p == f.path(rv.Path) && r.Method == cmp.Or(rv.Method, http.MethodPost):
		f.revoke(w, r)
		return
	}
	for _, route := range h.Profile.Routes {
		if p == f.path(route.Path) && r.Method == cmp.Or(route.Method, http.MethodGet) {
			f.profile(w, r, route)
			return
		}
	}
	f.t.Errorf("the provider sent %s %s, which the harness declares no route for", r.Method, p)
	writeJSON(w, http.StatusNotFound, map[string]any{"error": "not_found"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError answers an RFC 6749 section 5.2 error.
func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": code})
}

// authorize approves the request as the signed-in fixture user: it issues
// a code and sends the browser to the redirect URI. The suite checks the
// parameters themselves (checkAuthURL).
func (f *fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sep := cmp.Or(f.h.Authorize.ScopeSeparator, " ")
	code := "code-" + random(18)
	f.mu.Lock()
	g := &grant{
		user: f.login, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"),
		scopes: slices.DeleteFunc(strings.Split(q.Get("scope"), sep), func(s string) bool { return s == "" }),
	}
	f.codes[code] = g
	f.mu.Unlock()
	f.secrets.add(code)
	cb := url.Values{"code": {code}, "state": {q.Get("state")}}
	if f.h.Authorize.IssuerParameter {
		cb.Set("iss", f.issuer())
	}
	if f.h.Authorize.CallbackParams != nil {
		maps.Copy(cb, f.h.Authorize.CallbackParams(g.user))
	}
	if q.Get("response_mode") == "form_post" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<form method=post action=\"%s\">", html.EscapeString(g.redirect))
		for k, vs := range cb {
			for _, v := range vs {
				fmt.Fprintf(w, "<input type=hidden name=\"%s\" value=\"%s\">", html.EscapeString(k), html.EscapeString(v))
			}
		}
		fmt.Fprint(w, "</form>")
		return
	}
	sep = "?"
	if strings.Contains(g.redirect, "?") {
		sep = "&"
	}
	http.Redirect(w, r, g.redirect+sep+cb.Encode(), http.StatusFound)
}

// checkClient checks the client authentication of a token or revocation
// request whose form is parsed.
func (f *fake) checkClient(r *http.Request, style AuthStyle, what string) bool {
	user, pass, basic := r.BasicAuth()
	var id, secret string
	switch style {
	case AuthNone:
		return true
	case AuthBasic:
		if !basic {
			f.t.Errorf("%s: no HTTP Basic client authentication (the harness declares %v)", what, style)
			return false
		}
		if r.PostForm.Has("client_secret") {
			f.t.Errorf("%s: client_secret in the body besides HTTP Basic", what)
		}
		// RFC 6749 section 2.3.1: both are form-encoded first.
		id, _ = url.QueryUnescape(user)
		secret, _ = url.QueryUnescape(pass)
	case AuthPost:
		if r.Header.Get("Authorization") != "" && basic {
			f.t.Errorf("%s: HTTP Basic client authentication, the harness declares %v", what, style)
			return false
		}
		id, secret = r.PostForm.Get(f.clientIDParam()), r.PostForm.Get("client_secret")
	}
	if id != f.ClientID {
		f.t.Errorf("%s: client id %q, want %q (as %s)", what, id, f.ClientID, f.clientIDParam())
		return false
	}
	switch {
	case f.h.AnyClientSecret && secret != "":
		f.secrets.add(secret)
	case secret != f.ClientSecret:
		f.t.Errorf("%s: wrong or missing client secret (%v)", what, style)
		return false
	}
	return true
}

// token serves the authorization_code and refresh_token grants.
func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("token request: %v", err)
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !f.checkClient(r, f.h.Token.Auth, "token request") {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	f.mu.Lock()
	flt := f.fault
	f.mu.Unlock()
	code := r.PostForm.Get("code")
	switch flt {
	case token400:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "code " + code + " is invalid"})
		return
	case token200Error:
		writeJSON(w, http.StatusOK, map[string]any{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired: " + code})
		return
	case tokenNotJSON:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body>Something went wrong with code %s</body></html>", html.EscapeString(code))
		return
	case tokenNoAccessToken:
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": expiresIn})
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		f.codeGrant(w, r)
	case "refresh_token":
		f.refreshGrant(w, r)
	default:
		f.t.Errorf("token request: grant_type %q", gt)
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// codeGrant redeems a code: single use, for its redirect URI, with its PKCE
// verifier.
func (f *fake) codeGrant(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	f.mu.Lock()
	g := f.codes[form.Get("code")]
	delete(f.codes, form.Get("code"))
	f.mu.Unlock()
	verifier := form.Get("code_verifier")
	switch {
	case g == nil:
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	case form.Get("redirect_uri") != g.redirect:
		f.t.Errorf("token request: redirect_uri %q, the authorization request's was %q", form.Get("redirect_uri"), g.redirect)
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	case f.h.Authorize.PKCE && s256(verifier) != g.challenge:
		f.t.Errorf("token request: the code_verifier does not match the code_challenge (RFC 7636)")
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	case !f.h.Authorize.PKCE && form.Has("code_verifier"):
		f.t.Errorf("token request: a code_verifier, but the harness declares no PKCE")
	}
	f.issue(w, g, true, f.h.IDToken != nil)
}

// refreshGrant redeems a refresh token, rotating it when declared.
func (f *fake) refreshGrant(w http.ResponseWriter, r *http.Request) {
	rt := r.PostForm.Get("refresh_token")
	f.mu.Lock()
	g := f.refresh[rt]
	rotates := f.h.Refresh != nil && f.h.Refresh.Rotates
	if g != nil && rotates {
		delete(f.refresh, rt)
	}
	f.mu.Unlock()
	if g == nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	f.issue(w, g, rotates, f.h.IDToken != nil && f.h.Refresh.IDToken)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// issue answers a token response for g, as the harness declares it.
func (f *fake) issue(w http.ResponseWriter, g *grant, withRefresh, withIDToken bool) {
	tk := f.h.Token
	at := "at-" + random(24)
	body := map[string]any{"access_token": at, "token_type": cmp.Or(tk.TokenType, "Bearer")}
	if !tk.NoExpiry {
		body["expires_in"] = expiresIn
	}
	if tk.ScopeSeparator != "" {
		body[cmp.Or(tk.ScopeMember, "scope")] = strings.Join(g.scopes, tk.ScopeSeparator)
	}
	iss := issued{access: at, at: time.Now()}
	if tk.RefreshToken && withRefresh {
		iss.refresh = "rt-" + random(24)
		body["refresh_token"] = iss.refresh
	}
	if withIDToken {
		f.mu.Lock()
		wrong := f.fault == idTokenWrongNonce
		f.mu.Unlock()
		nonce := g.nonce
		if f.h.IDToken.OmitNonce && !wrong {
			nonce = ""
		}
		if wrong {
			nonce = "not-" + nonce
		}
		raw, err := f.idToken(g.user, nonce)
		if err != nil {
			f.t.Errorf("sign an ID token: %v", err)
			oauthError(w, http.StatusInternalServerError, "server_error")
			return
		}
		iss.idToken = raw
		body["id_token"] = raw
	}
	if tk.Extra != nil {
		maps.Copy(body, tk.Extra(g.user))
	}
	f.mu.Lock()
	f.access[at] = g
	if iss.refresh != "" {
		f.refresh[iss.refresh] = g
	}
	f.last = iss
	f.mu.Unlock()
	f.secrets.add(at, iss.refresh, iss.idToken)
	writeJSON(w, http.StatusOK, body)
}

// idToken signs u's ID token; nonce "" leaves the claim out.
func (f *fake) idToken(u User, nonce string) (string, error) {
	now := time.Now()
	c := map[string]any{}
	if f.h.IDToken.Claims != nil {
		maps.Copy(c, f.h.IDToken.Claims(u))
	}
	maps.Copy(c, map[string]any{
		"iss": f.issuer(), "sub": u.ID, "aud": f.ClientID,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	// Claims bound to another client or token (a documented example's)
	// are this client's, or left out.
	if _, ok := c["azp"]; ok {
		c["azp"] = f.ClientID
	}
	delete(c, "at_hash")
	delete(c, "c_hash")
	delete(c, "nonce")
	if nonce != "" {
		c["nonce"] = nonce
	}
	if f.h.IDToken.ClientSecretHS256 {
		return signHS256(c, f.ClientSecret)
	}
	return f.signer.Sign(c)
}

// signHS256 returns claims as a compact JWS signed with HS256 keyed with
// secret, without a kid.
func signHS256(claims map[string]any, secret string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// bearer returns the grant of the request's bearer access token.
func (f *fake) bearer(r *http.Request) *grant {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.access[tok]
}

// profile answers a profile route for the access token's user.
func (f *fake) profile(w http.ResponseWriter, r *http.Request, route Route) {
	g := f.bearer(r)
	if g == nil {
		f.t.Errorf("%s %s: no Authorization: Bearer with an access token the fake issued", r.Method, r.URL.Path)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token"})
		return
	}
	q := r.URL.Query()
	for k, vs := range route.Query {
		if !q.Has(k) || (len(vs) > 0 && vs[0] != "" && q.Get(k) != vs[0]) {
			f.t.Errorf("%s %s: query parameter %s=%q, want %q", r.Method, r.URL.Path, k, q.Get(k), vs)
		}
	}
	f.mu.Lock()
	flt := f.fault
	f.mu.Unlock()
	if flt == profile200Error {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, cmp.Or(f.h.Profile.ErrorBody, `{"error":"invalid_token"}`))
		return
	}
	writeJSON(w, http.StatusOK, route.Body(g.user, slices.Clone(g.scopes)))
}

// revoke serves the revocation endpoint as the harness declares it.
func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	rv := f.h.Revoke
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if rv.TokenIn == InForm || rv.TokenIn == InFormParam || rv.ClientAuth == AuthPost {
		if err := r.ParseForm(); err != nil {
			f.t.Errorf("revocation request: %v", err)
		}
	}
	if !f.checkClient(r, rv.ClientAuth, "revocation request") {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	var rec revocation
	switch rv.TokenIn {
	case InForm:
		rec = revocation{token: r.PostForm.Get("token"), hint: r.PostForm.Get("token_type_hint")}
	case InFormParam:
		rec.token = r.PostForm.Get(rv.FormParam)
	case InBearer:
		rec.token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	case InJSON:
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			f.t.Errorf("revocation request: body is not JSON: %v", err)
		}
		rec.token, _ = m[rv.JSONMember].(string)
	}
	f.mu.Lock()
	flt := f.fault
	if flt != revoke503 {
		f.revocations = append(f.revocations, rec)
	}
	f.mu.Unlock()
	if flt == revoke503 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "temporarily_unavailable"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(cmp.Or(rv.Status, http.StatusOK))
	_, _ = io.WriteString(w, rv.Response)
}

// discovery serves the OpenID Connect discovery document.
func (f *fake) discovery(w http.ResponseWriter) {
	h := f.h
	d := map[string]any{
		"issuer":                                f.issuer(),
		"authorization_endpoint":                f.URL + f.path(h.Authorize.Path),
		"token_endpoint":                        f.URL + f.path(h.Token.Path),
		"jwks_uri":                              f.URL + f.path(h.IDToken.JWKSPath),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{h.Token.Auth.String()},
	}
	if h.Authorize.PKCE {
		d["code_challenge_methods_supported"] = []string{"S256"}
	}
	if len(h.Profile.Routes) > 0 {
		d["userinfo_endpoint"] = f.URL + f.path(h.Profile.Routes[0].Path)
	}
	if h.Revoke != nil && !h.Revoke.Unsupported {
		d["revocation_endpoint"] = f.URL + f.path(h.Revoke.Path)
	}
	writeJSON(w, http.StatusOK, d)
}
