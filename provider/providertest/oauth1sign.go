package providertest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The fake OAuth 1.0a server's own implementation of RFC 5849 section 3.4
// (HMAC-SHA1 only), written from the RFC and independent of the client
// library the providers use, so that a signing bug on either side shows.
// [OAuth1] and the conformance suite's OAuth 1.0a mode both check requests
// with it, through [ParseOAuth1Request].

// OAuth1Request is a request signed with OAuth 1.0a (RFC 5849 section 3),
// as a server reads it.
type OAuth1Request struct {
	// Protocol are the parameters of its "OAuth" Authorization header
	// (section 3.5.1): oauth_consumer_key, oauth_token, oauth_signature...
	Protocol url.Values
	// Params are the parameters its signature covers (section 3.4.1.3.1):
	// the query, a form-encoded body and Protocol but realm and
	// oauth_signature.
	Params url.Values
	// base is the signature base string (section 3.4.1).
	base string
}

// ParseOAuth1Request reads r's protocol parameters and the parameters its
// signature covers; it consumes a form-encoded body. It fails, saying why,
// when r has no "OAuth" Authorization header, when oauth_consumer_key,
// oauth_signature_method, oauth_timestamp, oauth_nonce or oauth_signature
// is missing, empty or repeated, when the signature method is not HMAC-SHA1
// or when oauth_version is there and not "1.0". The consumer key, the
// timestamp, the nonce and the token are the server's to check.
func ParseOAuth1Request(r *http.Request) (*OAuth1Request, error) {
	oauth, err := parseOAuthHeader(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	all, err := requestParams(r, oauth)
	if err != nil {
		return nil, fmt.Errorf("providertest: request parameters: %w", err)
	}
	for _, k := range []string{"oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"} {
		if len(oauth[k]) != 1 || oauth.Get(k) == "" {
			return nil, fmt.Errorf("providertest: %s missing, empty or repeated", k)
		}
	}
	if m := oauth.Get("oauth_signature_method"); m != "HMAC-SHA1" {
		return nil, fmt.Errorf("providertest: oauth_signature_method %q, want HMAC-SHA1", m)
	}
	if oauth.Has("oauth_version") && oauth.Get("oauth_version") != "1.0" {
		return nil, fmt.Errorf("providertest: oauth_version %q, want 1.0", oauth.Get("oauth_version"))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := oauth1BaseString(r.Method, scheme+"://"+r.Host+r.URL.EscapedPath(), all)
	return &OAuth1Request{Protocol: oauth, Params: all, base: base}, nil
}

// Verify reports whether the request's oauth_signature is its HMAC-SHA1
// signature (section 3.4.2) under consumerSecret and tokenSecret ("" for a
// request without a token), comparing in constant time.
func (q *OAuth1Request) Verify(consumerSecret, tokenSecret string) bool {
	return oauth1Verify(q.base, consumerSecret, tokenSecret, q.Protocol.Get("oauth_signature"))
}

// requestParams collects a request's parameters for its signature base
// string (RFC 5849 section 3.4.1.3.1): the query, a form-encoded body and
// the protocol parameters but realm and oauth_signature.
func requestParams(r *http.Request, oauth url.Values) (url.Values, error) {
	all := url.Values{}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	for k, v := range q {
		all[k] = append(all[k], v...)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			all[k] = append(all[k], v...)
		}
	}
	for k, v := range oauth {
		if k != "realm" && k != "oauth_signature" {
			all[k] = append(all[k], v...)
		}
	}
	return all, nil
}

// parseOAuthHeader parses an Authorization header of the "OAuth" scheme
// (RFC 5849 section 3.5.1): comma-separated name="value" pairs whose names
// and values are percent-encoded.
func parseOAuthHeader(h string) (url.Values, error) {
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "OAuth") {
		return nil, errors.New("providertest: not an OAuth Authorization header")
	}
	v := url.Values{}
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, quoted, ok := strings.Cut(part, "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return nil, errors.New("providertest: malformed OAuth parameter")
		}
		n, err1 := url.PathUnescape(name)
		val, err2 := url.PathUnescape(quoted[1 : len(quoted)-1])
		if err1 != nil || err2 != nil {
			return nil, errors.New("providertest: malformed OAuth parameter encoding")
		}
		v[n] = append(v[n], val)
	}
	return v, nil
}

// oauth1BaseString is RFC 5849 section 3.4.1: the method in upper case,
// the base string URI (section 3.4.1.2: lower-case scheme and host, the
// default port left out, no query) and the normalized parameters (section
// 3.4.1.3.2: every name and value percent-encoded, sorted by name then
// value, joined with "=" and "&"), each percent-encoded and joined with
// "&". params are the decoded request parameters, without oauth_signature
// and realm.
func oauth1BaseString(method, rawURL string, params url.Values) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	pairs := make([][2]string, 0, len(params))
	for k, vs := range params {
		for _, v := range vs {
			pairs = append(pairs, [2]string{oauth1Encode(k), oauth1Encode(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	norm := make([]string, len(pairs))
	for i, p := range pairs {
		norm[i] = p[0] + "=" + p[1]
	}
	return strings.ToUpper(method) + "&" + oauth1Encode(scheme+"://"+host+path) + "&" + oauth1Encode(strings.Join(norm, "&"))
}

// oauth1SignHMACSHA1 is RFC 5849 section 3.4.2: the base64 HMAC-SHA1 of base
// under the key consumerSecret&tokenSecret, each percent-encoded.
func oauth1SignHMACSHA1(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(oauth1Encode(consumerSecret)+"&"+oauth1Encode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauth1Encode is RFC 5849 section 3.6: every byte of the UTF-8 string but
// the unreserved characters ALPHA, DIGIT, "-", ".", "_" and "~" becomes
// %XX with upper-case hex digits.
func oauth1Encode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// oauth1Verify reports whether signature is the HMAC-SHA1 signature of base
// (RFC 5849 section 3.4.2), comparing in constant time.
func oauth1Verify(base, consumerSecret, tokenSecret, signature string) bool {
	return hmac.Equal([]byte(oauth1SignHMACSHA1(base, consumerSecret, tokenSecret)), []byte(signature))
}
