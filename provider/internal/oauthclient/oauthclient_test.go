package oauthclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
)

func TestScopes(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"openid email profile", "[openid email profile]"},
		{"read:user,user:email", "[read:user user:email]"},
		{"repo, gist  repo", "[repo gist]"},
		{"", "[]"},
		{nil, "[]"},
		{42.0, "[]"},
		{[]any{"a", " b ", 3, ""}, "[a b]"},
	}
	for _, tt := range tests {
		got := Scopes(tt.in)
		if fmt.Sprint(got) != tt.want {
			t.Errorf("Scopes(%#v) = %q, want %s", tt.in, got, tt.want)
		}
		if tt.want == "[]" && got != nil {
			t.Errorf("Scopes(%#v) = %#v, want nil (not said)", tt.in, got)
		}
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		value, def, want string
		ok               bool
	}{
		{"", "https://github.com", "https://github.com", true},
		{"https://ghe.example/", "x", "https://ghe.example", true},
		{"https://ghe.example/api/v3", "x", "https://ghe.example/api/v3", true},
		{"ghe.example", "x", "", false},
		{"ftp://ghe.example", "x", "", false},
		{"https://ghe.example/?a=b", "x", "", false},
		{"https://user:pw@ghe.example", "x", "", false},
	}
	for _, tt := range tests {
		got, err := BaseURL("pkg", "BaseURL", tt.value, tt.def)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("BaseURL(%q) = %q, %v", tt.value, got, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "pkg: Config.BaseURL ") {
			t.Errorf("error %q", err)
		}
	}
}

func TestAcceptHeader(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Accept"))
	}))
	t.Cleanup(srv.Close)
	c := NewHTTPClient(nil, time.Second, 1024)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Accept") != "" {
		t.Error("the transport modified the caller's request")
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept", "application/jwt")
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[application/json application/jwt]" {
		t.Errorf("Accept headers %q", got)
	}
}

func TestRevoke(t *testing.T) {
	var form url.Values
	var basic bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		form = r.PostForm
		_, _, basic = r.BasicAuth()
		switch form.Get("token") {
		case "no-content":
			w.WriteHeader(http.StatusNoContent)
		case "bad":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"unsupported_token_type","error_description":"SECRET"}`)
		}
	}))
	t.Cleanup(srv.Close)
	c := NewHTTPClient(nil, time.Second, 1024)
	r := Revocation{URL: srv.URL, ClientID: "id", ClientSecret: "s&cret", AuthStyle: oauth2.AuthStyleInHeader}
	if err := Revoke(context.Background(), c, r, "tok", "refresh_token"); err != nil || !basic || form.Has("client_secret") || form.Get("token_type_hint") != "refresh_token" {
		t.Errorf("basic: %v %v %t", err, form, basic)
	}
	r.AuthStyle = oauth2.AuthStyleInParams
	if err := Revoke(context.Background(), c, r, "no-content", ""); err != nil || basic || form.Get("client_secret") != "s&cret" || form.Has("token_type_hint") {
		t.Errorf("post, 204: %v %v", err, form)
	}
	err := Revoke(context.Background(), c, r, "bad", "")
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Code != "unsupported_token_type" || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "bad") {
		t.Errorf("error %v", err)
	}
	if err := Revoke(context.Background(), c, r, "", ""); err == nil {
		t.Error("empty token")
	}
}

func TestApplyAuthParams(t *testing.T) {
	v := url.Values{"state": {"s"}, "scope": {"a b"}}
	reserved := []string{"state", "scope", "nonce"}
	if err := ApplyAuthParams(func(_ provider.AuthRequest, v url.Values) { v.Set("hd", "example.com") }, provider.AuthRequest{}, v, reserved); err != nil || v.Get("hd") != "example.com" {
		t.Errorf("%v %v", err, v)
	}
	for _, hook := range []func(provider.AuthRequest, url.Values){
		func(_ provider.AuthRequest, v url.Values) { v.Set("state", "evil") },
		func(_ provider.AuthRequest, v url.Values) { v.Del("scope") },
		func(_ provider.AuthRequest, v url.Values) { v.Add("scope", "more") },
		func(_ provider.AuthRequest, v url.Values) { v.Set("nonce", "n") },
	} {
		if err := ApplyAuthParams(hook, provider.AuthRequest{}, url.Values{"state": {"s"}, "scope": {"a b"}}, reserved); err == nil {
			t.Error("a reserved parameter changed without an error")
		}
	}
	if err := ApplyAuthParams(nil, provider.AuthRequest{}, v, reserved); err != nil {
		t.Error(err)
	}
}
