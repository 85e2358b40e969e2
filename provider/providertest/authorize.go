package providertest

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// authRequest is an authorization request whose client and redirect URI are
// valid, so that errors can be sent to the client.
type authRequest struct {
	clientID    string
	redirectURI string
	state       string
	nonce       string
	challenge   string
	prompt      []string
	loginHint   string
	scopes      []string
	params      url.Values
	post        bool
}

// authorize is the authorization endpoint (RFC 6749 section 4.1.1, OpenID
// Connect Core section 3.1.2). It accepts GET and, as OpenID Connect
// requires, POST; the sign-in form posts its decision back here.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	h.count(func(s *Stats) { s.AuthorizeRequests++ })
	params := r.URL.Query()
	post := r.Method == http.MethodPost
	if post {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			h.errorPage(w, "invalid_request", "The request body is not a valid form.")
			return
		}
		params = r.PostForm
	}

	// Until client_id and redirect_uri are known to be good, errors go to
	// the user, never to the redirect URI (RFC 6749 section 4.1.2.1).
	if len(params["client_id"]) != 1 || params.Get("client_id") == "" {
		h.errorPage(w, "invalid_request", "The client_id parameter is missing or repeated.")
		return
	}
	if params.Get("client_id") != h.cfg.ClientID {
		h.errorPage(w, "invalid_client", "The client_id is not registered at this provider.")
		return
	}
	if len(params["redirect_uri"]) != 1 || params.Get("redirect_uri") == "" {
		h.errorPage(w, "invalid_request", "The redirect_uri parameter is missing or repeated.")
		return
	}
	if !h.redirectURIAllowed(params.Get("redirect_uri")) {
		h.errorPage(w, "invalid_request", "The redirect_uri is not registered for this client.")
		return
	}
	ar := &authRequest{
		clientID:    params.Get("client_id"),
		redirectURI: params.Get("redirect_uri"),
		state:       params.Get("state"),
		nonce:       params.Get("nonce"),
		challenge:   params.Get("code_challenge"),
		prompt:      strings.Fields(params.Get("prompt")),
		loginHint:   params.Get("login_hint"),
		scopes:      scopeList(params.Get("scope")),
		params:      params,
		post:        post,
	}
	f := h.currentFaults()
	if code, desc := h.validateAuthRequest(ar); code != "" {
		h.redirectError(w, r, ar, f, code, desc)
		return
	}
	if f.AuthorizeError != "" {
		h.redirectError(w, r, ar, f, f.AuthorizeError, "")
		return
	}

	// The sign-in form posts its decision; a decision in a query string is
	// ignored, so a link alone never approves anything.
	if post && params.Has("decision") {
		switch params.Get("decision") {
		case "approve":
			u, msg := userFromForm(params)
			if msg != "" {
				h.signInForm(w, ar, u, msg)
				return
			}
			h.saveFormUser(u)
			h.approve(w, r, ar, f, u.Subject)
		case "deny":
			h.redirectError(w, r, ar, f, "access_denied", "The user denied the request.")
		default:
			h.redirectError(w, r, ar, f, "invalid_request", "The decision is neither approve nor deny.")
		}
		return
	}

	h.mu.Lock()
	login := h.login
	h.mu.Unlock()
	switch {
	case login != "" && (!h.cfg.Interactive || slices.Contains(ar.prompt, "none")):
		h.approve(w, r, ar, f, login)
	case slices.Contains(ar.prompt, "none"):
		h.redirectError(w, r, ar, f, "login_required", "No user is signed in.")
	default:
		h.signInForm(w, ar, h.prefill(ar.loginHint, login), "")
	}
}

// validateAuthRequest checks what can be reported to the client, returning
// an RFC 6749 / OpenID Connect error code and description, or "".
func (h *Handler) validateAuthRequest(ar *authRequest) (code, desc string) {
	if k := repeatedParam(ar.params); k != "" {
		return "invalid_request", "Parameter " + k + " is repeated."
	}
	for k, vs := range ar.params {
		if len(vs) > 0 && len(vs[0]) > MaxFieldBytes {
			return "invalid_request", "Parameter " + k + " is longer than " + strconv.Itoa(MaxFieldBytes) + " bytes."
		}
	}
	switch rt := ar.params.Get("response_type"); rt {
	case "code":
	case "":
		return "invalid_request", "The response_type parameter is required."
	default:
		return "unsupported_response_type", "Only response_type=code is supported."
	}
	if rm := ar.params.Get("response_mode"); rm != "" && rm != "query" && rm != "form_post" {
		return "invalid_request", "Only response_mode=query and form_post are supported."
	}
	if !slices.Contains(ar.scopes, "openid") {
		return "invalid_scope", "The scope must include openid."
	}
	if ar.params.Has("request") {
		return "request_not_supported", "Request objects are not supported."
	}
	if ar.params.Has("request_uri") {
		return "request_uri_not_supported", "Request URIs are not supported."
	}
	method := ar.params.Get("code_challenge_method")
	if ar.challenge == "" {
		if method != "" {
			return "invalid_request", "code_challenge_method was sent without code_challenge."
		}
		if !h.cfg.PKCEOptional {
			return "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256."
		}
	} else {
		// A missing method means "plain" (RFC 7636 section 4.3), which this
		// provider does not support.
		if method != "S256" {
			return "invalid_request", "Only code_challenge_method=S256 is supported."
		}
		if !validChallenge(ar.challenge) {
			return "invalid_request", "The code_challenge is not a base64url-encoded SHA-256 hash."
		}
	}
	if slices.Contains(ar.prompt, "none") && len(ar.prompt) > 1 {
		return "invalid_request", "prompt=none cannot be combined with other values."
	}
	return "", ""
}

