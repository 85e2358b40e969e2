package httpadapter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tetherauth/tether/verification"
)

// FuzzDecodeBody decodes arbitrary bodies of the route's media types. It
// must never panic; an error must be one of the request errors; and what it
// accepts must survive a round trip through the other encoding and agree
// with encoding/json.
func FuzzDecodeBody(f *testing.F) {
	f.Add(uint8(0), "strategy=oauth_google&redirect_url=%2Fx&additional_scope=a&additional_scope=b&label=w")
	f.Add(uint8(1), `{"strategy":"oauth_google","redirect_url":"/x","additional_scopes":["a","b"],"label":null}`)
	f.Add(uint8(1), `{"strategy":"a","strategy":"b"}`)
	f.Add(uint8(1), `{"Strategy":"a"}`)
	f.Add(uint8(1), `{"label":"\ud800"}`)
	f.Add(uint8(1), `{} {}`)
	f.Add(uint8(2), "x")
	f.Add(uint8(3), `{"redirect_url":"/x"}`)
	f.Fuzz(func(t *testing.T, kind uint8, body string) {
		ctypes := []string{mediaForm, mediaJSON, "", "application/json; charset=utf-8", "text/plain"}
		ctype := ctypes[int(kind)%len(ctypes)]
		fields := connectFields
		if kind&0x80 != 0 {
			fields = reauthorizeFields
		}
		p, err := decodeBody(ctype, []byte(body), fields)
		if err != nil {
			switch verification.Code(err) {
			case "form_param_invalid", "unsupported_media_type":
			default:
				t.Fatalf("decodeBody(%q, %q): unexpected error %v", ctype, body, err)
			}
			if s := HTTPStatus(err); s != 400 && s != 415 {
				t.Fatalf("status %d for %v", s, err)
			}
			return
		}
		if fields == reauthorizeFields && (p.Strategy != "" || p.Label != "") {
			t.Fatalf("reauthorize decoded connect-only fields: %+v", p)
		}
		// Form round trip.
		v := url.Values{}
		for k, s := range map[string]string{nameStrategy: p.Strategy, nameRedirectURL: p.RedirectURL, nameLabel: p.Label, namePrompt: p.OIDCPrompt, nameLoginHint: p.OIDCLoginHint} {
			if s != "" {
				v.Set(k, s)
			}
		}
		v[nameScopeForm] = p.AdditionalScopes
		back, err := decodeBody(mediaForm, []byte(v.Encode()), fields)
		if err != nil {
			t.Fatalf("form round trip of %+v: %v", p, err)
		}
		if !sameParams(back, p) {
			t.Fatalf("form round trip: %+v != %+v", back, p)
		}
		if !strings.HasPrefix(ctype, mediaJSON) {
			return
		}
		// What the strict decoder accepts, encoding/json reads the same.
		var std struct {
			Strategy         *string  `json:"strategy"`
			RedirectURL      *string  `json:"redirect_url"`
			AdditionalScopes []string `json:"additional_scopes"`
			Label            *string  `json:"label"`
			OIDCPrompt       *string  `json:"oidc_prompt"`
			OIDCLoginHint    *string  `json:"oidc_login_hint"`
		}
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", body, err)
		}
		deref := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		if deref(std.Strategy) != p.Strategy || deref(std.RedirectURL) != p.RedirectURL || deref(std.Label) != p.Label ||
			deref(std.OIDCPrompt) != p.OIDCPrompt || deref(std.OIDCLoginHint) != p.OIDCLoginHint || !slices.Equal(std.AdditionalScopes, p.AdditionalScopes) {
			t.Fatalf("%q: decoded %+v, encoding/json %+v", body, p, std)
		}
	})
}

func sameParams(a, b params) bool {
	return a.Strategy == b.Strategy && a.RedirectURL == b.RedirectURL && a.Label == b.Label &&
		a.OIDCPrompt == b.OIDCPrompt && a.OIDCLoginHint == b.OIDCLoginHint && slices.Equal(a.AdditionalScopes, b.AdditionalScopes)
}

