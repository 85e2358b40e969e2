package oidc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

func TestNewConfigErrors(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	tests := []struct {
		name   string
		change func(*oidc.Config)
		want   string
	}{
		{"no strategy", func(c *oidc.Config) { c.Strategy = verification.Strategy{} }, "Strategy is required"},
		{"no issuer", func(c *oidc.Config) { c.Issuer = "" }, "Issuer is required"},
		{"no client id", func(c *oidc.Config) { c.ClientID = "" }, "ClientID is required"},
		{"no client secret", func(c *oidc.Config) { c.ClientSecret = "" }, "ClientSecret is required"},
		{"unknown auth style", func(c *oidc.Config) { c.AuthStyle = 7 }, "AuthStyle"},
		{"reserved extra param", func(c *oidc.Config) { c.ExtraAuthParams = map[string]string{"nonce": "x"} }, `cannot set "nonce"`},
		{"only none", func(c *oidc.Config) { c.SigningAlgorithms = []string{"none", "NONE"} }, "allows no algorithm"},
		{"symmetric algorithm", func(c *oidc.Config) { c.SigningAlgorithms = []string{"HS256"} }, `"HS256" is not supported`},
		{"negative timeout", func(c *oidc.Config) { c.HTTP.Timeout = -time.Second }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(srv)
			tt.change(&cfg)
			p, err := oidc.New(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, %v; want an error saying %q", p, err, tt.want)
			}
		})
	}
	if n := srv.Stats(); n != (providertest.Stats{}) {
		t.Errorf("an invalid Config reached the provider: %+v", n)
	}
}

func TestNewDiscoveryErrors(t *testing.T) {
	const bodyMarker = "BODY-MARKER"
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/html/.well-known/openid-configuration":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>"+bodyMarker+"</html>")
		case "/missing-jwks/.well-known/openid-configuration":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":"http://%s/missing-jwks","authorization_endpoint":"http://x/a","token_endpoint":"http://x/t"}`, r.Host)
		case "/redirect/.well-known/openid-configuration":
			http.Redirect(w, r, "/html/.well-known/openid-configuration", http.StatusFound)
		default:
			http.Error(w, bodyMarker, http.StatusNotFound)
		}
	}))
	t.Cleanup(fake.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	srv := newServer(t, providertest.Config{})
	slow := newServer(t, providertest.Config{})
	slow.SetFaults(providertest.Faults{Delay: time.Minute})
	big := newServer(t, providertest.Config{})
	big.SetFaults(providertest.Faults{OversizeBody: 2 << 20})

	tests := []struct {
		name    string
		issuer  string
		timeout time.Duration
		want    string
		wantIs  error
	}{
		{"unreachable", closed.URL, 0, "connect", nil},
		{"not found", fake.URL + "/nope", 0, "HTTP 404", nil},
		{"not JSON", fake.URL + "/html", 0, "malformed response", nil},
		{"redirect not followed", fake.URL + "/redirect", 0, "HTTP 302", nil},
		{"no jwks_uri", fake.URL + "/missing-jwks", 0, "no jwks_uri", nil},
		{"issuer mismatch", srv.Issuer() + "/", 0, "did not match", nil},
		{"slow", slow.Issuer(), 100 * time.Millisecond, "deadline", context.DeadlineExceeded},
		{"too large", big.Issuer(), 0, "too large", oidc.ErrResponseTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(srv)
			cfg.Issuer = tt.issuer
			cfg.HTTP.Timeout = tt.timeout
			_, err := oidc.New(context.Background(), cfg)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "oidc: discovery of") {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if strings.Contains(err.Error(), bodyMarker) {
				t.Errorf("error %q repeats the response body", err)
			}
		})
	}
	t.Run("canceled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := oidc.New(ctx, config(srv)); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
	})
}

