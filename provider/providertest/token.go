package providertest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// token is the token endpoint (RFC 6749 sections 4.1.3 and 6, OpenID Connect
// Core section 3.1.3).
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	h.count(func(s *Stats) { s.TokenRequests++ })
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
	if te := f.Token; te != nil {
		status := te.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		writeOAuthError(w, &oauthError{status: status, code: te.Code, description: te.Description}, f.OversizeBody)
		return
	}

	var iss *issue
	switch form.Get("grant_type") {
	case "authorization_code":
		iss, oerr = h.redeemCode(clientID, form)
	case "refresh_token":
		iss, oerr = h.redeemRefreshToken(clientID, form)
	case "":
		oerr = errInvalidRequest("the grant_type parameter is required")
	default:
		oerr = &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: "only authorization_code and refresh_token are supported"}
	}
	if oerr != nil {
		writeOAuthError(w, oerr, f.OversizeBody)
		return
	}
	body, err := h.tokenResponse(iss, f)
	if err != nil {
		writeOAuthError(w, &oauthError{status: http.StatusInternalServerError, code: "server_error", description: "the ID token could not be signed"}, f.OversizeBody)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, body, f.OversizeBody)
}

// authenticateClient authenticates the client with client_secret_basic or
// client_secret_post (RFC 6749 section 2.3.1), whichever Config.AuthMethods
// allows, and returns its client id.
func (h *Handler) authenticateClient(r *http.Request, form url.Values) (string, *oauthError) {
	invalid := func(basic bool, desc string) *oauthError {
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: desc, basic: basic}
	}
	user, pass, basic := r.BasicAuth()
	if r.Header.Get("Authorization") != "" && !basic {
		return "", invalid(true, "the Authorization header is not HTTP Basic")
	}
	var id, secret string
	switch {
	case basic && form.Has("client_secret"):
		return "", errInvalidRequest("the client authenticated with more than one method")
	case basic:
		if !slices.Contains(h.cfg.AuthMethods, AuthMethodBasic) {
			return "", invalid(true, "client_secret_basic is not allowed for this client")
		}
		// The credentials are form-encoded before Basic encoding (RFC 6749
		// section 2.3.1).
		var err1, err2 error
		id, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", invalid(true, "the Basic credentials are not form-encoded")
		}
		if form.Has("client_id") && form.Get("client_id") != id {
			return "", invalid(true, "client_id differs from the authenticated client")
		}
	case form.Has("client_secret"):
		if !slices.Contains(h.cfg.AuthMethods, AuthMethodPost) {
			return "", invalid(false, "client_secret_post is not allowed for this client")
		}
		id, secret = form.Get("client_id"), form.Get("client_secret")
	default:
		return "", invalid(false, "client authentication is required")
	}
	okID := subtle.ConstantTimeCompare([]byte(id), []byte(h.cfg.ClientID)) == 1
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(h.cfg.ClientSecret)) == 1
	if !okID || !okSecret {
		return "", invalid(basic, "client authentication failed")
	}
	return id, nil
}

// issue is what one successful token request issued, before the ID token is
// signed (outside the lock).
type issue struct {
	access   *issuedToken
	refresh  *issuedToken // nil when none was issued
	scopes   []string
	idClaims map[string]any // nil without the openid scope
	now      time.Time
}

// redeemCode is the authorization_code grant.
func (h *Handler) redeemCode(clientID string, form url.Values) (*issue, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return nil, errInvalidRequest("the code parameter is required")
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.codes[code]
	if c == nil || c.grant.clientID != clientID {
		return nil, errInvalidGrant("the authorization code is invalid")
	}
	if c.used {
		// A replayed code may have been stolen: revoke what it gave
		// (RFC 6749 section 4.1.2).
		h.revokeGrantLocked(c.grant)
		return nil, errInvalidGrant("the authorization code was already used")
	}
	// Any attempt consumes the code, so a verifier cannot be guessed.
	c.used = true
	if now.After(c.expiresAt) {
		return nil, errInvalidGrant("the authorization code has expired")
	}
	switch ru := form.Get("redirect_uri"); {
	case ru == "":
		return nil, errInvalidRequest("the redirect_uri parameter is required")
	case ru != c.redirectURI:
		return nil, errInvalidGrant("redirect_uri differs from the authorization request's")
	}
	verifier := form.Get("code_verifier")
	switch {
	case c.challenge == "" && verifier != "":
		// RFC 9700 section 2.1.1: a verifier without a challenge is a
		// downgrade attempt.
		return nil, errInvalidGrant("code_verifier sent for a request without code_challenge")
	case c.challenge != "" && verifier == "":
		return nil, errInvalidRequest("the code_verifier parameter is required")
	case c.challenge != "" && (!validVerifier(verifier) || subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(c.challenge)) != 1):
		return nil, errInvalidGrant("PKCE verification failed")
	}
	h.stats.CodeExchanges++
	return h.issueLocked(c.grant, c.grant.scopes, true, true, now), nil
}

