package oauth2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/claims"
	"github.com/tetherauth/tether/provider/oauth2"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

const redirectURI = testkit.CallbackURL

var acme = verification.MustParseStrategy("oauth_custom_acme")

// mapAcme maps the fake provider's profile: {"id": 123, "login": ..., "mail": ...}.
func mapAcme(m map[string]any) (*provider.Identity, error) {
	return &provider.Identity{
		ProviderUserID: claims.ID(m, "id"),
		EmailAddress:   claims.String(m, "mail"),
		Username:       claims.String(m, "login"),
		Claims:         m,
	}, nil
}

// newIdP starts a fake provider with a /me endpoint answering profile.
func newIdP(t *testing.T, cfg providertest.OAuth2Config, profile string) *providertest.OAuth2 {
	t.Helper()
	s := providertest.NewOAuth2(t, cfg)
	s.HandleAPI("GET /me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		providertest.WriteRaw(w, http.StatusOK, []byte(profile))
	})
	s.SetLogin("u1")
	return s
}

func config(s *providertest.OAuth2) oauth2.Config {
	return oauth2.Config{
		Strategy:     acme,
		ClientID:     s.ClientID(),
		ClientSecret: s.ClientSecret(),
		Endpoint: oauth2.Endpoint{
			AuthURL:       s.URL + "/authorize",
			TokenURL:      s.URL + "/token",
			UserinfoURL:   s.URL + "/me",
			RevocationURL: s.URL + "/revoke",
		},
		Scopes:     []string{"read", "email"},
		MapProfile: mapAcme,
	}
}

// newHooked is newProvider with a catalogue provider's hooks.
func newHooked(t *testing.T, cfg oauth2.Config, h hooks.OAuth2) *oauth2.Provider {
	t.Helper()
	p, err := catalog.OAuth2WithHooks(cfg, h)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func newProvider(t *testing.T, cfg oauth2.Config) *oauth2.Provider {
	t.Helper()
	p, err := oauth2.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

type flow struct {
	verifier string
	code     string
}

func authorize(t *testing.T, p *oauth2.Provider, s *providertest.OAuth2, req provider.AuthRequest) flow {
	t.Helper()
	f := flow{verifier: xoauth2.GenerateVerifier()}
	req.State = "state-1"
	req.CodeChallenge = xoauth2.S256ChallengeFromVerifier(f.verifier)
	req.RedirectURI = redirectURI
	u, err := p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	cb := testkit.Browse(t, s.Client(), u)
	if cb.Error != "" || cb.State != "state-1" {
		t.Fatalf("callback error %q state %q", cb.Error, cb.State)
	}
	f.code = cb.Code
	return f
}

func (f flow) request() provider.ExchangeRequest {
	return provider.ExchangeRequest{Code: f.code, CodeVerifier: f.verifier, RedirectURI: redirectURI}
}

func TestNewConfigErrors(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{}, `{}`)
	tests := []struct {
		name   string
		change func(*oauth2.Config)
		want   string
	}{
		{"no strategy", func(c *oauth2.Config) { c.Strategy = verification.Strategy{} }, "Strategy is required"},
		{"no client id", func(c *oauth2.Config) { c.ClientID = "" }, "ClientID is required"},
		{"no client secret", func(c *oauth2.Config) { c.ClientSecret = "" }, "ClientSecret is required"},
		{"no mapping", func(c *oauth2.Config) { c.MapProfile = nil }, "MapProfile is required"},
		{"no userinfo", func(c *oauth2.Config) { c.Endpoint.UserinfoURL = "" }, "UserinfoURL is required"},
		{"no auth URL", func(c *oauth2.Config) { c.Endpoint.AuthURL = "" }, "AuthURL is required"},
		{"relative token URL", func(c *oauth2.Config) { c.Endpoint.TokenURL = "/token" }, "TokenURL \"/token\" is not an absolute"},
		{"bad auth style", func(c *oauth2.Config) { c.AuthStyle = 9 }, "AuthStyle"},
		{"bad separator", func(c *oauth2.Config) { c.ScopeSeparator = "+" }, "ScopeSeparator"},
		{"negative timeout", func(c *oauth2.Config) { c.HTTP.Timeout = -1 }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(s)
			tt.change(&cfg)
			if p, err := oauth2.New(cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want an error saying %q", p, err, tt.want)
			}
		})
	}
	if n := s.TokenRequests(); n != 0 {
		t.Errorf("New sent %d requests", n)
	}
}

