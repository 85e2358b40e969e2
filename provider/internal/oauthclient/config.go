package oauthclient

import (
	"fmt"
	"net/url"
	"strings"
)

// BaseURL returns value without a trailing slash, or def when value is
// empty, and fails when the result is not an absolute http(s) URL without
// query or fragment. pkg and field name the setting in the error, such as
// "github" and "APIURL".
func BaseURL(pkg, field, value, def string) (string, error) {
	v := strings.TrimSuffix(value, "/")
	if v == "" {
		v = def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s: Config.%s %q is not an absolute http(s) URL without query", pkg, field, value)
	}
	return v, nil
}
