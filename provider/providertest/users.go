package providertest

import (
	"maps"
	"slices"
)

// User is an account at the provider. Its fields become the standard claims
// of ID tokens and userinfo responses, according to the granted scopes:
// "profile" releases the names, picture and preferred_username, "email"
// releases email and email_verified. Empty fields are left out.
type User struct {
	// Subject is the "sub" claim: the stable identifier of the user.
	Subject string
	// Email is the "email" claim.
	Email string
	// EmailVerified is the "email_verified" claim; nil leaves it out.
	EmailVerified *bool
	// GivenName, FamilyName and Name are "given_name", "family_name" and
	// "name".
	GivenName  string
	FamilyName string
	Name       string
	// Picture is the "picture" claim, a URL.
	Picture string
	// PreferredUsername is the "preferred_username" claim.
	PreferredUsername string
	// Extra claims are released whatever the scopes. They can replace the
	// standard claims above (to send email_verified as the string "true",
	// say) but never the protocol claims (iss, sub, aud, azp, exp, iat,
	// auth_time, nonce, at_hash, nbf, jti).
	Extra map[string]any
}

// protocolClaims are the ID token claims a user's Extra claims cannot set.
var protocolClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "azp": true, "exp": true, "iat": true,
	"auth_time": true, "nonce": true, "at_hash": true, "nbf": true, "jti": true,
}

// clone returns a deep enough copy of u for the provider to keep.
func (u User) clone() User {
	if u.EmailVerified != nil {
		u.EmailVerified = new(*u.EmailVerified)
	}
	u.Extra = maps.Clone(u.Extra)
	return u
}

// claims returns the user's claims released by scopes, always with "sub".
func (u User) claims(scopes []string) map[string]any {
	c := make(map[string]any, 8+len(u.Extra))
	set := func(k, v string) {
		if v != "" {
			c[k] = v
		}
	}
	if slices.Contains(scopes, "profile") {
		set("name", u.Name)
		set("given_name", u.GivenName)
		set("family_name", u.FamilyName)
		set("picture", u.Picture)
		set("preferred_username", u.PreferredUsername)
	}
	if slices.Contains(scopes, "email") {
		set("email", u.Email)
		if u.EmailVerified != nil {
			c["email_verified"] = *u.EmailVerified
		}
	}
	for k, v := range u.Extra {
		if !protocolClaims[k] {
			c[k] = v
		}
	}
	c["sub"] = u.Subject
	return c
}

// AddUser adds u, or replaces the user with the same Subject. It panics when
// u.Subject is empty.
func (h *Handler) AddUser(u User) {
	if u.Subject == "" {
		panic("providertest: AddUser of a user without a Subject")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.users[u.Subject]; !ok {
		h.makeRoomForUserLocked()
		h.userOrder = append(h.userOrder, u.Subject)
	}
	h.users[u.Subject] = u.clone()
}

// User returns the user with subject sub.
func (h *Handler) User(sub string) (User, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u, ok := h.users[sub]
	return u.clone(), ok
}

// SetLogin signs sub in: authorization requests are then approved as sub
// without a form (unless Config.Interactive is set). A subject that was not
// added becomes a user with only a Subject. An empty sub signs everyone out,
// so that the authorization endpoint shows its form.
func (h *Handler) SetLogin(sub string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if sub != "" {
		if _, ok := h.users[sub]; !ok {
			h.makeRoomForUserLocked()
			h.users[sub] = User{Subject: sub}
			h.userOrder = append(h.userOrder, sub)
		}
	}
	h.login = sub
}

// saveFormUser stores the user of an approved sign-in form. The fields the
// form does not show (given and family names, preferred_username, extra
// claims) are kept from the user with the same subject, if any.
func (h *Handler) saveFormUser(u User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.users[u.Subject]; ok {
		u.GivenName, u.FamilyName = old.GivenName, old.FamilyName
		u.PreferredUsername, u.Extra = old.PreferredUsername, old.Extra
	} else {
		h.makeRoomForUserLocked()
		h.userOrder = append(h.userOrder, u.Subject)
	}
	h.users[u.Subject] = u
}

// makeRoomForUserLocked evicts the oldest users (never the signed-in one)
// until one more fits under Config.MaxEntries.
func (h *Handler) makeRoomForUserLocked() {
	for len(h.users) >= h.cfg.MaxEntries && len(h.userOrder) > 0 {
		oldest := h.userOrder[0]
		h.userOrder = h.userOrder[1:]
		if oldest == h.login {
			h.userOrder = append(h.userOrder, oldest)
			if len(h.userOrder) == 1 {
				return
			}
			continue
		}
		delete(h.users, oldest)
	}
}
