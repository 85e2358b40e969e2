package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// staticConfig is config(srv) with the endpoints given, without discovery.
func staticConfig(srv *providertest.Server) oidc.Config {
	cfg := config(srv)
	cfg.Endpoints = &oidc.Endpoints{
		AuthURL:       srv.Issuer() + providertest.PathAuthorize,
		TokenURL:      srv.Issuer() + providertest.PathToken,
		JWKSURL:       srv.Issuer() + providertest.PathJWKS,
		UserinfoURL:   srv.Issuer() + providertest.PathUserinfo,
		RevocationURL: srv.Issuer() + providertest.PathRevoke,
	}
	return cfg
}

func TestStaticEndpoints(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, staticConfig(srv))
	if st := srv.Stats(); st != (providertest.Stats{}) {
		t.Errorf("New with Endpoints sent requests: %+v", st)
	}
	md := p.Metadata()
	if md.Issuer != srv.Issuer() || md.IssuerParameterSupported || !md.OpenID {
		t.Errorf("metadata %+v", md)
	}
	id, tok, _, err := exchange(t, p)
	if err != nil || id.ProviderUserID != alice.Subject || id.EmailAddress != alice.Email {
		t.Fatalf("Exchange: %+v, %v", id, err)
	}
	if err := p.Revoke(context.Background(), tok.RefreshToken, "refresh_token"); err != nil || !srv.IsRevoked(tok.AccessToken) {
		t.Errorf("Revoke: %v", err)
	}

	cfg := staticConfig(srv)
	cfg.Endpoints.RevocationURL = ""
	err = newProvider(t, cfg).Revoke(context.Background(), "t", "")
	if !errors.Is(err, oidc.ErrNoRevocationEndpoint) || !errors.Is(err, provider.ErrRevocationUnsupported) {
		t.Errorf("no revocation endpoint: %v", err)
	}
}

func TestNoRevocationEndpointIsUnsupported(t *testing.T) {
	if !errors.Is(oidc.ErrNoRevocationEndpoint, provider.ErrRevocationUnsupported) {
		t.Error("ErrNoRevocationEndpoint does not match provider.ErrRevocationUnsupported")
	}
	if !errors.Is(oidc.ErrResponseTooLarge, provider.ErrResponseTooLarge) {
		t.Error("ErrResponseTooLarge is not provider.ErrResponseTooLarge")
	}
}

func TestHookConfigErrors(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	tests := []struct {
		name   string
		change func(*oidc.Config)
		want   string
	}{
		{"no JWKS URL", func(c *oidc.Config) { c.Endpoints.JWKSURL = "" }, "Endpoints.JWKSURL is required"},
		{"relative token URL", func(c *oidc.Config) { c.Endpoints.TokenURL = "/token" }, "Endpoints.TokenURL \"/token\" is not an absolute"},
		{"template without endpoints", func(c *oidc.Config) { c.Endpoints = nil; c.Issuer = "https://login.example/{tenantid}/v2.0" }, "needs Config.Endpoints"},
		{"two placeholders", func(c *oidc.Config) { c.Issuer = "https://{tenantid}.example/{tenantid}" }, "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := staticConfig(srv)
			tt.change(&cfg)
			if _, err := oidc.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}

func TestExchangeRequiresNonce(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	f := authorize(t, p)
	req := f.request()
	req.Nonce = ""
	_, _, err := p.Exchange(context.Background(), req)
	if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "no nonce") {
		t.Fatalf("error %v", err)
	}
	if n := srv.Stats().TokenRequests; n != 0 {
		t.Errorf("the code was sent (%d token requests)", n)
	}
	// The code is still good for a proper exchange.
	if _, _, err := p.Exchange(context.Background(), f.request()); err != nil {
		t.Errorf("Exchange: %v", err)
	}
}

func TestIssuerTemplate(t *testing.T) {
	const tenant, other = "72f988bf-86f1-41af-91ab-2d7cd011db47", "5f6a7b8c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
	srv := newServer(t, providertest.Config{DisableIssuerParameter: true})
	cfg := staticConfig(srv)
	cfg.Issuer = srv.Issuer() + "/{tenantid}/v2.0"
	cfg.SkipUserinfo = true
	p := newProvider(t, cfg)
	if md := p.Metadata(); md.Issuer != "" {
		t.Errorf("a template issuer is reported as %q", md.Issuer)
	}
	tests := []struct {
		name    string
		iss     string
		tid     any
		wantErr string
	}{
		{"token's tenant", srv.Issuer() + "/" + tenant + "/v2.0", tenant, ""},
		{"uppercase tenant", srv.Issuer() + "/" + strings.ToUpper(tenant) + "/v2.0", strings.ToUpper(tenant), ""},
		{"another tenant's issuer", srv.Issuer() + "/" + other + "/v2.0", tenant, "another issuer"},
		{"the template", srv.Issuer() + "/{tenantid}/v2.0", tenant, "another issuer"},
		{"no tid", srv.Issuer() + "/" + tenant + "/v2.0", nil, "no tenant"},
		{"tid not a GUID", srv.Issuer() + "/common/v2.0", "common", "no tenant"},
		{"tid with a path", srv.Issuer() + "/" + tenant + "/x/v2.0", tenant + "/x", "no tenant"},
		{"the provider's own issuer", srv.Issuer(), tenant, "another issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFaults(providertest.Faults{IDTokenClaims: map[string]any{"iss": tt.iss, "tid": tt.tid}})
			defer srv.SetFaults(providertest.Faults{})
			id, _, _, err := exchange(t, p)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if id.Claims["tid"] != tt.tid {
					t.Errorf("tid %v", id.Claims["tid"])
				}
				return
			}
			if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckClaims(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	var calls atomic.Int32
	var h hooks.OIDC
	h.CheckClaims = func(c map[string]any) error {
		calls.Add(1)
		if c["hd"] != "example.com" {
			return errors.New("the account is not in the hosted domain (hd)")
		}
		return nil
	}
	p := newHooked(t, cfg, h)
	_, _, _, err := exchange(t, p)
	if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), "provider-specific check: the account is not in the hosted domain (hd)") {
		t.Fatalf("error %v", err)
	}
	srv.AddUser(providertest.User{Subject: alice.Subject, Extra: map[string]any{"hd": "example.com"}})
	_, tok, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	srv.AddUser(alice) // hd gone: refreshed ID tokens fail the check too
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("Refresh: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls", calls.Load())
	}
}