func TestExchange(t *testing.T) {
	// A numeric id beyond 2^53 must keep every digit.
	s := newIdP(t, providertest.OAuth2Config{ScopeSeparator: ","}, `{"id": 12345678901234567890, "login": "ada", "mail": "ada@example.com"}`)
	p := newProvider(t, config(s))
	f := authorize(t, p, s, provider.AuthRequest{Prompt: "consent", LoginHint: "ada"})
	q := s.LastAuthorize()
	if q.Get("scope") != "read email" || q.Get("code_challenge_method") != "S256" || q.Get("prompt") != "consent" || q.Get("login_hint") != "ada" {
		t.Errorf("authorization request %v", q)
	}
	id, tok, err := p.Exchange(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "12345678901234567890" || id.Username != "ada" || id.EmailAddress != "ada@example.com" || id.EmailVerified != nil {
		t.Errorf("identity %+v", id)
	}
	if fmt.Sprint(tok.Scopes) != "[read email]" {
		t.Errorf("comma-separated scopes read as %q", tok.Scopes)
	}
	if tok.RefreshToken == "" || tok.AccessToken == "" || tok.Expiry.IsZero() {
		t.Errorf("token %+v", *tok)
	}
	if v := s.LastTokenForm().Get("code_verifier"); v != f.verifier {
		t.Error("the PKCE verifier was not sent")
	}

	t.Run("refresh", func(t *testing.T) {
		next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
		if err != nil {
			t.Fatal(err)
		}
		if next.AccessToken == tok.AccessToken || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
			t.Error("no new tokens")
		}
		_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}) // rotated
		var oe *provider.OAuthError
		if !errors.Is(err, verification.ErrTokenRetrieval) || !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Temporary() {
			t.Errorf("reused refresh token: %v (%+v)", err, oe)
		}
		if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: ""}); !errors.Is(err, verification.ErrMissingRefreshToken) {
			t.Errorf("empty refresh token: %v", err)
		}
		if err := p.Revoke(context.Background(), next.RefreshToken, "refresh_token"); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Lookup(next.AccessToken); !st.Revoked {
			t.Error("revoking the refresh token did not revoke its grant")
		}
	})
}

func TestEmptyScopeResponse(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{TokenResponse: func(b map[string]any) { delete(b, "scope"); delete(b, "expires_in") }}, `{"id": "u1"}`)
	p := newProvider(t, config(s))
	_, tok, err := p.Exchange(context.Background(), authorize(t, p, s, provider.AuthRequest{}).request())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Scopes != nil || !tok.Expiry.IsZero() {
		t.Errorf("scopes %q expiry %v: a response without them says nothing", tok.Scopes, tok.Expiry)
	}
}

func TestAuthStyle(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		style   xoauth2.AuthStyle
		wantErr bool
	}{
		{"default is basic", providertest.AuthMethodBasic, 0, false},
		{"basic", providertest.AuthMethodBasic, xoauth2.AuthStyleInHeader, false},
		{"post", providertest.AuthMethodPost, xoauth2.AuthStyleInParams, false},
		{"post to basic-only", providertest.AuthMethodBasic, xoauth2.AuthStyleInParams, true},
		{"basic to post-only", providertest.AuthMethodPost, xoauth2.AuthStyleInHeader, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIdP(t, providertest.OAuth2Config{AuthMethod: tt.method}, `{"id": 7}`)
			cfg := config(s)
			cfg.AuthStyle = tt.style
			p := newProvider(t, cfg)
			_, tok, err := p.Exchange(context.Background(), authorize(t, p, s, provider.AuthRequest{}).request())
			if tt.wantErr {
				if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "HTTP 401 with error invalid_client") {
					t.Fatalf("error %v", err)
				}
				if n := s.TokenRequests(); n != 1 {
					t.Errorf("%d token requests: the code was sent twice", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Revoke(context.Background(), tok.AccessToken, "access_token"); err != nil {
				t.Errorf("Revoke: %v", err)
			}
		})
	}
}

