package verification

import "strings"

const (
	oauthPrefix  = "oauth_"
	customPrefix = "oauth_custom_"
	maxSlugLen   = 64
)

// Strategy names how an external account is verified: "oauth_<slug>" for a
// catalogue provider (oauth_google, oauth_github) and "oauth_custom_<slug>"
// for a provider the host defines. The zero Strategy is invalid.
//
// A slug is 1 to 64 characters of a-z, 0-9, '_' and '-', starting with a
// letter or digit. A catalogue slug never starts with "custom_", so every
// valid string parses one way only.
type Strategy struct {
	slug   string
	custom bool
}

// ParseStrategy parses "oauth_<slug>" or "oauth_custom_<slug>". Anything else
// is ErrStrategyInvalid with meta.param_name "strategy".
func ParseStrategy(s string) (Strategy, error) {
	var st Strategy
	switch {
	case strings.HasPrefix(s, customPrefix):
		st = Strategy{slug: s[len(customPrefix):], custom: true}
	case strings.HasPrefix(s, oauthPrefix):
		st = Strategy{slug: s[len(oauthPrefix):]}
	default:
		return Strategy{}, ErrStrategyInvalid.WithParam("strategy")
	}
	if !validSlug(st.slug) {
		return Strategy{}, ErrStrategyInvalid.WithParam("strategy")
	}
	return st, nil
}

// MustParseStrategy is ParseStrategy for constants; it panics on an invalid
// strategy.
func MustParseStrategy(s string) Strategy {
	st, err := ParseStrategy(s)
	if err != nil {
		panic("verification: invalid strategy " + s)
	}
	return st
}

// OAuth returns the catalogue strategy "oauth_<slug>".
func OAuth(slug string) (Strategy, error) { return ParseStrategy(oauthPrefix + slug) }

// Custom returns the host-defined strategy "oauth_custom_<slug>".
func Custom(slug string) (Strategy, error) { return ParseStrategy(customPrefix + slug) }

func validSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// String returns the wire form, or "" for the zero Strategy.
func (s Strategy) String() string {
	switch {
	case s.slug == "":
		return ""
	case s.custom:
		return customPrefix + s.slug
	default:
		return oauthPrefix + s.slug
	}
}

// Slug returns "google" for oauth_google and "dev" for oauth_custom_dev.
func (s Strategy) Slug() string { return s.slug }

// IsCustom reports whether s is a host-defined oauth_custom_ strategy.
func (s Strategy) IsCustom() bool { return s.custom }

// IsZero reports whether s is the zero (invalid) Strategy.
func (s Strategy) IsZero() bool { return s.slug == "" }

// MarshalText implements encoding.TextMarshaler.
func (s Strategy) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. An empty text gives the
// zero Strategy; anything else must parse.
func (s *Strategy) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = Strategy{}
		return nil
	}
	st, err := ParseStrategy(string(b))
	if err != nil {
		return err
	}
	*s = st
	return nil
}