func TestMapIdentity(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	tests := []struct {
		name    string
		hook    func(*provider.Identity, map[string]any, map[string][]string) error
		params  map[string][]string
		want    *verification.Error
		first   string
		subject string
	}{
		{"names from params", func(id *provider.Identity, _ map[string]any, p map[string][]string) error {
			id.FirstName = p["first"][0]
			return nil
		}, map[string][]string{"first": {"Alicia"}}, nil, "Alicia", alice.Subject},
		{"API error kept", func(*provider.Identity, map[string]any, map[string][]string) error {
			return verification.ErrAccessDenied
		}, nil, verification.ErrAccessDenied, "", ""},
		{"other error", func(*provider.Identity, map[string]any, map[string][]string) error {
			return errors.New("SECRET-MARKER")
		}, nil, verification.ErrFetchUser, "", ""},
		{"no subject left", func(id *provider.Identity, _ map[string]any, _ map[string][]string) error {
			id.ProviderUserID = ""
			return nil
		}, nil, verification.ErrFetchUser, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newHooked(t, config(srv), hooks.OIDC{MapIdentity: tt.hook})
			f := authorize(t, p)
			req := f.request()
			req.Params = tt.params
			id, _, err := p.Exchange(context.Background(), req)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || strings.Contains(err.Error(), "SECRET-MARKER") {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil || id.FirstName != tt.first || id.ProviderUserID != tt.subject {
				t.Errorf("identity %+v, %v", id, err)
			}
		})
	}
}

func TestAuthParamsHook(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	base := provider.AuthRequest{State: "s", CodeChallenge: oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()), Nonce: "n", RedirectURI: redirectURI, Offline: true}
	cfg := config(srv)
	h := hooks.OIDC{AuthParams: func(req provider.AuthRequest, v url.Values) {
		if req.Offline {
			v.Set("access_type", "offline")
		}
	}}
	u, err := newHooked(t, cfg, h).AuthCodeURL(context.Background(), base)
	if err != nil || !strings.Contains(u, "access_type=offline") {
		t.Errorf("URL %s, %v", u, err)
	}
	for _, k := range []string{"nonce", "state", "code_challenge", "code_challenge_method", "client_id", "scope", "redirect_uri", "response_type"} {
		h.AuthParams = func(_ provider.AuthRequest, v url.Values) { v.Del(k) }
		if _, err := newHooked(t, cfg, h).AuthCodeURL(context.Background(), base); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("the hook removed %s: %v", k, err)
		}
	}
}

