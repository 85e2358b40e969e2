package httpadapter

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// originSet is the allowlist of absolute redirect URLs: normalized origins
// ("https://app.example.com", "http://127.0.0.1:8080").
type originSet map[string]struct{}

// newOriginSet parses the configured origins. Each must be an absolute http
// or https origin: scheme and host, an optional port, no userinfo, path,
// query or fragment (a lone trailing "/" is tolerated).
func newOriginSet(origins []string) (originSet, error) {
	set := make(originSet, len(origins)+1)
	for _, raw := range origins {
		o, err := parseOrigin(raw)
		if err != nil {
			return nil, err
		}
		set[o] = struct{}{}
	}
	return set, nil
}

// parseOrigin returns the normalized origin of raw, which must be an origin
// and nothing more.
func parseOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
		!strings.HasPrefix(strings.ToLower(raw), u.Scheme+"://") || authority(raw, u.Scheme) != u.Host {
		return "", fmt.Errorf("httpadapter: %q is not an http(s) origin (scheme://host[:port])", raw)
	}
	return originOf(u), nil
}

// originOf returns u's origin as the allowlist stores it: lower-case scheme
// and host, no default port, no trailing ":" of an empty port. Only ASCII is
// lowered: strings.ToLower would fold the Kelvin sign into "k", and the
// allowlist leaves such mappings to nobody but the browser.
func originOf(u *url.URL) string {
	host := asciiLower(strings.TrimSuffix(u.Host, ":"))
	switch {
	case u.Scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case u.Scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return u.Scheme + "://" + host
}

// authority returns the authority of raw as written: what follows
// "scheme://" up to the first "/", "?" or "#".
func authority(raw, scheme string) string {
	rest := raw[len(scheme)+len("://"):]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// checkRedirectURL decides whether the browser may be sent to raw after the
// callback. Syntax comes first, from account.ValidateRedirectURL
// (form_param_invalid, or form_param_missing when empty): "//evil.com",
// "/\evil.com", "https:evil.com", "javascript:", "/%2F%2Fevil.com", control
// characters and userinfo never get further. On top of it, the authority of
// an absolute URL must be written plainly (no percent-escapes), else
// form_param_invalid. Then a relative path is allowed, and an absolute URL
// only on an allowed origin, else redirect_url_not_allowed.
func (s originSet) checkRedirectURL(raw string) error {
	u, err := account.ValidateRedirectURL(raw)
	if err != nil {
		return err
	}
	if u.Scheme == "" {
		return nil // a path on the host's own origin
	}
	if authority(raw, u.Scheme) != u.Host {
		// url.Parse unescaped something in the host; browsers may read it
		// otherwise, so it is refused rather than interpreted.
		return verification.ErrFormParamInvalid.WithParam("redirect_url")
	}
	if _, ok := s[originOf(u)]; !ok {
		return verification.ErrRedirectURLNotAllowed.WithParam("redirect_url")
	}
	return nil
}

// asciiLower lowers ASCII letters only.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
