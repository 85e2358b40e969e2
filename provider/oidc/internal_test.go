package oidc

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestIdentityFromClaims(t *testing.T) {
	tests := []struct {
		name                  string
		claims                map[string]any
		first, last           string
		verified              *bool
		email, avatar, handle string
	}{
		{"given and family", map[string]any{"sub": "1", "given_name": "Ada", "family_name": "Lovelace", "name": "Countess"}, "Ada", "Lovelace", nil, "", "", ""},
		{"name fallback", map[string]any{"sub": "1", "name": " Ada  King Lovelace "}, "Ada", "King Lovelace", nil, "", "", ""},
		{"single name", map[string]any{"sub": "1", "name": "Plato"}, "Plato", "", nil, "", "", ""},
		{"only given", map[string]any{"sub": "1", "given_name": "Ada", "name": "Ada Lovelace"}, "Ada", "", nil, "", "", ""},
		{"verified bool", map[string]any{"sub": "1", "email": "a@x", "email_verified": true}, "", "", new(true), "a@x", "", ""},
		{"verified string", map[string]any{"sub": "1", "email_verified": "True"}, "", "", new(true), "", "", ""},
		{"unverified string", map[string]any{"sub": "1", "email_verified": "false"}, "", "", new(false), "", "", ""},
		{"verified garbage", map[string]any{"sub": "1", "email_verified": "yes"}, "", "", nil, "", "", ""},
		{"verified number", map[string]any{"sub": "1", "email_verified": float64(1)}, "", "", nil, "", "", ""},
		{"non-string claims", map[string]any{"sub": "1", "email": 42, "picture": []any{"x"}}, "", "", nil, "", "", ""},
		{"picture and username", map[string]any{"sub": "1", "picture": "https://p", "preferred_username": "ada"}, "", "", nil, "", "https://p", "ada"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := identityFromClaims(tt.claims)
			if id.ProviderUserID != "1" || id.FirstName != tt.first || id.LastName != tt.last ||
				id.EmailAddress != tt.email || id.AvatarURL != tt.avatar || id.Username != tt.handle {
				t.Errorf("identity %+v", id)
			}
			if (id.EmailVerified == nil) != (tt.verified == nil) || (id.EmailVerified != nil && *id.EmailVerified != *tt.verified) {
				t.Errorf("EmailVerified %v, want %v", id.EmailVerified, tt.verified)
			}
		})
	}
}

func TestMergeClaims(t *testing.T) {
	id := map[string]any{"sub": "1", "iss": "https://op", "aud": "c", "email": "old@x"}
	info := map[string]any{"sub": "1", "iss": "https://evil", "aud": "evil", "email": "new@x", "locale": "fr"}
	got := mergeClaims(id, info)
	if got["iss"] != "https://op" || got["aud"] != "c" || got["email"] != "new@x" || got["locale"] != "fr" {
		t.Errorf("merged %v", got)
	}
	if id["email"] != "old@x" {
		t.Error("mergeClaims changed the ID token's claims")
	}
}

func TestSigningAlgorithms(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{nil, DefaultSigningAlgorithms, false},
		{[]string{"RS256", "none", "RS256", "ES256"}, []string{"RS256", "ES256"}, false},
		{[]string{"None"}, nil, true},
		{[]string{"HS256"}, nil, true},
		{[]string{"rs256"}, nil, true},
	}
	for _, tt := range tests {
		got, err := signingAlgorithms(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("signingAlgorithms(%v) = %v, %v", tt.in, got, err)
		}
	}
}

func TestChooseAuthStyle(t *testing.T) {
	tests := []struct {
		methods []string
		want    oauth2.AuthStyle
	}{
		{nil, oauth2.AuthStyleInHeader},
		{[]string{"client_secret_post", "client_secret_basic"}, oauth2.AuthStyleInHeader},
		{[]string{"client_secret_post"}, oauth2.AuthStyleInParams},
		{[]string{"private_key_jwt"}, oauth2.AuthStyleInParams},
	}
	for _, tt := range tests {
		if got := chooseAuthStyle(tt.methods); got != tt.want {
			t.Errorf("chooseAuthStyle(%v) = %v, want %v", tt.methods, got, tt.want)
		}
	}
}

func TestHeaderAlgorithm(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct{ raw, want string }{
		{b64([]byte(`{"alg":"none"}`)) + ".e30.", "none"},
		{b64([]byte(`{"alg":"RS256","kid":"x"}`)) + ".e30.sig", "RS256"},
		{"not a jwt", ""},
		{"!!!.e30.", ""},
		{b64([]byte(`{"alg":"<script>"}`)) + ".e30.", ""},
		{b64([]byte(`{"alg":"`+strings.Repeat("A", 17)+`"}`)) + ".e30.", ""},
	}
	for _, tt := range tests {
		if got := headerAlgorithm(tt.raw); got != tt.want {
			t.Errorf("headerAlgorithm(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	body := []byte(`{"error":"invalid_grant","error_description":"SECRET","access_token":"SECRET"}`)
	retrieve := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, Body: body, ErrorCode: "invalid_grant", ErrorDescription: "SECRET"}
	tests := []struct {
		name string
		err  error
		want string
		is   error
	}{
		{"retrieve error", retrieve, "HTTP 400 with error invalid_grant", nil},
		{"retrieve error, odd code", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}, ErrorCode: "SECRET code"}, "HTTP 401", nil},
		{"wrapped deadline", &url.Error{Op: "Post", URL: "https://op/token", Err: context.DeadlineExceeded}, "deadline", context.DeadlineExceeded},
		{"too large", fmt.Errorf("x: %w", ErrResponseTooLarge), "too large", ErrResponseTooLarge},
		{"url error", &url.Error{Op: "Post", URL: "https://user:SECRET@op/token?code=SECRET#SECRET", Err: errors.New("connection refused")}, "https://op/token", nil},
		{"parse error", errors.New("oauth2: cannot parse json: SECRET"), "malformed response", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitize(tt.err)
			if !strings.Contains(got.Error(), tt.want) || strings.Contains(got.Error(), "SECRET") {
				t.Errorf("sanitize = %q", got)
			}
			if tt.is != nil && !errors.Is(got, tt.is) {
				t.Errorf("sanitize = %v, not %v", got, tt.is)
			}
		})
	}
}

func TestLimitTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			io.WriteString(w, "ok")
		case "/declared":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, strings.Repeat("x", 100))
		case "/streamed":
			for range 10 {
				io.WriteString(w, strings.Repeat("x", 20))
				w.(http.Flusher).Flush()
			}
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
		case "/redirect":
			http.Redirect(w, r, "/small", http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	c := newHTTPClient(nil, time.Second, 50) // "/slow" waits for the timeout
	tests := []struct {
		path   string
		status int
		is     error
	}{
		{"/small", 200, nil},
		{"/declared", 0, ErrResponseTooLarge},
		{"/streamed", 0, ErrResponseTooLarge},
		{"/slow", 0, context.DeadlineExceeded},
		{"/redirect", http.StatusFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Get(srv.URL + tt.path)
			if tt.is != nil {
				if !errors.Is(err, tt.is) {
					t.Fatalf("error %v, want %v", err, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	// A host client keeps its transport under the limits.
	var used bool
	host := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	if _, err := newHTTPClient(host, time.Second, 50).Get(srv.URL + "/declared"); !errors.Is(err, ErrResponseTooLarge) || !used {
		t.Errorf("host client: %v, transport used %t", err, used)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