func TestMetadata(t *testing.T) {
	tests := []struct {
		name       string
		srvCfg     providertest.Config
		change     func(*oidc.Config)
		wantIss    bool
		wantTitle  string
		wantScopes []string
	}{
		{"defaults", providertest.Config{}, func(*oidc.Config) {}, true, "127.0.0.1", []string{"openid", "email", "profile"}},
		{"no iss parameter", providertest.Config{DisableIssuerParameter: true}, func(*oidc.Config) {}, false, "127.0.0.1", []string{"openid", "email", "profile"}},
		{"title and scopes", providertest.Config{}, func(c *oidc.Config) {
			c.Title = "Dev"
			c.Scopes = []string{"email", "groups"}
		}, true, "Dev", []string{"openid", "email", "groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.srvCfg)
			cfg := config(srv)
			tt.change(&cfg)
			p := newProvider(t, cfg)
			m := p.Metadata()
			if m.Issuer != srv.Issuer() || m.IssuerParameterSupported != tt.wantIss || !m.OpenID || m.Title != tt.wantTitle || !slices.Equal(m.DefaultScopes, tt.wantScopes) {
				t.Errorf("Metadata() = %+v", m)
			}
			if p.Strategy() != devStrategy {
				t.Errorf("Strategy() = %v", p.Strategy())
			}
			m.DefaultScopes[0] = "changed"
			if p.Metadata().DefaultScopes[0] != "openid" {
				t.Error("Metadata shares its scopes")
			}
		})
	}
}

func TestAuthCodeURL(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	cfg.ExtraAuthParams = map[string]string{"hd": "example.com", "prompt": "select_account"}
	p := newProvider(t, cfg)
	req := provider.AuthRequest{
		State: "st", CodeChallenge: "ch", Nonce: "nn", RedirectURI: redirectURI,
		Scopes: []string{"email", "calendar"}, LoginHint: "alice@example.com", Offline: true,
	}
	raw, err := p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != srv.Issuer()+providertest.PathAuthorize {
		t.Errorf("endpoint %s", got)
	}
	want := url.Values{
		"response_type": {"code"}, "client_id": {srv.ClientID()}, "redirect_uri": {redirectURI},
		"scope": {"openid email calendar offline_access"}, "state": {"st"}, "code_challenge": {"ch"},
		"code_challenge_method": {"S256"}, "nonce": {"nn"}, "login_hint": {"alice@example.com"},
		"hd": {"example.com"}, "prompt": {"select_account"},
	}
	if got := u.Query(); !equalValues(got, want) {
		t.Errorf("query\n got %v\nwant %v", got, want)
	}

	req.Prompt = "consent"
	req.Scopes = nil
	raw, _ = p.AuthCodeURL(context.Background(), req)
	u, _ = url.Parse(raw)
	if q := u.Query(); q.Get("prompt") != "consent" || q.Get("scope") != "openid email profile offline_access" || q.Has("access_type") {
		t.Errorf("query %v", q)
	}

	for _, missing := range []func(*provider.AuthRequest){
		func(r *provider.AuthRequest) { r.State = "" },
		func(r *provider.AuthRequest) { r.CodeChallenge = "" },
		func(r *provider.AuthRequest) { r.Nonce = "" },
		func(r *provider.AuthRequest) { r.RedirectURI = "" },
	} {
		r := req
		missing(&r)
		if _, err := p.AuthCodeURL(context.Background(), r); err == nil {
			t.Errorf("AuthCodeURL(%+v) succeeded", r)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.AuthCodeURL(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		name        string
		srvCfg      providertest.Config
		wantRotated bool
	}{
		{"rotation", providertest.Config{}, true},
		{"no rotation", providertest.Config{DisableRefreshTokenRotation: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			tt.srvCfg.Now = clk.Now
			srv := newServer(t, tt.srvCfg)
			cfg := config(srv)
			cfg.HTTP.Now = clk.Now
			p := newProvider(t, cfg)
			_, first, _, err := exchange(t, p)
			if err != nil {
				t.Fatal(err)
			}
			clk.Set(clk.Now().Add(time.Minute))
			tok, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: first.RefreshToken})
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || tok.AccessToken == first.AccessToken || tok.IDToken == "" {
				t.Error("no new access token or ID token")
			}
			if rotated := tok.RefreshToken != ""; rotated != tt.wantRotated || tok.RefreshToken == first.RefreshToken {
				t.Errorf("rotated %t, want %t", rotated, tt.wantRotated)
			}
			if !tok.Expiry.Equal(clk.Now().Add(time.Hour)) || !slices.Equal(tok.Scopes, []string{"openid", "email", "profile"}) {
				t.Errorf("expiry %v, scopes %v", tok.Expiry, tok.Scopes)
			}
			// The old refresh token works again only without rotation.
			_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: first.RefreshToken})
			if tt.wantRotated {
				if !errors.Is(err, verification.ErrTokenRetrieval) || !strings.Contains(err.Error(), "invalid_grant") {
					t.Errorf("reused rotated refresh token: %v", err)
				}
			} else if err != nil {
				t.Errorf("second refresh: %v", err)
			}
		})
	}
}

