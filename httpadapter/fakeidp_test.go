package httpadapter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// fakeIdP is a small OAuth 2.0 authorization server and the provider.Provider
// that talks to it, for the handler's own tests: it records every secret it
// sees or issues (states, nonces, codes, verifiers, tokens) so that tests can
// prove none of them leaks. The end-to-end tests use providertest and the
// generic OIDC provider instead.
type fakeIdP struct {
	srv      *httptest.Server
	strategy verification.Strategy

	mu        sync.Mutex
	login     string // subject approved at /authorize
	deny      bool   // answer error=access_denied
	formPost  bool   // answer with a form to post instead of a redirect
	codes     map[string]*fakeCode
	secrets   []string
	revoked   []string
	lastExtra map[string][]string
}

type fakeCode struct {
	sub, challenge, redirectURI string
	scopes                      []string
	used                        bool
}

func newFakeIdP(t *testing.T, slug string) *fakeIdP {
	t.Helper()
	f := &fakeIdP{
		strategy: verification.MustParseStrategy("oauth_custom_" + slug),
		login:    "sub-alice",
		codes:    make(map[string]*fakeCode),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.authorize))
	t.Cleanup(f.srv.Close)
	return f
}

func fakeRandom(prefix string) string {
	var b [32]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

func (f *fakeIdP) remember(s ...string) {
	for _, v := range s {
		if v != "" {
			f.secrets = append(f.secrets, v)
		}
	}
}

// Secrets returns every secret the provider saw or issued.
func (f *fakeIdP) Secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.secrets)
}

func (f *fakeIdP) set(fn func(*fakeIdP)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// authorize is the authorization endpoint: it approves as f.login at once.
func (f *fakeIdP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	state := q.Get("state")
	out := url.Values{"state": {state}, "iss": {f.srv.URL}}
	if f.deny {
		out.Set("error", "access_denied")
		out.Set("error_description", "the user said no")
	} else {
		code := fakeRandom("code-")
		f.codes[code] = &fakeCode{
			sub:         f.login,
			challenge:   q.Get("code_challenge"),
			redirectURI: q.Get("redirect_uri"),
			scopes:      strings.Fields(q.Get("scope")),
		}
		f.remember(code)
		out.Set("code", code)
	}
	formPost := f.formPost
	f.mu.Unlock()
	if formPost {
		// A real provider answers an auto-submitting HTML form; the test
		// browser posts this description of it.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"action": q.Get("redirect_uri"), "fields": out})
		return
	}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+out.Encode(), http.StatusFound)
}

func (f *fakeIdP) Strategy() verification.Strategy { return f.strategy }

func (f *fakeIdP) Metadata() provider.Metadata {
	return provider.Metadata{
		Issuer:                   f.srv.URL,
		IssuerParameterSupported: true,
		OpenID:                   true,
		DefaultScopes:            []string{"openid", "email"},
		Title:                    "Fake",
	}
}

func (f *fakeIdP) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	f.mu.Lock()
	f.remember(req.State, req.Nonce, req.CodeChallenge)
	f.mu.Unlock()
	v := url.Values{
		"response_type":         {"code"},
		"state":                 {req.State},
		"code_challenge":        {req.CodeChallenge},
		"code_challenge_method": {"S256"},
		"nonce":                 {req.Nonce},
		"redirect_uri":          {req.RedirectURI},
		"scope":                 {strings.Join(req.Scopes, " ")},
	}
	return f.srv.URL + "/authorize?" + v.Encode(), nil
}

func (f *fakeIdP) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remember(req.Code, req.CodeVerifier, req.Nonce)
	f.lastExtra = req.Params
	c, ok := f.codes[req.Code]
	sum := sha256.Sum256([]byte(req.CodeVerifier))
	if !ok || c.used || c.redirectURI != req.RedirectURI || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("invalid_grant")
	}
	c.used = true
	tok := &provider.Token{
		AccessToken:  fakeRandom("at-"),
		RefreshToken: fakeRandom("rt-"),
		IDToken:      fakeRandom("idt-"),
		TokenType:    "Bearer",
		Scopes:       slices.Clone(c.scopes),
	}
	f.remember(tok.AccessToken, tok.RefreshToken, tok.IDToken)
	ident := &provider.Identity{ProviderUserID: c.sub, EmailAddress: c.sub + "@example.com"}
	return ident, tok, nil
}

func (f *fakeIdP) Revoke(ctx context.Context, token, hint string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, hint)
	return nil
}

var (
	_ provider.Provider = (*fakeIdP)(nil)
	_ provider.Revoker  = (*fakeIdP)(nil)
)