// FuzzCheckRedirectURL checks the allowlist against URL resolution: whatever
// it allows, resolved against the callback URL as a browser resolves a
// Location header, lands on an allowed origin.
func FuzzCheckRedirectURL(f *testing.F) {
	for _, r := range badRedirectURLs {
		f.Add(r.raw)
	}
	for _, r := range goodRedirectURLs {
		f.Add(r)
	}
	const callback = "https://cb.example.com/tether/oauth_callback"
	set, err := newOriginSet([]string{"https://app.example.com", "http://localhost:8080"})
	if err != nil {
		f.Fatal(err)
	}
	base, _ := url.Parse(callback)
	set[originOf(base)] = struct{}{}
	f.Fuzz(func(t *testing.T, raw string) {
		err := set.checkRedirectURL(raw)
		if err != nil {
			e := verification.AsError(err)
			switch e.Code {
			case "form_param_invalid", "form_param_missing", "redirect_url_not_allowed":
			default:
				t.Fatalf("checkRedirectURL(%q): unexpected error %v", raw, err)
			}
			if e.Meta["param_name"] != "redirect_url" {
				t.Fatalf("checkRedirectURL(%q): param %q", raw, e.Meta["param_name"])
			}
			return
		}
		if !utf8.ValidString(raw) || strings.ContainsAny(raw, "\\ \t\r\n\x00") {
			t.Fatalf("allowed %q", raw)
		}
		for _, r := range raw {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("allowed a control character: %q", raw)
			}
		}
		ref, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("allowed %q, which does not parse: %v", raw, err)
		}
		dest := base.ResolveReference(ref)
		if _, ok := set[originOf(dest)]; !ok {
			t.Fatalf("allowed %q, which resolves to %s", raw, dest)
		}
		if ref.Scheme == "" {
			if len(raw) < 1 || raw[0] != '/' || (len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\')) {
				t.Fatalf("allowed relative %q", raw)
			}
			lower := strings.ToLower(raw)
			if strings.HasPrefix(lower, "/%2f") || strings.HasPrefix(lower, "/%5c") {
				t.Fatalf("allowed %q", raw)
			}
		} else if dest.User != nil || dest.Opaque != "" {
			t.Fatalf("allowed %q with userinfo or opaque part", raw)
		}
	})
}

// FuzzCallbackParams reads arbitrary callback queries and form bodies: no
// panic, repeated protocol parameters refused, token material never passed
// on.
func FuzzCallbackParams(f *testing.F) {
	f.Add("state=s&code=c&iss=https%3A%2F%2Fidp", "", false)
	f.Add("state=s&state=s", "", false)
	f.Add("", "state=s&code=c", true)
	f.Add("state=s", "state=t&access_token=x&user=%7B%7D", true)
	f.Add("a=%zz", "", false)
	h := &Handler{maxBody: DefaultMaxBodyBytes}
	f.Fuzz(func(t *testing.T, query, body string, post bool) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/oauth_callback", strings.NewReader(body))
		r.URL.RawQuery = query
		if post {
			r.Header.Set("Content-Type", mediaForm)
		}
		p, err := h.callbackParams(httptest.NewRecorder(), r)
		if err != nil {
			switch verification.Code(err) {
			case "oauth_callback_invalid", "request_body_too_large", "unsupported_media_type":
			default:
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		all, _ := url.ParseQuery(query)
		if post {
			form, _ := url.ParseQuery(body)
			for k, vs := range form {
				all[k] = append(all[k], vs...)
			}
		}
		for _, k := range callbackSingleParams {
			if len(all[k]) > 1 {
				t.Fatalf("repeated %s accepted", k)
			}
		}
		if p.State != all.Get("state") || p.Code != all.Get("code") || p.Iss != all.Get("iss") || p.Error != all.Get("error") {
			t.Fatalf("params %+v from %v", p, all)
		}
		for k := range p.Extra {
			if callbackOwnParams[k] || callbackTokenParams[k] {
				t.Fatalf("%s passed on as Extra", k)
			}
		}
		if !reflect.DeepEqual(p.Binding, "") || p.UserID != "" {
			t.Fatal("callbackParams set binding or user")
		}
	})
}