// redirectURIAllowed reports whether uri may receive the authorization
// response: one of Config.RedirectURIs, or when none are registered, any
// absolute http(s) URI without a fragment (RFC 6749 section 3.1.2).
func (h *Handler) redirectURIAllowed(uri string) bool {
	if len(h.cfg.RedirectURIs) > 0 {
		return slices.Contains(h.cfg.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == "" && !strings.Contains(uri, "#")
}

// approve issues a code to sub for ar and redirects to the client.
func (h *Handler) approve(w http.ResponseWriter, r *http.Request, ar *authRequest, f Faults, sub string) {
	scopes := ar.scopes
	if h.cfg.GrantScopes != nil {
		scopes = scopeList(strings.Join(h.cfg.GrantScopes(slices.Clone(scopes)), " "))
	}
	code := randomValue("code_")
	now := h.now()
	h.mu.Lock()
	h.grants++
	g := &grant{id: h.grants, clientID: ar.clientID, subject: sub, scopes: scopes, nonce: ar.nonce, authTime: now}
	h.makeRoomForCodeLocked(now)
	h.codes[code] = &authCode{grant: g, redirectURI: ar.redirectURI, challenge: ar.challenge, expiresAt: now.Add(CodeTTL)}
	h.mu.Unlock()
	h.redirect(w, r, ar, f, url.Values{"code": {code}})
}

// redirectError sends an error to the client (RFC 6749 section 4.1.2.1).
func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, ar *authRequest, f Faults, code, desc string) {
	q := url.Values{"error": {code}}
	if desc != "" {
		q.Set("error_description", desc)
	}
	h.redirect(w, r, ar, f, q)
}

// redirect sends the authorization response q, with state and iss, to the
// client's redirect URI, keeping the URI's own query.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, ar *authRequest, f Faults, q url.Values) {
	u, _ := url.Parse(ar.redirectURI) // validated by redirectURIAllowed
	query := u.Query()
	for k, v := range q {
		query[k] = v
	}
	if ar.state != "" {
		query.Set("state", ar.state)
	}
	switch {
	case f.OmitCallbackIssuer:
	case f.CallbackIssuer != "":
		query.Set("iss", f.CallbackIssuer)
	case !h.cfg.DisableIssuerParameter:
		query.Set("iss", h.issuer)
	}
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	if ar.params.Get("response_mode") == "form_post" {
		// OAuth 2.0 Form Post Response Mode: the parameters travel in a
		// form the browser posts to the redirect URI.
		writeFormPost(w, ar.redirectURI, query)
		return
	}
	u.RawQuery = query.Encode()
	status := http.StatusFound
	if ar.post {
		status = http.StatusSeeOther // the browser must GET the callback
	}
	http.Redirect(w, r, u.String(), status)
}

// validChallenge reports whether s can be an S256 code challenge: 43
// base64url characters, the encoding of 32 bytes (RFC 7636 section 4.2).
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validVerifier reports whether s is a code verifier: 43 to 128 unreserved
// characters (RFC 7636 section 4.1).
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// makeRoomForCodeLocked drops expired codes, and when the table is still
// full, the codes closest to expiry, until one more fits.
func (h *Handler) makeRoomForCodeLocked(now time.Time) {
	if len(h.codes) < h.cfg.MaxEntries {
		return
	}
	for k, c := range h.codes {
		if now.After(c.expiresAt) {
			delete(h.codes, k)
		}
	}
	for len(h.codes) >= h.cfg.MaxEntries {
		var oldest string
		var at time.Time
		for k, c := range h.codes {
			if oldest == "" || c.expiresAt.Before(at) {
				oldest, at = k, c.expiresAt
			}
		}
		delete(h.codes, oldest)
	}
}

// formPostPage posts the authorization response to the client: a form of
// hidden fields that submits itself (a browser without script shows the
// button).
var formPostPage = template.Must(template.New("form_post").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Submit</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{- range .Fields}}
<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{- end}}
<button type="submit">Continue</button>
</form>
</body></html>
`))

func writeFormPost(w http.ResponseWriter, action string, q url.Values) {
	var page struct {
		Action string
		Fields []hiddenField
	}
	page.Action = action
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			page.Fields = append(page.Fields, hiddenField{Name: k, Value: v})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = formPostPage.Execute(w, page)
}