func TestExchangeErrors(t *testing.T) {
	const marker = "DESCRIPTION-MARKER"
	tests := []struct {
		name     string
		fault    *providertest.TokenError
		mutate   func(*provider.ExchangeRequest)
		want     string
		wantCode string
	}{
		{name: "invalid_grant", fault: &providertest.TokenError{Code: "invalid_grant", Description: marker}, want: "HTTP 400 with error invalid_grant", wantCode: "invalid_grant"},
		{name: "HTTP 200 with an error", fault: &providertest.TokenError{Status: 200, Code: "bad_verification_code", Description: marker}, want: "HTTP 200 with error bad_verification_code", wantCode: "bad_verification_code"},
		{name: "free-text code", fault: &providertest.TokenError{Code: "Bad " + marker}, want: "HTTP 400."},
		{name: "server error", fault: &providertest.TokenError{Status: 503, Code: "temporarily_unavailable"}, want: "HTTP 503", wantCode: "temporarily_unavailable"},
		{name: "PKCE mismatch", mutate: func(r *provider.ExchangeRequest) { r.CodeVerifier = strings.Repeat("v", 43) }, want: "invalid_grant"},
		{name: "no verifier", mutate: func(r *provider.ExchangeRequest) { r.CodeVerifier = "" }, want: "no PKCE code verifier"},
		{name: "no code", mutate: func(r *provider.ExchangeRequest) { r.Code = "" }, want: "no authorization code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIdP(t, providertest.OAuth2Config{}, `{"id": 7}`)
			p := newProvider(t, config(s))
			f := authorize(t, p, s, provider.AuthRequest{})
			s.SetTokenError(tt.fault)
			req := f.request()
			if tt.mutate != nil {
				tt.mutate(&req)
			}
			_, _, err := p.Exchange(context.Background(), req)
			if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrTokenExchange saying %q", err, tt.want)
			}
			checkClean(t, err, marker, f.code, f.verifier, s.ClientSecret())
			var oe *provider.OAuthError
			if tt.wantCode != "" && (!errors.As(err, &oe) || oe.Code != tt.wantCode) {
				t.Errorf("OAuthError %+v, want code %s", oe, tt.wantCode)
			}
		})
	}
}

func TestProfileErrors(t *testing.T) {
	const marker = "BODY-MARKER"
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		mapping func(map[string]any) (*provider.Identity, error)
		limit   int64
		timeout time.Duration
		want    string
		is      error
	}{
		{name: "unauthorized", handler: func(w http.ResponseWriter, r *http.Request) {
			providertest.WriteJSON(w, 401, map[string]any{"error": "invalid_token", "error_description": marker})
		}, want: "HTTP 401 with error invalid_token"},
		{name: "server error", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, marker, 500) }, want: "HTTP 500"},
		{name: "not JSON", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>"+marker) }, want: "could not be read"},
		{name: "JSON null", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "null") }, want: "could not be read"},
		{name: "no id", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"login":"`+marker+`"}`) }, want: "no account id"},
		{name: "fractional id", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"id": 1.5}`) }, want: "no account id"},
		{name: "mapping error", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"id": 1}`) },
			mapping: func(map[string]any) (*provider.Identity, error) { return nil, errors.New(marker) }, want: "could not be read"},
		{name: "redirect not followed", handler: func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, want: "HTTP 302"},
		{name: "too large", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"id": 1, "pad": %q}`, strings.Repeat("x", 4096))
		},
			limit: 1024, want: "too large", is: provider.ErrResponseTooLarge},
		{name: "slow", handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			timeout: 200 * time.Millisecond, want: "did not answer in time (200ms)", is: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := providertest.NewOAuth2(t, providertest.OAuth2Config{})
			s.SetLogin("u1")
			s.HandleFunc("GET /me", tt.handler)
			cfg := config(s)
			cfg.HTTP.MaxResponseBytes = tt.limit
			cfg.HTTP.Timeout = tt.timeout
			if tt.mapping != nil {
				cfg.MapProfile = tt.mapping
			}
			p := newProvider(t, cfg)
			f := authorize(t, p, s, provider.AuthRequest{})
			_, _, err := p.Exchange(context.Background(), f.request())
			if !errors.Is(err, verification.ErrFetchUser) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrFetchUser saying %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			checkClean(t, err, marker, f.code, f.verifier, s.ClientSecret())
		})
	}
}

// checkClean fails when err, its JSON or any cause repeats a secret.
func checkClean(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var texts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error(), fmt.Sprintf("%+v %#v", e, e))
	}
	b, _ := json.Marshal(verification.AsError(err))
	texts = append(texts, string(b))
	for _, text := range texts {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("error text %q repeats a secret", text)
			}
		}
	}
}

