package account_test

import (
	"errors"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

func TestValidateRedirectURL(t *testing.T) {
	good := []string{
		"/",
		"/settings",
		"/settings/accounts?tab=connected#top",
		"https://app.example.com/after",
		"http://127.0.0.1:8080/",
		"https://app.example.com:8443/x?y=%2F",
		"/path/with%2Fencoded/later",
	}
	for _, raw := range good {
		if _, err := account.ValidateRedirectURL(raw); err != nil {
			t.Errorf("ValidateRedirectURL(%q) = %v, want ok", raw, err)
		}
	}
	bad := []string{
		"//evil.com",
		"/\\evil.com",
		"\\\\evil.com",
		"\\/evil.com",
		"https:evil.com",
		"https:/evil.com",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<script>",
		"/%2F%2Fevil.com",
		"/%2f%2fevil.com",
		"/%5Cevil.com",
		"/ok\r\nSet-Cookie: x=y",
		"/ok\nx",
		"/ok\rx",
		"/ok\tx",
		"/ok\x00",
		"https://app.example.com@evil.com",
		"https://user:pass@app.example.com/",
		"ftp://app.example.com/",
		"relative/path",
		"?query",
		"#frag",
		"https://",
		"https:///path",
		"http://[::1",
		"/ spaces",
		"\x7f/",
	}
	for _, raw := range bad {
		_, err := account.ValidateRedirectURL(raw)
		if !errors.Is(err, verification.ErrFormParamInvalid) {
			t.Errorf("ValidateRedirectURL(%q) = %v, want form_param_invalid", raw, err)
			continue
		}
		if verification.AsError(err).Meta["param_name"] != "redirect_url" {
			t.Errorf("ValidateRedirectURL(%q): meta %v", raw, verification.AsError(err).Meta)
		}
	}
	if _, err := account.ValidateRedirectURL(""); !errors.Is(err, verification.ErrFormParamMissing) {
		t.Errorf("empty redirect URL: %v", err)
	}
}

func FuzzValidateRedirectURL(f *testing.F) {
	for _, s := range []string{"/", "/a", "//evil.com", "https://a.example/b", "/\\x", "javascript:x", "/%2F%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := account.ValidateRedirectURL(raw)
		if err != nil {
			return
		}
		// Whatever passes is a same-origin path or an absolute http(s) URL
		// whose host is what a browser sees.
		switch {
		case u.Scheme == "" && u.Host == "":
			if len(raw) == 0 || raw[0] != '/' || (len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\')) {
				t.Fatalf("accepted %q", raw)
			}
		case u.Scheme == "http" || u.Scheme == "https":
			if u.Host == "" || u.User != nil {
				t.Fatalf("accepted %q", raw)
			}
		default:
			t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
		}
		for _, c := range []byte(raw) {
			if c < 0x20 || c == 0x7f || c == '\\' {
				t.Fatalf("accepted control or backslash in %q", raw)
			}
		}
	})
}
