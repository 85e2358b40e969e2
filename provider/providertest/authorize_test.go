package providertest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider/providertest"
)

// authParams are the parameters of a valid authorization request.
func authParams(s *providertest.Server) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {s.ClientID()},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid email"},
		"state":                 {"the-state"},
		"nonce":                 {"the-nonce"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

func TestAuthorizeErrors(t *testing.T) {
	// Errors before client_id and redirect_uri are known to be good are
	// shown to the user; the others go to the client.
	tests := []struct {
		name      string
		cfg       providertest.Config
		login     string
		change    func(url.Values)
		wantPage  string // error on the page, not redirected
		wantError string // error redirected to the client
	}{
		{name: "missing client_id", change: func(v url.Values) { v.Del("client_id") }, wantPage: "invalid_request"},
		{name: "repeated client_id", change: func(v url.Values) { v.Add("client_id", "x") }, wantPage: "invalid_request"},
		{name: "unknown client_id", change: func(v url.Values) { v.Set("client_id", "other") }, wantPage: "invalid_client"},
		{name: "missing redirect_uri", change: func(v url.Values) { v.Del("redirect_uri") }, wantPage: "invalid_request"},
		{name: "relative redirect_uri", change: func(v url.Values) { v.Set("redirect_uri", "/callback") }, wantPage: "invalid_request"},
		{name: "redirect_uri with fragment", change: func(v url.Values) { v.Set("redirect_uri", redirectURI+"#x") }, wantPage: "invalid_request"},
		{name: "javascript redirect_uri", change: func(v url.Values) { v.Set("redirect_uri", "javascript:alert(1)") }, wantPage: "invalid_request"},
		{name: "unregistered redirect_uri", cfg: providertest.Config{RedirectURIs: []string{"https://app.example/cb"}}, change: func(url.Values) {}, wantPage: "invalid_request"},
		{name: "missing response_type", change: func(v url.Values) { v.Del("response_type") }, wantError: "invalid_request"},
		{name: "implicit flow", change: func(v url.Values) { v.Set("response_type", "token") }, wantError: "unsupported_response_type"},
		{name: "hybrid flow", change: func(v url.Values) { v.Set("response_type", "code id_token") }, wantError: "unsupported_response_type"},
		{name: "fragment response_mode", change: func(v url.Values) { v.Set("response_mode", "fragment") }, wantError: "invalid_request"},
		{name: "no openid scope", change: func(v url.Values) { v.Set("scope", "email profile") }, wantError: "invalid_scope"},
		{name: "missing code_challenge", change: func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, wantError: "invalid_request"},
		{name: "plain code_challenge_method", change: func(v url.Values) { v.Set("code_challenge_method", "plain") }, wantError: "invalid_request"},
		{name: "missing code_challenge_method", change: func(v url.Values) { v.Del("code_challenge_method") }, wantError: "invalid_request"},
		{name: "method without challenge", change: func(v url.Values) { v.Del("code_challenge") }, wantError: "invalid_request"},
		{name: "malformed code_challenge", change: func(v url.Values) { v.Set("code_challenge", "too-short") }, wantError: "invalid_request"},
		{name: "repeated state", change: func(v url.Values) { v.Add("state", "again") }, wantError: "invalid_request"},
		{name: "request object", change: func(v url.Values) { v.Set("request", "eyJ...") }, wantError: "request_not_supported"},
		{name: "request_uri", change: func(v url.Values) { v.Set("request_uri", "https://x") }, wantError: "request_uri_not_supported"},
		{name: "prompt=none without login", login: "-", change: func(v url.Values) { v.Set("prompt", "none") }, wantError: "login_required"},
		{name: "prompt=none with another value", change: func(v url.Values) { v.Set("prompt", "none consent") }, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			if tt.login == "-" {
				s.SetLogin("")
			}
			params := authParams(s)
			tt.change(params)
			cb, err := providertest.Authorize(context.Background(), nil, s.Issuer()+providertest.PathAuthorize+"?"+params.Encode())
			if tt.wantPage != "" {
				if err == nil {
					t.Fatalf("redirected to %v, want an error page", cb)
				}
				if !strings.Contains(err.Error(), "("+tt.wantPage+")") {
					t.Fatalf("error %v, want %s", err, tt.wantPage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			q := cb.Query()
			if q.Get("error") != tt.wantError || q.Get("code") != "" {
				t.Fatalf("callback %v, want error %s", q, tt.wantError)
			}
			if q.Get("iss") != s.Issuer() {
				t.Errorf("error callback lacks iss: %v", q)
			}
			if tt.name != "repeated state" && q.Get("state") != "the-state" {
				t.Errorf("error callback lacks state: %v", q)
			}
		})
	}
}

func TestAuthorizeKeepsRedirectQuery(t *testing.T) {
	s := newServer(t, providertest.Config{DisableIssuerParameter: true})
	params := authParams(s)
	params.Set("redirect_uri", redirectURI+"?tenant=a")
	cb, err := providertest.Authorize(context.Background(), nil, s.Issuer()+providertest.PathAuthorize+"?"+params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	q := cb.Query()
	if q.Get("tenant") != "a" || q.Get("code") == "" || q.Has("iss") {
		t.Errorf("callback %v", q)
	}
}

func TestAuthorizeViaPOST(t *testing.T) {
	s := newServer(t, providertest.Config{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(s.Issuer()+providertest.PathAuthorize, authParams(s))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("POST authorization: %d %v %v", resp.StatusCode, loc, err)
	}
}

func TestAuthorizeHelperErrors(t *testing.T) {
	s := newServer(t, providertest.Config{})
	s.SetLogin("")
	_, err := providertest.Authorize(context.Background(), nil, s.Issuer()+providertest.PathAuthorize+"?"+authParams(s).Encode())
	if err == nil || !strings.Contains(err.Error(), "SetLogin") {
		t.Errorf("form shown: %v", err)
	}
	params := authParams(s)
	params.Set("client_id", "other")
	_, err = providertest.Authorize(context.Background(), nil, s.Issuer()+providertest.PathAuthorize+"?"+params.Encode())
	if err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("error page: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := providertest.Authorize(ctx, nil, s.Issuer()+providertest.PathAuthorize); err == nil {
		t.Error("canceled context: no error")
	}
}

// formClient posts the sign-in form without following the redirect.
var formClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// showForm gets the sign-in form of an authorization request.
func showForm(t *testing.T, s *providertest.Server, params url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := formClient.Get(s.Issuer() + providertest.PathAuthorize + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestSignInForm(t *testing.T) {
	s := newServer(t, providertest.Config{Interactive: true})
	params := authParams(s)
	params.Set("state", `"><script>alert(1)</script>`)
	params.Set("login_hint", "alice@example.com")

	resp, page := showForm(t, s, params)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("form: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Cache-Control"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("form without %s", h)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("the form does not escape the state")
	}
	for _, want := range []string{
		`action="` + s.Issuer() + `/authorize"`, `name="sub" value="alice"`, `name="decision" value="approve"`,
		`name="decision" value="deny"`, `name="code_challenge"`, `value="alice@example.com"`, "<li>email</li>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("form lacks %s", want)
		}
	}

	post := func(decision string, user url.Values) *url.URL {
		t.Helper()
		form := url.Values{}
		for k, v := range params {
			form[k] = v
		}
		for k, v := range user {
			form[k] = v
		}
		form.Set("decision", decision)
		resp, err := formClient.PostForm(s.Issuer()+providertest.PathAuthorize, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: status %d", decision, resp.StatusCode)
		}
		loc, err := resp.Location()
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}

	t.Run("approve", func(t *testing.T) {
		loc := post("approve", url.Values{
			"sub": {"dora"}, "email": {"dora@example.com"}, "name": {"Dora Explorer"},
			"picture": {"https://example.com/d.png"}, "email_verified": {"true"},
		})
		if loc.Query().Get("state") != params.Get("state") || loc.Query().Get("code") == "" {
			t.Fatalf("callback %v", loc)
		}
		u, ok := s.User("dora")
		if !ok || u.Email != "dora@example.com" || u.EmailVerified == nil || !*u.EmailVerified || u.Name != "Dora Explorer" {
			t.Errorf("form user %+v", u)
		}
		form := url.Values{
			"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirectURI},
		}
		// The form carried the challenge: without a verifier the code
		// does not redeem.
		if _, body := postForm(t, s, providertest.PathToken, form, true); body["error"] != "invalid_request" {
			t.Errorf("redeemed without verifier: %v", body)
		}
	})
	t.Run("approve unverified email", func(t *testing.T) {
		post("approve", url.Values{"sub": {"erin"}, "email": {"erin@example.com"}})
		if u, _ := s.User("erin"); u.EmailVerified == nil || *u.EmailVerified {
			t.Errorf("unchecked box: %+v", u)
		}
	})
	t.Run("deny", func(t *testing.T) {
		loc := post("deny", nil)
		q := loc.Query()
		if q.Get("error") != "access_denied" || q.Get("state") != params.Get("state") || q.Get("iss") != s.Issuer() {
			t.Errorf("callback %v", q)
		}
	})
	t.Run("approve without sub", func(t *testing.T) {
		form := url.Values{}
		for k, v := range params {
			form[k] = v
		}
		form.Set("decision", "approve")
		resp, err := formClient.PostForm(s.Issuer()+providertest.PathAuthorize, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Enter a subject") {
			t.Errorf("%d %s", resp.StatusCode, b)
		}
	})
	t.Run("decision in a query string is ignored", func(t *testing.T) {
		p := authParams(s)
		p.Set("decision", "approve")
		p.Set("sub", "mallory")
		resp, _ := showForm(t, s, p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET with decision: %d", resp.StatusCode)
		}
		if _, ok := s.User("mallory"); ok {
			t.Error("a GET approved a user")
		}
	})
}

func TestFormWhenNobodyIsSignedIn(t *testing.T) {
	s := newServer(t, providertest.Config{})
	s.SetLogin("")
	if resp, page := showForm(t, s, authParams(s)); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="sub" value=""`) {
		t.Errorf("no login: %d, form %t", resp.StatusCode, strings.Contains(page, "<form"))
	}
	// prompt=none with a signed-in user approves even in interactive mode.
	s2 := newServer(t, providertest.Config{Interactive: true})
	params := authParams(s2)
	params.Set("prompt", "none")
	cb, err := providertest.Authorize(context.Background(), nil, s2.Issuer()+providertest.PathAuthorize+"?"+params.Encode())
	if err != nil || cb.Query().Get("code") == "" {
		t.Errorf("prompt=none: %v %v", cb, err)
	}
}