func TestAuthCodeURL(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{}, `{"id": 1}`)
	base := provider.AuthRequest{State: "s", CodeChallenge: xoauth2.S256ChallengeFromVerifier(xoauth2.GenerateVerifier()), RedirectURI: redirectURI}
	t.Run("required fields", func(t *testing.T) {
		p := newProvider(t, config(s))
		for name, change := range map[string]func(*provider.AuthRequest){
			"state":     func(r *provider.AuthRequest) { r.State = "" },
			"challenge": func(r *provider.AuthRequest) { r.CodeChallenge = "" },
			"redirect":  func(r *provider.AuthRequest) { r.RedirectURI = "" },
		} {
			req := base
			change(&req)
			if _, err := p.AuthCodeURL(context.Background(), req); err == nil {
				t.Errorf("no %s: no error", name)
			}
		}
	})
	t.Run("comma separator and request scopes", func(t *testing.T) {
		cfg := config(s)
		cfg.ScopeSeparator = ","
		u, err := newProvider(t, cfg).AuthCodeURL(context.Background(), withScopes(base, "a", "b"))
		if err != nil {
			t.Fatal(err)
		}
		if q := testkit.Query(t, u); q.Get("scope") != "a,b" {
			t.Errorf("scope %q", q.Get("scope"))
		}
	})
	t.Run("PKCE disabled", func(t *testing.T) {
		cfg := config(s)
		cfg.DisablePKCE = true
		p := newProvider(t, cfg)
		req := base
		req.CodeChallenge = ""
		u, err := p.AuthCodeURL(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if q := testkit.Query(t, u); q.Has("code_challenge") || q.Has("code_challenge_method") {
			t.Errorf("PKCE sent: %v", q)
		}
	})
	t.Run("AuthParams", func(t *testing.T) {
		cfg := config(s)
		h := hooks.OAuth2{AuthParams: func(req provider.AuthRequest, v url.Values) {
			v.Set("login", req.LoginHint)
			v.Del("login_hint")
		}}
		req := base
		req.LoginHint = "ada"
		u, err := newHooked(t, cfg, h).AuthCodeURL(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if q := testkit.Query(t, u); q.Get("login") != "ada" || q.Has("login_hint") {
			t.Errorf("query %v", q)
		}
		for _, k := range []string{"state", "code_challenge", "redirect_uri", "scope", "client_id"} {
			h.AuthParams = func(_ provider.AuthRequest, v url.Values) { v.Set(k, "evil") }
			if _, err := newHooked(t, cfg, h).AuthCodeURL(context.Background(), base); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("AuthParams changed %s: %v", k, err)
			}
		}
	})
}

func withScopes(r provider.AuthRequest, scopes ...string) provider.AuthRequest {
	r.Scopes = scopes
	return r
}

func TestRevokeUnsupported(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{RevokePath: "-"}, `{"id": 1}`)
	cfg := config(s)
	cfg.Endpoint.RevocationURL = ""
	err := newProvider(t, cfg).Revoke(context.Background(), "token", "access_token")
	if !errors.Is(err, provider.ErrRevocationUnsupported) {
		t.Errorf("error %v", err)
	}
}

func TestProfileFunc(t *testing.T) {
	s := providertest.NewOAuth2(t, providertest.OAuth2Config{})
	s.SetLogin("u1")
	s.HandleAPI("GET /v1/me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		if r.Header.Get("X-Api-Version") != "7" {
			http.Error(w, "no version", 400)
			return
		}
		providertest.WriteJSON(w, 200, map[string]any{"id": tok.Subject})
	})
	cfg := config(s)
	cfg.Endpoint.UserinfoURL = ""
	cfg.MapProfile = nil
	h := hooks.OAuth2{APIHeader: http.Header{"X-Api-Version": {"7"}}}
	h.Profile = func(ctx context.Context, api *hooks.API, tok *provider.Token) (*provider.Identity, error) {
		var me struct {
			ID string `json:"id"`
		}
		if err := api.GetJSON(ctx, s.URL+"/v1/me", &me); err != nil {
			return nil, err
		}
		tok.Scopes = []string{"from-profile"}
		return &provider.Identity{ProviderUserID: me.ID}, nil
	}
	p := newHooked(t, cfg, h)
	id, tok, err := p.Exchange(context.Background(), authorize(t, p, s, provider.AuthRequest{}).request())
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "u1" || fmt.Sprint(tok.Scopes) != "[from-profile]" {
		t.Errorf("identity %+v scopes %v", id, tok.Scopes)
	}
	// A *verification.Error of the profile is returned as is.
	h.Profile = func(context.Context, *hooks.API, *provider.Token) (*provider.Identity, error) {
		return nil, verification.ErrAccessDenied
	}
	p = newHooked(t, cfg, h)
	if _, _, err := p.Exchange(context.Background(), authorize(t, p, s, provider.AuthRequest{}).request()); !errors.Is(err, verification.ErrAccessDenied) {
		t.Errorf("error %v", err)
	}
}

func TestSecretsAreNotPrinted(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{}, `{}`)
	cfg := config(s)
	p := newProvider(t, cfg)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(p), fmt.Sprintf("%#v", p)} {
		if strings.Contains(out, s.ClientSecret()) {
			t.Errorf("%s prints the client secret", out)
		}
	}
}

func TestMetadata(t *testing.T) {
	s := newIdP(t, providertest.OAuth2Config{}, `{}`)
	md := newProvider(t, config(s)).Metadata()
	if md.OpenID || md.Issuer != "" || fmt.Sprint(md.DefaultScopes) != "[read email]" || md.Title != "127.0.0.1" {
		t.Errorf("metadata %+v", md)
	}
}