func TestDisablePKCE(t *testing.T) {
	// providertest refuses a verifier for a request without a challenge,
	// so a successful exchange proves none was sent.
	srv := newServer(t, providertest.Config{PKCEOptional: true})
	cfg := config(srv)
	cfg.DisablePKCE = true
	p := newProvider(t, cfg)
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", Nonce: "n", RedirectURI: redirectURI})
	if err != nil || strings.Contains(u, "code_challenge") {
		t.Fatalf("URL %s, %v", u, err)
	}
	if _, _, _, err := exchange(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestAllowMissingNonce(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newHooked(t, config(srv), hooks.OIDC{AllowMissingNonce: true})
	for fault, wantErr := range map[providertest.IDTokenFault]bool{
		"":                               false,
		providertest.IDTokenMissingNonce: false,
		providertest.IDTokenWrongNonce:   true,
	} {
		srv.SetFaults(providertest.Faults{IDToken: fault})
		_, _, _, err := exchange(t, p)
		if wantErr != (err != nil) || (err != nil && !errors.Is(err, verification.ErrIDTokenInvalid)) {
			t.Errorf("fault %q: %v", fault, err)
		}
	}
	srv.SetFaults(providertest.Faults{})
}

func TestClientSecretFunc(t *testing.T) {
	srv := newServer(t, providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}})
	cfg := config(srv)
	var calls atomic.Int32
	var fail atomic.Bool
	h := hooks.OIDC{ClientSecretFunc: func(context.Context) (string, error) {
		calls.Add(1)
		if fail.Load() {
			return "", errors.New("SECRET-MARKER")
		}
		return srv.ClientSecret(), nil
	}}
	cfg.AuthStyle = oauth2.AuthStyleInParams
	if _, err := catalog.OIDCWithHooks(context.Background(), cfg, h); err == nil || !strings.Contains(err.Error(), "exclusive") {
		t.Errorf("a client secret and a secret function: %v", err)
	}
	cfg.ClientSecret = ""
	p := newHooked(t, cfg, h)
	_, tok, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(context.Background(), tok.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls: one per request", calls.Load())
	}
	fail.Store(true)
	_, _, _, err = exchange(t, p)
	if !errors.Is(err, verification.ErrTokenExchange) || strings.Contains(err.Error(), "SECRET-MARKER") {
		t.Errorf("failing secret: %v", err)
	}
}

func TestOAuthErrorAs(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	_, tok, _, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}) // reuse of a rotated token
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Status != 400 || oe.Temporary() {
		t.Errorf("error %v: OAuthError %+v", err, oe)
	}
	srv.SetFaults(providertest.Faults{Token: &providertest.TokenError{Status: 503, Code: "temporarily_unavailable"}})
	defer srv.SetFaults(providertest.Faults{})
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: "anything"})
	if !errors.As(err, &oe) || !oe.Temporary() {
		t.Errorf("error %v: OAuthError %+v", err, oe)
	}
}

// TestClientSecretHS256: a provider whose ID tokens are HS256 keyed with
// the client secret (LINE) accepts exactly those: not one keyed with
// another secret, not an RS256 token of a key set, not "none".
func TestClientSecretHS256(t *testing.T) {
	const issuer, clientID, secret = "https://access.line.example", "1234567890", "8b4f2e1c9d7a6b3e0f5c8a2d4e6b9c1f" // 32 hex digits, as LINE issues them
	cfg := oidc.Config{
		Strategy: devStrategy, Issuer: issuer, ClientID: clientID, ClientSecret: secret,
		Endpoints: &oidc.Endpoints{AuthURL: issuer + "/authorize", TokenURL: issuer + "/token"},
	}
	p := newHooked(t, cfg, hooks.OIDC{ClientSecretHS256: true})
	now := time.Now()
	claims := map[string]any{"iss": issuer, "aud": clientID, "sub": "U1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": "n"}
	hs256 := func(key string) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(key)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(claims)
		jws, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := jws.CompactSerialize()
		return raw
	}
	if id, _, err := p.VerifyIDToken(context.Background(), hs256(secret), "n"); err != nil || id.ProviderUserID != "U1" {
		t.Fatalf("HS256 with the client secret: %v", err)
	}
	signer, err := providertest.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	rs256, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + issuer + `","aud":"` + clientID + `","sub":"U1","exp":9999999999,"nonce":"n"}`))
	for name, raw := range map[string]string{
		"another secret": hs256("0b4f2e1c9d7a6b3e0f5c8a2d4e6b9c1f"),
		"RS256":          rs256,
		"none":           base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + payload + ".",
	} {
		if _, _, err := p.VerifyIDToken(context.Background(), raw, "n"); !errors.Is(err, verification.ErrIDTokenInvalid) {
			t.Errorf("%s: %v, want verification.ErrIDTokenInvalid", name, err)
		}
	}
	cfg.Endpoints = nil
	if _, err := catalog.OIDCWithHooks(context.Background(), cfg, hooks.OIDC{ClientSecretHS256: true}); err == nil {
		t.Error("HS256 with discovery: want an error")
	}
}