// redeemRefreshToken is the refresh_token grant, with rotation.
func (h *Handler) redeemRefreshToken(clientID string, form url.Values) (*issue, *oauthError) {
	value := form.Get("refresh_token")
	if value == "" {
		return nil, errInvalidRequest("the refresh_token parameter is required")
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.tokens[value]
	if t == nil || t.typ != refreshTokenType || t.grant.clientID != clientID {
		return nil, errInvalidGrant("the refresh token is invalid")
	}
	if t.revoked {
		return nil, errInvalidGrant("the refresh token was revoked")
	}
	if t.rotated {
		if grace := h.cfg.RefreshReuseGrace; grace > 0 && now.Sub(t.rotatedAt) < grace {
			// Within the grace period a spent refresh token still
			// refreshes (Ory Hydra's refresh_token_rotation grace).
			h.stats.GraceReuses++
			h.stats.Refreshes++
			return h.issueLocked(t.grant, t.grant.scopes, false, false, now), nil
		}
		// Reuse of a rotated refresh token means two parties hold it:
		// revoke the grant (RFC 9700 section 4.14.2).
		h.stats.ReuseDetections++
		h.revokeGrantLocked(t.grant)
		return nil, errInvalidGrant("the refresh token was already used")
	}
	scopes := t.grant.scopes
	if form.Has("scope") {
		scopes = scopeList(form.Get("scope"))
		for _, s := range scopes {
			if !slices.Contains(t.grant.scopes, s) {
				return nil, &oauthError{status: http.StatusBadRequest, code: "invalid_scope", description: "the scope exceeds what was granted"}
			}
		}
	}
	rotate := !h.cfg.DisableRefreshTokenRotation
	if rotate {
		t.rotated, t.rotatedAt = true, now
	}
	h.stats.Refreshes++
	return h.issueLocked(t.grant, scopes, false, rotate, now), nil
}

// issueLocked records a new access token (and refresh token) for g and
// prepares the ID token's claims. The nonce goes only into ID tokens of the
// code exchange (OpenID Connect Core section 12.2).
func (h *Handler) issueLocked(g *grant, scopes []string, withNonce, withRefresh bool, now time.Time) *issue {
	iss := &issue{scopes: scopes, now: now}
	iss.access = h.addTokenLocked(&issuedToken{
		value: randomValue("at_"), typ: accessTokenType, grant: g, scopes: scopes,
		issuedAt: now, expiresAt: now.Add(h.cfg.AccessTokenTTL),
	})
	if withRefresh {
		iss.refresh = h.addTokenLocked(&issuedToken{
			value: randomValue("rt_"), typ: refreshTokenType, grant: g, scopes: g.scopes, issuedAt: now,
		})
	}
	if slices.Contains(scopes, "openid") {
		u, ok := h.users[g.subject]
		if !ok {
			u = User{Subject: g.subject}
		}
		c := u.claims(scopes)
		c["iss"] = h.issuer
		c["sub"] = g.subject
		c["aud"] = g.clientID
		c["azp"] = g.clientID
		c["iat"] = now.Unix()
		c["exp"] = now.Add(h.cfg.IDTokenTTL).Unix()
		c["auth_time"] = g.authTime.Unix()
		c["at_hash"] = atHash(iss.access.value)
		if withNonce && g.nonce != "" {
			c["nonce"] = g.nonce
		}
		iss.idClaims = c
	}
	return iss
}

func (h *Handler) addTokenLocked(t *issuedToken) *issuedToken {
	if len(h.issued) >= h.cfg.MaxEntries {
		h.pruneTokensLocked(t.issuedAt)
	}
	h.tokens[t.value] = t
	h.issued = append(h.issued, t)
	return t
}

// pruneTokensLocked drops tokens that can never be used again (expired
// access tokens, revoked or rotated refresh tokens) and then, while the
// table is still full, the oldest tokens, until one more fits.
func (h *Handler) pruneTokensLocked(now time.Time) {
	kept := h.issued[:0]
	for _, t := range h.issued {
		dead := t.revoked || t.rotated || (!t.expiresAt.IsZero() && now.After(t.expiresAt))
		if dead {
			delete(h.tokens, t.value)
			continue
		}
		kept = append(kept, t)
	}
	clear(h.issued[len(kept):])
	h.issued = kept
	if over := len(h.issued) - h.cfg.MaxEntries + 1; over > 0 {
		for _, t := range h.issued[:over] {
			delete(h.tokens, t.value)
		}
		h.issued = append(h.issued[:0], h.issued[over:]...)
	}
}

// revokeGrantLocked revokes every token issued under g.
func (h *Handler) revokeGrantLocked(g *grant) {
	for _, t := range h.issued {
		if t.grant == g {
			t.revoked = true
		}
	}
}

// tokenResponse builds the RFC 6749 section 5.1 response, signing the ID
// token with f's fault applied.
func (h *Handler) tokenResponse(iss *issue, f Faults) (map[string]any, error) {
	body := map[string]any{
		"access_token": iss.access.value,
		"token_type":   "Bearer",
		"expires_in":   int64(h.cfg.AccessTokenTTL / time.Second),
		"scope":        strings.Join(iss.scopes, " "),
	}
	if iss.refresh != nil {
		body["refresh_token"] = iss.refresh.value
	}
	switch f.TokenType {
	case "":
	case "-":
		delete(body, "token_type")
	default:
		body["token_type"] = f.TokenType
	}
	if iss.idClaims != nil {
		idToken, err := h.idToken(iss.idClaims, f, iss.now)
		if err != nil {
			return nil, err
		}
		if idToken != "" {
			body["id_token"] = idToken
		}
	}
	return body, nil
}

// idToken applies f to claims and signs them; "" means no ID token.
func (h *Handler) idToken(c map[string]any, f Faults, now time.Time) (string, error) {
	const otherClient = "another-client"
	switch f.IDToken {
	case IDTokenWrongIssuer:
		c["iss"] = h.issuer + "/other"
	case IDTokenWrongAudience:
		c["aud"] = otherClient
		delete(c, "azp")
	case IDTokenExtraAudience:
		c["aud"] = []string{h.cfg.ClientID, otherClient}
		delete(c, "azp")
	case IDTokenMissingAudience:
		delete(c, "aud")
		delete(c, "azp")
	case IDTokenWrongAZP:
		c["azp"] = otherClient
	case IDTokenWrongNonce:
		c["nonce"] = randomValue("nonce_")
	case IDTokenMissingNonce:
		delete(c, "nonce")
	case IDTokenMissingSub:
		delete(c, "sub")
	case IDTokenMissingIAT:
		delete(c, "iat")
	case IDTokenExpired:
		c["iat"] = now.Add(-2 * time.Hour).Unix()
		c["exp"] = now.Add(-time.Hour).Unix()
	case IDTokenIssuedInFuture:
		c["iat"] = now.Add(time.Hour).Unix()
		c["exp"] = now.Add(2 * time.Hour).Unix()
	case IDTokenWrongAtHash:
		c["at_hash"] = atHash(randomValue("at_"))
	}
	for k, v := range f.IDTokenClaims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	switch f.IDToken {
	case IDTokenOmitted:
		return "", nil
	case IDTokenMalformed:
		return "not-a-jwt", nil
	case IDTokenAlgNone:
		return unsignedJWT(c)
	case IDTokenBadSignature:
		k, err := h.rogueKey()
		if err != nil {
			return "", err
		}
		return k.sign(c)
	}
	k, _ := h.signingKeys()
	return k.sign(c)
}

// s256 is the S256 code challenge of verifier (RFC 7636 section 4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