func TestRefreshErrors(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	_, tok, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: ""}); !errors.Is(err, verification.ErrMissingRefreshToken) {
		t.Errorf("empty refresh token: %v", err)
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: "unknown"}); !errors.Is(err, verification.ErrTokenRetrieval) {
		t.Errorf("unknown refresh token: %v", err)
	}
	srv.SetFaults(providertest.Faults{IDToken: providertest.IDTokenWrongAudience})
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("refreshed ID token for another audience: %v", err)
	}
	srv.SetFaults(providertest.Faults{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Refresh(ctx, provider.RefreshRequest{RefreshToken: tok.RefreshToken}); !errors.Is(err, verification.ErrTokenRetrieval) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow refresh: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	_, tok, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(context.Background(), tok.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if !srv.IsRevoked(tok.RefreshToken) || !srv.IsRevoked(tok.AccessToken) {
		t.Error("the grant is not revoked")
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); !errors.Is(err, verification.ErrTokenRetrieval) {
		t.Errorf("refresh after revocation: %v", err)
	}
	// Revoking again is not an error (RFC 7009 section 2.2).
	if err := p.Revoke(context.Background(), tok.RefreshToken, ""); err != nil {
		t.Errorf("second revocation: %v", err)
	}
	if err := p.Revoke(context.Background(), "", "access_token"); err == nil {
		t.Error("revoking an empty token succeeded")
	}

	t.Run("wrong credentials", func(t *testing.T) {
		cfg := config(srv)
		cfg.ClientSecret = "WRONG-SECRET"
		err := newProvider(t, cfg).Revoke(context.Background(), tok.AccessToken, "access_token")
		if err == nil || !strings.Contains(err.Error(), "HTTP 401 with error invalid_client") || strings.Contains(err.Error(), "WRONG-SECRET") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.Revoke(ctx, tok.AccessToken, ""); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("no revocation endpoint", func(t *testing.T) {
		// A provider whose discovery names no revocation_endpoint.
		mux := http.NewServeMux()
		fake := httptest.NewServer(mux)
		t.Cleanup(fake.Close)
		mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":"%[1]s/a","token_endpoint":"%[1]s/t","jwks_uri":"%[1]s/k"}`, fake.URL)
		})
		cfg := config(srv)
		cfg.Issuer = fake.URL
		err := newProvider(t, cfg).Revoke(context.Background(), "t", "")
		if !errors.Is(err, oidc.ErrNoRevocationEndpoint) {
			t.Errorf("error %v", err)
		}
	})
}

func TestContextCanceled(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	f := authorize(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := p.Exchange(ctx, f.request())
	if !errors.Is(err, verification.ErrTokenExchange) || !errors.Is(err, context.Canceled) {
		t.Errorf("Exchange: %v", err)
	}
	if srv.Stats().TokenRequests != 0 {
		t.Error("a canceled exchange reached the provider")
	}
}

func TestSecretsAreNotPrinted(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	p := newProvider(t, cfg)
	for _, s := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p),
	} {
		if strings.Contains(s, srv.ClientSecret()) {
			t.Errorf("%s prints the client secret", s)
		}
	}
}

// TestErrorsCarryNoSecrets runs every failure and checks that no error, long
// message or wrapped cause repeats a code, verifier, nonce, token, client
// secret or error_description.
func TestErrorsCarryNoSecrets(t *testing.T) {
	const description = "DESCRIPTION-MARKER"
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	cfg.HTTP.Timeout = time.Second // the "slow" failure waits for it
	cfg.HTTP.MaxResponseBytes = 32 << 10
	p := newProvider(t, cfg)

	type failure struct {
		name string
		err  error
	}
	var failures []failure
	var secrets []string
	run := func(name string, faults providertest.Faults, mutate func(*provider.ExchangeRequest, flow)) {
		f := authorize(t, p)
		secrets = append(secrets, f.code, f.verifier, f.nonce, f.state)
		if faults.Token != nil {
			// The provider's description repeats the code: it must not
			// travel further.
			faults.Token.Description = description + " " + f.code
		}
		srv.SetFaults(faults)
		req := f.request()
		if mutate != nil {
			mutate(&req, f)
		}
		_, _, err := p.Exchange(context.Background(), req)
		srv.SetFaults(providertest.Faults{})
		if err == nil {
			t.Errorf("%s: no error", name)
			return
		}
		failures = append(failures, failure{name, err})
	}

	for _, fault := range providertest.IDTokenFaults {
		run("ID token "+string(fault), providertest.Faults{IDToken: fault}, nil)
	}
	run("token invalid_grant", providertest.Faults{Token: &providertest.TokenError{Code: "invalid_grant"}}, nil)
	run("token 500", providertest.Faults{Token: &providertest.TokenError{Status: 500, Code: "server_error"}}, nil)
	run("token 200 error", providertest.Faults{Token: &providertest.TokenError{Status: 200, Code: "invalid_grant"}}, nil)
	run("userinfo sub", providertest.Faults{UserinfoSubject: "mallory"}, nil)
	run("userinfo 500", providertest.Faults{UserinfoStatus: 500}, nil)
	run("slow", providertest.Faults{Delay: time.Minute}, nil)
	run("oversized", providertest.Faults{OversizeBody: 64 << 10}, nil)
	run("PKCE mismatch", providertest.Faults{}, func(r *provider.ExchangeRequest, _ flow) { r.CodeVerifier = oauth2.GenerateVerifier() })
	run("nonce mismatch", providertest.Faults{}, func(r *provider.ExchangeRequest, _ flow) { r.Nonce = "other-" + r.Nonce })
	run("code replay", providertest.Faults{}, func(r *provider.ExchangeRequest, _ flow) {
		if _, _, err := p.Exchange(context.Background(), *r); err != nil {
			t.Fatal(err)
		}
	})

	wrong := config(srv)
	wrong.ClientSecret = "WRONG-CLIENT-SECRET"
	wp := newProvider(t, wrong)
	f := authorize(t, wp)
	secrets = append(secrets, f.code, f.verifier, f.nonce)
	if _, _, err := wp.Exchange(context.Background(), f.request()); err != nil {
		failures = append(failures, failure{"wrong client secret", err})
	}
	if err := wp.Revoke(context.Background(), "REVOKED-TOKEN", "access_token"); err != nil {
		failures = append(failures, failure{"revoke with wrong client secret", err})
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: "UNKNOWN-REFRESH-TOKEN"}); err != nil {
		failures = append(failures, failure{"refresh unknown", err})
	}
	srv.SetFaults(providertest.Faults{Token: &providertest.TokenError{Code: "invalid_grant", Description: description}})
	for _, tok := range srv.Tokens() {
		if tok.Type == "refresh_token" {
			if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.Value}); err != nil {
				failures = append(failures, failure{"refresh refused", err})
			}
			break
		}
	}
	srv.SetFaults(providertest.Faults{})

	for _, tok := range srv.Tokens() {
		secrets = append(secrets, tok.Value)
	}
	secrets = append(secrets, srv.ClientSecret(), "WRONG-CLIENT-SECRET", "REVOKED-TOKEN", "UNKNOWN-REFRESH-TOKEN", description)
	if len(failures) < len(providertest.IDTokenFaults)+14 {
		t.Fatalf("only %d failures", len(failures))
	}
	for _, fl := range failures {
		texts := []string{fl.err.Error(), fmt.Sprintf("%+v", fl.err), fmt.Sprintf("%#v", fl.err)}
		for e := errors.Unwrap(fl.err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error())
		}
		var ve *verification.Error
		if errors.As(fl.err, &ve) {
			texts = append(texts, ve.LongMessage, ve.Message, fmt.Sprint(ve.Meta))
		}
		for _, text := range texts {
			for _, s := range secrets {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("%s: %q contains a secret", fl.name, text)
				}
			}
		}
	}
}

