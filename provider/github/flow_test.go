package github_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// fakeGitHub serves GitHub's documented shapes: the OAuth web flow
// (form-encoded token responses unless JSON is accepted, comma-separated
// scopes, no expiry for OAuth apps), GET /user, GET /user/emails and
// DELETE /applications/{client_id}/grant.
type fakeGitHub struct {
	*providertest.OAuth2
	user, emails string // fixtures; emails "" answers 404
	emailCalls   atomic.Int32
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFake(t *testing.T, cfg providertest.OAuth2Config, user, emails string) *fakeGitHub {
	t.Helper()
	cfg.AuthMethod = providertest.AuthMethodPost
	cfg.AuthorizePath = "/login/oauth/authorize"
	if cfg.TokenPath == "" {
		cfg.TokenPath = "/login/oauth/access_token"
	}
	cfg.RevokePath = "-"
	cfg.ScopeSeparator = ","
	cfg.FormUnlessJSON = true
	cfg.NoRefreshToken = true
	if cfg.TokenResponse == nil {
		cfg.TokenResponse = func(b map[string]any) { delete(b, "expires_in") } // OAuth app tokens do not expire
	}
	f := &fakeGitHub{OAuth2: providertest.NewOAuth2(t, cfg), user: user, emails: emails}
	f.HandleAPI("GET /user", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		if r.Header.Get("X-GitHub-Api-Version") == "" || !strings.Contains(r.Header.Get("Accept"), "application/vnd.github+json") {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"message": "missing API headers"})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, fixture(t, f.user))
	})
	f.HandleAPI("GET /user/emails", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		f.emailCalls.Add(1)
		if f.emails == "" || (len(tok.Scopes) > 0 && !slices.Contains(tok.Scopes, "user:email") && !slices.Contains(tok.Scopes, "user")) {
			providertest.WriteJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, fixture(t, f.emails))
	})
	f.HandleFunc("DELETE /applications/{client_id}/grant", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != f.ClientID() || secret != f.ClientSecret() || r.PathValue("client_id") != f.ClientID() {
			providertest.WriteJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if json.NewDecoder(r.Body).Decode(&body) != nil || !f.RevokeGrant(body.AccessToken) {
			providertest.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	f.SetLogin("583231")
	return f
}

func newProvider(t *testing.T, f *fakeGitHub) *github.Provider {
	t.Helper()
	p, err := github.New(github.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL:     f.URL,
		APIURL:      f.URL,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{}, "user.json", "emails.json")
	e := testkit.New(t, newProvider(t, f))
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "583231", // the numeric id, not the login
		Email:          "mona@example.com",
		EmailVerified:  new(true),
		FirstName:      "The",
		LastName:       "Octocat",
		AvatarURL:      "https://avatars.githubusercontent.com/u/583231?v=4",
		Username:       "octocat",
		Scopes:         []string{"read:user", "user:email"},
	})
	q := f.LastAuthorize()
	if q.Get("code_challenge_method") != "S256" || q.Get("scope") != "read:user user:email" || q.Has("nonce") {
		t.Errorf("authorization request %v", q)
	}
	if h := f.LastTokenHeader(); h.Get("Accept") != "application/json" {
		t.Errorf("token request Accept %q, want application/json", h.Get("Accept"))
	}
}

func TestUnverifiedPrimaryEmail(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{}, "user.json", "emails_unverified_primary.json")
	a := testkit.New(t, newProvider(t, f)).Link("user_1", f.Client())
	if a.EmailAddress != "new-address@example.com" || a.EmailAddressVerified == nil || *a.EmailAddressVerified {
		t.Errorf("email %q verified %v: want the primary address, reported unverified", a.EmailAddress, a.EmailAddressVerified)
	}
}

func TestWithoutEmailScope(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{GrantScopes: func([]string) []string { return []string{"read:user"} }}, "user.json", "emails.json")
	a := testkit.New(t, newProvider(t, f)).Link("user_1", f.Client())
	if f.emailCalls.Load() != 0 {
		t.Error("/user/emails was asked although user:email was not granted")
	}
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "583231", Email: "octocat@github.com", EmailVerified: nil, // the public email: GitHub does not say
		FirstName: "The", LastName: "Octocat", AvatarURL: "https://avatars.githubusercontent.com/u/583231?v=4",
		Username: "octocat", Scopes: []string{"read:user"},
	})
}

func TestGitHubAppWithoutEmailPermission(t *testing.T) {
	// GitHub Apps get "scope": "" and may lack the email permission.
	f := newFake(t, providertest.OAuth2Config{TokenResponse: func(b map[string]any) { b["scope"] = ""; delete(b, "expires_in") }},
		"user_no_name_no_email.json", "")
	a := testkit.New(t, newProvider(t, f)).Link("user_1", f.Client())
	if f.emailCalls.Load() != 1 {
		t.Error("/user/emails was not tried")
	}
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "1", AvatarURL: "https://avatars.githubusercontent.com/u/1?v=4", Username: "monalisa",
		Scopes: []string{"read:user", "user:email"}, // GitHub said nothing: the requested scopes
	})
}

