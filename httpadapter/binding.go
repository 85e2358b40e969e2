package httpadapter

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// CookieOptions configure the binding cookie, which ties an authorization
// flow to the browser that started it. Its zero value is the default.
//
// The cookie is HttpOnly, has Path "/" and no Domain. When the callback URL
// is https its name gets the "__Host-" prefix and it is Secure, so neither a
// sibling subdomain nor a network attacker can plant or overwrite it; on http
// (local development) it is a plain cookie.
type CookieOptions struct {
	// Name is the cookie name without the "__Host-" prefix. Default:
	// "tether_binding".
	Name string

	// SameSite is the cookie's SameSite attribute: http.SameSiteNoneMode or
	// http.SameSiteLaxMode. Default: None when the callback URL is https,
	// Lax when it is http (None requires Secure).
	//
	// The provider returns the browser to the callback with a cross-site
	// top-level navigation: a GET for the usual response_mode=query, which
	// carries Lax cookies, but a POST for response_mode=form_post (Apple,
	// some OpenID Connect providers), which carries only None cookies. None
	// is the default so that both callbacks work out of the box, and it
	// costs nothing: the cookie protects by its secret value, which the
	// callback compares with the hash the flow stored, not by SameSite. A
	// forged cross-site callback that carries it still fails, because the
	// forger's flow was bound to another value. A host without form_post
	// providers may choose Lax.
	SameSite http.SameSite
}

// bindingCookie writes and reads the binding cookie.
type bindingCookie struct {
	name     string
	secure   bool
	sameSite http.SameSite
	maxAge   int // seconds
}

const defaultCookieName = "tether_binding"

// newBindingCookie checks o for a callback of the given scheme. lifetime is
// how long the Service keeps a flow (account.Service.FlowLifetime: the
// verification TTL plus the retention that lets a late callback be told
// verification_expired). The cookie lives a minute longer, and every flow
// start and callback renews it with the same value, so the browser still
// presents the binding whenever the Service can still answer any of its
// flows.
func newBindingCookie(o CookieOptions, https bool, lifetime time.Duration) (bindingCookie, error) {
	c := bindingCookie{name: o.Name, secure: https, sameSite: o.SameSite}
	if c.name == "" {
		c.name = defaultCookieName
	}
	if !validCookieName(c.name) {
		return c, fmt.Errorf("httpadapter: cookie name %q must be 1 to 64 letters, digits, '-' or '_', without a __Host- or __Secure- prefix", c.name)
	}
	if https {
		c.name = "__Host-" + c.name
	}
	switch c.sameSite {
	case 0:
		c.sameSite = http.SameSiteLaxMode
		if https {
			c.sameSite = http.SameSiteNoneMode
		}
	case http.SameSiteLaxMode:
	case http.SameSiteNoneMode:
		if !https {
			return c, fmt.Errorf("httpadapter: CookieOptions.SameSite None needs an https callback URL (browsers drop SameSite=None cookies that are not Secure)")
		}
	default:
		return c, fmt.Errorf("httpadapter: CookieOptions.SameSite must be Lax or None: Strict and default cookies do not come back on the provider's cross-site redirect")
	}
	c.maxAge = int((lifetime + time.Minute + time.Second - 1) / time.Second)
	return c, nil
}

// validCookieName accepts a cookie-name token of letters, digits, '-' and
// '_' that does not start with "__" (the prefix is the handler's to add).
func validCookieName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '_' && len(name) > 1 && name[1] == '_' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// bindingLen is the length of a binding value: 256 bits, base64url without
// padding.
const bindingLen = 43

// newBinding returns a fresh 256-bit binding value.
func newBinding() string {
	var b [32]byte
	rand.Read(b[:]) // never fails: crypto/rand crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// set gives the browser value for maxAge from now: its binding, new or
// renewed.
func (c bindingCookie) set(w http.ResponseWriter, value string) {
	http.SetCookie(w, c.cookie(value, c.maxAge))
}

// cookie is the binding cookie with value, HttpOnly, Path "/", no Domain.
func (c bindingCookie) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     c.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   c.secure,
		HttpOnly: true,
		SameSite: c.sameSite,
	}
}

// read returns the binding value the browser holds, or "" when it holds
// none or something that is not a binding value.
func (c bindingCookie) read(r *http.Request) string {
	ck, err := r.Cookie(c.name)
	if err != nil || len(ck.Value) != bindingLen {
		return ""
	}
	for i := 0; i < len(ck.Value); i++ {
		b := ck.Value[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return ""
		}
	}
	return ck.Value
}
