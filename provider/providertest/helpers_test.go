package providertest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider/providertest"
)

const redirectURI = "http://127.0.0.1:9999/callback"

// oauthConfig is an x/oauth2 client of s.
func oauthConfig(s *providertest.Server, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.ClientID(),
		ClientSecret: s.ClientSecret(),
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.Issuer() + providertest.PathAuthorize,
			TokenURL:  s.Issuer() + providertest.PathToken,
			AuthStyle: style,
		},
		RedirectURL: redirectURI,
		Scopes:      []string{"openid", "email", "profile"},
	}
}

// flow is one authorization code flow's secrets.
type flow struct {
	verifier string
	state    string
	nonce    string
}

func newFlow() flow {
	return flow{verifier: oauth2.GenerateVerifier(), state: oauth2.GenerateVerifier()[:16], nonce: oauth2.GenerateVerifier()[:16]}
}

// authURL builds the flow's authorization URL.
func (f flow) authURL(conf *oauth2.Config, opts ...oauth2.AuthCodeOption) string {
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier), oauth2.SetAuthURLParam("nonce", f.nonce)}, opts...)
	return conf.AuthCodeURL(f.state, opts...)
}

// code runs the authorization request and returns the code.
func (f flow) code(t *testing.T, conf *oauth2.Config) string {
	t.Helper()
	cb, err := providertest.Authorize(context.Background(), nil, f.authURL(conf))
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	q := cb.Query()
	if q.Get("error") != "" {
		t.Fatalf("authorization error %q: %q", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != f.state {
		t.Fatalf("state = %q, want %q", q.Get("state"), f.state)
	}
	return q.Get("code")
}

// exchange runs the whole flow and returns the token.
func (f flow) exchange(t *testing.T, conf *oauth2.Config) *oauth2.Token {
	t.Helper()
	tok, err := conf.Exchange(context.Background(), f.code(t, conf), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

// oauthErrorCode returns the OAuth error code of an x/oauth2 error.
func oauthErrorCode(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not an oauth2.RetrieveError", err)
	}
	return re.ErrorCode
}

// postForm posts form to the endpoint at path, with Basic client
// credentials when basic is set.
func postForm(t *testing.T, s *providertest.Server, path string, form url.Values, basic bool) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.Issuer()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(s.ClientID(), s.ClientSecret())
	}
	return do(t, req)
}

// do sends req and decodes a JSON response body.
func do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("response %s is not JSON: %v", b, err)
		}
	}
	return resp, body
}

// userinfo calls the userinfo endpoint with a Bearer token.
func userinfo(t *testing.T, s *providertest.Server, accessToken string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.Issuer()+providertest.PathUserinfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	return do(t, req)
}

// jwtParts decodes a JWT's header and claims without verifying it.
func jwtParts(t *testing.T, raw string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token has %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func idToken(t *testing.T, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no id_token in the token response")
	}
	return raw
}

// clock is the tests' clock, at whole seconds as token times are.
type clock = testkit.Clock

func newClock() *clock { return testkit.NewClockAt(time.Now().Truncate(time.Second)) }

var alice = testkit.Alice

// newServer starts a provider with alice signed in.
func newServer(t *testing.T, cfg providertest.Config) *providertest.Server {
	return testkit.StartIDP(t, cfg)
}