func TestTokenErrorWithHTTP200(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{}, "user.json", "emails.json")
	e := testkit.New(t, newProvider(t, f))
	a := e.Connect("user_1")
	cb := testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL)
	// GitHub's documented answer to a bad or expired code.
	f.SetTokenError(&providertest.TokenError{Status: http.StatusOK, Code: "bad_verification_code", Description: "The code passed is incorrect or expired."})
	c, err := e.Complete(cb)
	if !errors.Is(err, verification.ErrTokenExchange) {
		t.Fatalf("error %v, want oauth_token_exchange_error", err)
	}
	if !strings.Contains(err.Error(), "HTTP 200 with error bad_verification_code") || strings.Contains(err.Error(), "incorrect or expired") {
		t.Errorf("error %q", err)
	}
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Status != 200 || oe.Code != "bad_verification_code" {
		t.Errorf("OAuthError %+v", oe)
	}
	if c == nil || c.Account.Verification.Status != verification.StatusUnverified || c.Account.Verification.Error == nil {
		t.Fatalf("completion %+v: want an unverified account with the error and a fresh attempt", c)
	}
	// The retry works.
	f.SetTokenError(nil)
	c, err = e.Complete(testkit.Browse(t, f.Client(), c.Account.Verification.ExternalVerificationRedirectURL))
	if err != nil || c.Account.Verification.Status != verification.StatusVerified {
		t.Fatalf("retry: %v", err)
	}
}

func TestTokenErrorFixture(t *testing.T) {
	// The same through GitHub's literal response body.
	f := newFake(t, providertest.OAuth2Config{TokenPath: "/unused"}, "user.json", "emails.json")
	f.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "error=bad_verification_code", http.StatusOK)
			return
		}
		providertest.WriteRaw(w, http.StatusOK, fixture(t, "token_error_200.json"))
	})
	p := newProvider(t, f)
	_, _, err := p.Exchange(context.Background(), provider.ExchangeRequest{Code: "c", CodeVerifier: strings.Repeat("v", 43), RedirectURI: testkit.CallbackURL})
	if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "bad_verification_code") || strings.Contains(err.Error(), "docs.github.com") {
		t.Fatalf("error %v", err)
	}
}

func TestRevoke(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{}, "user.json", "emails.json")
	p := newProvider(t, f)

	t.Run("Destroy deletes the grant", func(t *testing.T) {
		e := testkit.New(t, p)
		a := e.Link("user_1", f.Client())
		if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
			t.Fatal(err)
		}
		for _, tok := range f.Tokens() {
			if !tok.Revoked {
				t.Errorf("%s still valid after Destroy", tok.Type)
			}
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		_, tok, err := p.Exchange(context.Background(), exchangeRequest(t, f, p))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Revoke(context.Background(), tok.AccessToken, "access_token"); err != nil {
			t.Fatalf("Revoke: %v", err)
		}
		if st, _ := f.Lookup(tok.AccessToken); !st.Revoked {
			t.Error("the grant was not deleted")
		}
		err = p.Revoke(context.Background(), tok.AccessToken, "access_token")
		var oe *provider.OAuthError
		if !errors.As(err, &oe) || oe.Status != http.StatusUnprocessableEntity || strings.Contains(err.Error(), tok.AccessToken) {
			t.Errorf("second revocation: %v", err)
		}
		if err := p.Revoke(context.Background(), "rt", "refresh_token"); !errors.Is(err, provider.ErrRevocationUnsupported) {
			t.Errorf("refresh token: %v", err)
		}
	})
}

// exchangeRequest runs an authorization at f and returns its exchange
// request.
func exchangeRequest(t *testing.T, f *fakeGitHub, p *github.Provider) provider.ExchangeRequest {
	t.Helper()
	verifier := xoauth2.GenerateVerifier()
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State: "st", CodeChallenge: xoauth2.S256ChallengeFromVerifier(verifier), RedirectURI: testkit.CallbackURL, LoginHint: "octocat",
	})
	if err != nil {
		t.Fatal(err)
	}
	cb := testkit.Browse(t, f.Client(), u)
	if q := f.LastAuthorize(); q.Get("login") != "octocat" || q.Has("login_hint") {
		t.Errorf("login hint sent as %v", q)
	}
	return provider.ExchangeRequest{Code: cb.Code, CodeVerifier: verifier, RedirectURI: testkit.CallbackURL}
}

func TestAccessDeniedThenRetry(t *testing.T) {
	f := newFake(t, providertest.OAuth2Config{}, "user.json", "emails.json")
	e := testkit.New(t, newProvider(t, f))
	a := e.Connect("user_1")
	f.SetAuthorizeError("access_denied")
	c, err := e.Complete(testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL))
	if !errors.Is(err, verification.ErrAccessDenied) || c.Account.Verification.Status != verification.StatusUnverified {
		t.Fatalf("denied: %v", err)
	}
	f.SetAuthorizeError("")
	c, err = e.Complete(testkit.Browse(t, f.Client(), c.Account.Verification.ExternalVerificationRedirectURL))
	if err != nil || c.Account.ProviderUserID != "583231" {
		t.Fatalf("retry: %v", err)
	}
}
