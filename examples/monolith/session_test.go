package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	newAt := func(secure bool) *sessions {
		s := newSessions([]byte(strings.Repeat("k", 32)), secure)
		s.now = func() time.Time { return now }
		return s
	}
	cookieOf := func(s *sessions, name string) *http.Cookie {
		w := httptest.NewRecorder()
		s.start(w, name)
		cs := w.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("start set %d cookies", len(cs))
		}
		return cs[0]
	}
	userOf := func(s *sessions, c *http.Cookie) (string, error) {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		return s.username(r)
	}

	s := newAt(false)
	c := cookieOf(s, "ada")
	if c.Name != "tether_demo_session" || !c.HttpOnly || c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("http cookie: %+v", c)
	}
	if name, err := userOf(s, c); err != nil || name != "ada" {
		t.Errorf("username: %q %v", name, err)
	}
	if id, _ := s.userID(func() *http.Request { r := httptest.NewRequest("GET", "/", nil); r.AddCookie(c); return r }()); id != "user_ada" {
		t.Errorf("userID %q, want user_ada", id)
	}

	sc := cookieOf(newAt(true), "ada")
	if sc.Name != "__Host-tether_demo_session" || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
		t.Errorf("https cookie: %+v", sc)
	}

	for name, value := range map[string]string{
		"another user":     strings.Replace(c.Value, "ada.", "bob.", 1),
		"a longer expiry":  strings.Replace(c.Value, ".1", ".9", 1),
		"a forged mac":     c.Value[:strings.LastIndexByte(c.Value, '.')+1] + "AAAA",
		"no mac":           c.Value[:strings.LastIndexByte(c.Value, '.')],
		"empty":            "",
		"garbage":          "...",
		"another key's":    cookieOf(newSessions([]byte(strings.Repeat("x", 32)), false), "ada").Value,
		"a bad username":   "Ada.1.x",
		"no expiry at all": "ada",
	} {
		if got, err := userOf(s, &http.Cookie{Name: c.Name, Value: value}); err == nil {
			t.Errorf("%s: signed in as %q", name, got)
		}
	}

	now = now.Add(sessionTTL + time.Second)
	if got, err := userOf(s, c); err == nil {
		t.Errorf("an expired session signs in as %q", got)
	}

	w := httptest.NewRecorder()
	s.end(w)
	if ec := w.Result().Cookies(); len(ec) != 1 || ec[0].MaxAge >= 0 || ec[0].Name != c.Name {
		t.Errorf("end: %+v", ec)
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{"ada": "ada", "  Ada ": "ada", "a.b_c-9": "a.b_c-9", "x": "x"} {
		if got, ok := normalizeUsername(in); !ok || got != want {
			t.Errorf("normalizeUsername(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " ", ".ada", "-ada", "a b", "ada!", "adà", strings.Repeat("a", 33), "a/b", "a\x00"} {
		if got, ok := normalizeUsername(in); ok {
			t.Errorf("normalizeUsername(%q) = %q, accepted", in, got)
		}
	}
}

// The in-process transport serves the dev issuer only.
func TestInProcessTransport(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.URL.Path)) })
	c := &http.Client{Transport: &inProcess{issuer: "http://127.0.0.1:8080/dev-oidc", handler: http.StripPrefix("/dev-oidc", h), log: discardLogger()}}
	resp, err := c.Get("http://127.0.0.1:8080/dev-oidc/jwks?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "/jwks" {
		t.Errorf("served %q, want /jwks", body)
	}
	for _, u := range []string{
		"http://127.0.0.1:8080/dev-oidcx/jwks",
		"http://127.0.0.1:8081/dev-oidc/jwks",
		"https://127.0.0.1:8080/dev-oidc/jwks",
		"http://evil.example/dev-oidc/jwks",
		"http://127.0.0.1:8080/identity/me/external_accounts",
	} {
		if resp, err := c.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s: served, want refused", u)
		}
	}
}
