package providertest

import "net/http"

// revoke is the revocation endpoint (RFC 7009). Revoking a refresh token
// revokes its whole grant, access tokens included (section 2.1); revoking an
// access token revokes only it. Unknown tokens are not an error (section
// 2.2), and token_type_hint only speeds up a lookup this provider does not
// need, so any value is accepted.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	h.count(func(s *Stats) { s.RevocationRequests++ })
	f := h.currentFaults()
	form, oerr := parseForm(w, r)
	if oerr != nil {
		writeOAuthError(w, oerr, f.OversizeBody)
		return
	}
	clientID, oerr := h.authenticateClient(r, form)
	if oerr != nil {
		writeOAuthError(w, oerr, f.OversizeBody)
		return
	}
	value := form.Get("token")
	if value == "" {
		writeOAuthError(w, errInvalidRequest("the token parameter is required"), f.OversizeBody)
		return
	}
	h.mu.Lock()
	if t := h.tokens[value]; t != nil && t.grant.clientID == clientID {
		if t.typ == refreshTokenType {
			h.revokeGrantLocked(t.grant)
		} else {
			t.revoked = true
		}
	}
	h.mu.Unlock()
	noStore(w)
	w.WriteHeader(http.StatusOK)
}