// A refreshed ID token must be for the account's subject (OpenID Connect
// Core section 12.2): another subject is refused, the same one passes.
func TestRefreshKeepsSubject(t *testing.T) {
	srv := newServer(t, providertest.Config{DisableRefreshTokenRotation: true})
	p := newProvider(t, config(srv))
	id, first, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: first.RefreshToken, Subject: "someone-else"})
	if !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Fatalf("refresh with another subject: %v, want oauth_id_token_invalid", err)
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: first.RefreshToken, Subject: id.ProviderUserID}); err != nil {
		t.Fatalf("refresh with the account's subject: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %#v", provider.RefreshRequest{RefreshToken: first.RefreshToken}, provider.RefreshRequest{RefreshToken: first.RefreshToken}, provider.RefreshRequest{RefreshToken: first.RefreshToken}); strings.Contains(s, first.RefreshToken) {
		t.Fatal("a RefreshRequest prints its refresh token")
	}
}

// Only bearer tokens are taken (RFC 6749 section 7.1): another token_type,
// or none, fails the exchange and the refresh; "bearer" in any case passes.
func TestTokenTypeMustBeBearer(t *testing.T) {
	for _, tc := range []struct {
		tokenType string
		ok        bool
	}{{"bearer", true}, {"BEARER", true}, {"DPoP", false}, {"mac", false}, {"-", false}} {
		srv := newServer(t, providertest.Config{})
		p := newProvider(t, config(srv))
		srv.SetFaults(providertest.Faults{TokenType: tc.tokenType})
		_, _, _, err := exchange(t, p)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, verification.ErrTokenExchange)) {
			t.Errorf("token_type %q: exchange error %v", tc.tokenType, err)
		}
		srv.SetFaults(providertest.Faults{})
		_, tok, _, err := exchange(t, p)
		if err != nil {
			t.Fatal(err)
		}
		srv.SetFaults(providertest.Faults{TokenType: tc.tokenType})
		_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, verification.ErrTokenRetrieval)) {
			t.Errorf("token_type %q: refresh error %v", tc.tokenType, err)
		}
	}
}

// A flow that wants a refresh token asks for offline_access when the
// provider lists it (OpenID Connect Core section 11), and only then.
func TestOfflineAccess(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	req := provider.AuthRequest{State: "s", CodeChallenge: strings.Repeat("A", 43), Nonce: "n", RedirectURI: "https://app.example/cb", Scopes: []string{"openid", "email"}}
	scopesOf := func(offline bool) []string {
		r := req
		r.Offline = offline
		raw, err := p.AuthCodeURL(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(raw)
		return strings.Fields(u.Query().Get("scope"))
	}
	if got := scopesOf(true); !slices.Contains(got, "offline_access") || !slices.Contains(got, "email") {
		t.Fatalf("offline flow scopes = %v, want offline_access added", got)
	}
	if got := scopesOf(false); slices.Contains(got, "offline_access") {
		t.Fatalf("online flow scopes = %v", got)
	}
	// Requested already: not twice.
	req.Scopes = []string{"openid", "offline_access"}
	if got := scopesOf(true); len(got) != 2 {
		t.Fatalf("scopes = %v, want offline_access once", got)
	}
}
