package providertest

import (
	"net/http"
	"slices"
	"strings"
)

// userinfo is the UserInfo endpoint (OpenID Connect Core section 5.3), with
// the access token as a Bearer token (RFC 6750): in the Authorization header,
// or for POST in the form body.
func (h *Handler) userinfo(w http.ResponseWriter, r *http.Request) {
	h.count(func(s *Stats) { s.UserinfoRequests++ })
	f := h.currentFaults()
	noStore(w)
	token, oerr := bearerToken(w, r)
	if oerr != nil {
		writeBearerError(w, oerr, f.OversizeBody)
		return
	}
	if f.UserinfoStatus != 0 {
		writeBearerError(w, userinfoFault(f.UserinfoStatus), f.OversizeBody)
		return
	}
	now := h.now()
	h.mu.Lock()
	t := h.tokens[token]
	valid := t != nil && t.typ == accessTokenType && !t.revoked && now.Before(t.expiresAt)
	var claims map[string]any
	if valid && slices.Contains(t.scopes, "openid") {
		u, ok := h.users[t.grant.subject]
		if !ok {
			u = User{Subject: t.grant.subject}
		}
		claims = u.claims(t.scopes)
	}
	h.mu.Unlock()
	switch {
	case !valid:
		writeBearerError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_token", description: "the access token is invalid, expired or revoked"}, f.OversizeBody)
		return
	case claims == nil:
		writeBearerError(w, &oauthError{status: http.StatusForbidden, code: "insufficient_scope", description: "the access token was not granted the openid scope"}, f.OversizeBody)
		return
	}
	if f.UserinfoSubject != "" {
		claims["sub"] = f.UserinfoSubject
	}
	writeJSON(w, http.StatusOK, claims, f.OversizeBody)
}

// bearerToken reads the access token of a userinfo request.
func bearerToken(w http.ResponseWriter, r *http.Request) (string, *oauthError) {
	var header string
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return "", errInvalidRequest("the Authorization header is not a Bearer token")
		}
		header = strings.TrimSpace(token)
	}
	var body string
	if r.Method == http.MethodPost {
		form, oerr := parseForm(w, r)
		if oerr != nil {
			return "", oerr
		}
		body = form.Get("access_token")
	}
	switch {
	case header != "" && body != "":
		return "", errInvalidRequest("the access token was sent more than one way")
	case header != "":
		return header, nil
	case body != "":
		return body, nil
	}
	// No credentials: a challenge without an error code (RFC 6750 section 3.1).
	return "", &oauthError{status: http.StatusUnauthorized}
}

// userinfoFault is the error of Faults.UserinfoStatus.
func userinfoFault(status int) *oauthError {
	switch status {
	case http.StatusUnauthorized:
		return &oauthError{status: status, code: "invalid_token", description: "the access token is invalid"}
	case http.StatusForbidden:
		return &oauthError{status: status, code: "insufficient_scope", description: "the access token is not allowed here"}
	case http.StatusBadRequest:
		return errInvalidRequest("the request is invalid")
	}
	return &oauthError{status: status, code: "server_error", description: "the userinfo endpoint failed"}
}

// writeBearerError writes an RFC 6750 section 3 error: a WWW-Authenticate
// challenge and, when there is an error code, a JSON body.
func writeBearerError(w http.ResponseWriter, e *oauthError, pad int) {
	switch e.status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		challenge := `Bearer realm="providertest"`
		if e.code != "" {
			challenge += `, error="` + e.code + `"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if e.code == "" {
		w.WriteHeader(e.status)
		return
	}
	writeOAuthError(w, e, pad)
}
