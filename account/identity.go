package account

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// Limits on what a provider's profile may put into an account.
const (
	maxProviderUserID = 255
	maxEmail          = 320 // RFC 5321's path limit
	maxProfileText    = 256 // characters, for names and usernames
	maxAvatarURL      = 2048
)

// cleanIdentity checks and tidies an identity before it reaches an account
// and a store. The provider is trusted to say who the user is, not to send
// well-formed text: a provider user id that is not plain text fails the
// callback; profile fields lose control characters and invalid UTF-8 and
// are cut to length; an email address or avatar URL that is not one is
// dropped. An avatar URL must be absolute http(s), so a host that renders it
// never meets a javascript: URL.
func cleanIdentity(id *provider.Identity) (*provider.Identity, error) {
	if id.ProviderUserID == "" || len(id.ProviderUserID) > maxProviderUserID ||
		!utf8.ValidString(id.ProviderUserID) || strings.IndexFunc(id.ProviderUserID, isUnsafe) >= 0 {
		return nil, verification.ErrFetchUser.WithLongMessage("The provider returned an account id that is empty, too long or not plain text.")
	}
	c := *id
	c.EmailAddress = cleanEmail(id.EmailAddress)
	if c.EmailAddress == "" {
		c.EmailVerified = nil
	}
	c.FirstName = cleanText(id.FirstName)
	c.LastName = cleanText(id.LastName)
	c.Username = cleanText(id.Username)
	c.AvatarURL = cleanAvatarURL(id.AvatarURL)
	return &c, nil
}

// isUnsafe reports characters no stored profile text keeps: controls
// (NUL included), line and paragraph separators, and the Unicode
// replacement for invalid bytes.
func isUnsafe(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError
}

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if isUnsafe(r) {
			return -1
		}
		return r
	}, s))
	if utf8.RuneCountInString(s) > maxProfileText {
		s = string([]rune(s)[:maxProfileText])
	}
	return s
}

func cleanEmail(s string) string {
	if s == "" || len(s) > maxEmail || !utf8.ValidString(s) ||
		strings.IndexFunc(s, func(r rune) bool { return isUnsafe(r) || unicode.IsSpace(r) }) >= 0 {
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return ""
	}
	return s
}

func cleanAvatarURL(s string) string {
	if s == "" || len(s) > maxAvatarURL || !utf8.ValidString(s) ||
		strings.IndexFunc(s, func(r rune) bool { return isUnsafe(r) || unicode.IsSpace(r) || r == '\\' }) >= 0 {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		!strings.HasPrefix(strings.ToLower(s), u.Scheme+"://") {
		return ""
	}
	return s
}
