package account

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tetherauth/tether/verification"
)

// Input limits. Larger inputs are form_param_invalid.
const (
	MaxLabelLength      = 255 // characters
	MaxAdditionalScopes = 50
	MaxScopeLength      = 256 // bytes
	MaxRedirectURLLen   = 2048
	MaxLoginHintLength  = 255
	maxStateLength      = 512
	maxCodeLength       = 4096
)

// ValidateRedirectURL checks that raw is a safe place to send a browser: a
// relative path starting with one "/" (not "//" or "/\", which browsers read
// as another host), or an absolute http or https URL with a host and no
// userinfo. Control characters, backslashes and encoded slashes at the start
// of a path are refused anywhere. It returns the parsed URL, or
// form_param_invalid with meta.param_name "redirect_url".
//
// It does not decide which origins are allowed; httpadapter checks the
// origin against its allowlist on top of this.
func ValidateRedirectURL(raw string) (*url.URL, error) {
	bad := verification.ErrFormParamInvalid.WithParam("redirect_url")
	if raw == "" {
		return nil, verification.ErrFormParamMissing.WithParam("redirect_url")
	}
	if len(raw) > MaxRedirectURLLen || !utf8.ValidString(raw) || strings.ContainsRune(raw, '\\') {
		return nil, bad
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return nil, bad
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return nil, bad
	}
	switch {
	case u.Scheme == "" && u.Host == "":
		// Relative: a path from the root. "//x" parses as a host; "/%2F"
		// and "/%5C" decode to "//" and "/\" in some routers.
		if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
			return nil, bad
		}
		lower := strings.ToLower(raw)
		if strings.HasPrefix(lower, "/%2f") || strings.HasPrefix(lower, "/%5c") {
			return nil, bad
		}
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Host == "" || u.User != nil || u.Hostname() == "" {
			return nil, bad
		}
		if !strings.HasPrefix(strings.ToLower(raw), u.Scheme+"://") {
			return nil, bad
		}
	default:
		return nil, bad
	}
	return u, nil
}

func validateScopes(scopes []string) error {
	if len(scopes) > MaxAdditionalScopes {
		return verification.ErrFormParamInvalid.WithParam("additional_scope").
			WithLongMessage("At most 50 additional scopes may be requested.")
	}
	for _, sc := range scopes {
		if !validScope(sc) {
			return verification.ErrFormParamInvalid.WithParam("additional_scope").
				WithLongMessage("A scope must be 1 to 256 printable ASCII characters without spaces, quotes or backslashes.")
		}
	}
	return nil
}

// validScope follows RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B
// / %x5D-7E ).
func validScope(s string) bool {
	if s == "" || len(s) > MaxScopeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func validateLabel(label string) error {
	if !utf8.ValidString(label) || utf8.RuneCountInString(label) > MaxLabelLength || hasControl(label) {
		return verification.ErrFormParamInvalid.WithParam("label").
			WithLongMessage("A label is at most 255 characters, without control characters.")
	}
	return nil
}

var oidcPrompts = map[string]bool{"none": true, "login": true, "consent": true, "select_account": true}

func validatePrompt(prompt, loginHint string) error {
	if prompt != "" {
		vals := strings.Fields(prompt)
		ok := len(vals) > 0 && strings.Join(vals, " ") == prompt
		for _, v := range vals {
			ok = ok && oidcPrompts[v]
		}
		// "none" cannot be combined with anything (OIDC Core 3.1.2.1).
		if !ok || (len(vals) > 1 && strings.Contains(" "+prompt+" ", " none ")) {
			return verification.ErrFormParamInvalid.WithParam("oidc_prompt").
				WithLongMessage("oidc_prompt is a space-separated list of none, login, consent and select_account.")
		}
	}
	if len(loginHint) > MaxLoginHintLength || !utf8.ValidString(loginHint) || hasControl(loginHint) {
		return verification.ErrFormParamInvalid.WithParam("oidc_login_hint")
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// mergeScopes returns the union of the lists in order of first appearance.
func mergeScopes(lists ...[]string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, l := range lists {
		for _, s := range l {
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// MaxUserIDLength is the longest host user id the Service accepts, in bytes.
const MaxUserIDLength = 256

// validateUserID checks a host user id once, at the Service's door: stores
// compare user ids as bytes, so ids that are not valid UTF-8 or hide control
// characters could collide or vanish from an index.
func validateUserID(id string) error {
	if id == "" {
		return verification.ErrAuthenticationInvalid
	}
	if len(id) > MaxUserIDLength || !utf8.ValidString(id) || hasControl(id) {
		return verification.ErrAuthenticationInvalid.WithLongMessage("The user id is not valid: it must be 1 to 256 bytes of UTF-8 without control characters.")
	}
	return nil
}
