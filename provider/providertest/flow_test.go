package providertest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider/providertest"
)

// verifier is a go-oidc ID token verifier for s.
func verifier(t *testing.T, s *providertest.Server) *oidc.IDTokenVerifier {
	t.Helper()
	op, err := oidc.NewProvider(context.Background(), s.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return op.Verifier(&oidc.Config{ClientID: s.ClientID()})
}

func TestCodeFlow(t *testing.T) {
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		t.Run(map[oauth2.AuthStyle]string{oauth2.AuthStyleInHeader: "basic", oauth2.AuthStyleInParams: "post"}[style], func(t *testing.T) {
			s := newServer(t, providertest.Config{})
			conf := oauthConfig(s, style)
			f := newFlow()

			cb, err := providertest.Authorize(context.Background(), nil, f.authURL(conf))
			if err != nil {
				t.Fatal(err)
			}
			if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirectURI {
				t.Errorf("redirected to %s, want %s", got, redirectURI)
			}
			q := cb.Query()
			if q.Get("code") == "" || q.Get("state") != f.state || q.Get("iss") != s.Issuer() {
				t.Fatalf("callback %v lacks code, state or iss", q)
			}

			tok, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(f.verifier))
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
				t.Errorf("token type %q, refresh %t, expiry %v", tok.TokenType, tok.RefreshToken != "", tok.Expiry)
			}
			if got := tok.Extra("scope"); got != "openid email profile" {
				t.Errorf("scope = %v", got)
			}

			idt, err := verifier(t, s).Verify(context.Background(), idToken(t, tok))
			if err != nil {
				t.Fatalf("go-oidc rejects the ID token: %v", err)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			if idt.Nonce != f.nonce || idt.Subject != "alice" {
				t.Errorf("nonce %q, sub %q", idt.Nonce, idt.Subject)
			}
			header, claims := jwtParts(t, idToken(t, tok))
			if header["alg"] != "RS256" || header["kid"] != s.KeyIDs()[0] {
				t.Errorf("header %v", header)
			}
			want := map[string]any{
				"iss": s.Issuer(), "sub": "alice", "aud": s.ClientID(), "azp": s.ClientID(),
				"email": "alice@example.com", "email_verified": true, "name": "Alice Liddell",
				"given_name": "Alice", "family_name": "Liddell", "picture": "https://example.com/alice.png",
				"preferred_username": "alice", "nonce": f.nonce,
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
			for _, k := range []string{"exp", "iat", "auth_time", "at_hash"} {
				if _, ok := claims[k].(float64); !ok && k != "at_hash" {
					t.Errorf("claim %s = %v", k, claims[k])
				}
			}

			resp, info := userinfo(t, s, tok.AccessToken)
			if resp.StatusCode != http.StatusOK || info["sub"] != "alice" || info["email"] != "alice@example.com" {
				t.Errorf("userinfo: %d %v", resp.StatusCode, info)
			}
			st := s.Stats()
			if st.AuthorizeRequests != 1 || st.TokenRequests != 1 || st.CodeExchanges != 1 || st.UserinfoRequests != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestTokenResponseIsNotCacheable(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	f := newFlow()
	resp, body := postForm(t, s, providertest.PathToken, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {f.code(t, conf)},
		"redirect_uri":  {redirectURI},
		"code_verifier": {f.verifier},
	}, true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %v", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Errorf("Cache-Control %q, Pragma %q", resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
	if body["expires_in"] != float64(3600) {
		t.Errorf("expires_in = %v", body["expires_in"])
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	f := newFlow()
	code := f.code(t, conf)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conf.Exchange(context.Background(), code, oauth2.VerifierOption(f.verifier))
	if got := oauthErrorCode(t, err); got != "invalid_grant" {
		t.Fatalf("replayed code: %q, want invalid_grant", got)
	}
	// RFC 6749 section 4.1.2: what the code gave is revoked.
	for _, v := range []string{tok.AccessToken, tok.RefreshToken} {
		if !s.IsRevoked(v) {
			t.Error("a token issued from the replayed code is not revoked")
		}
	}
	if resp, _ := userinfo(t, s, tok.AccessToken); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("userinfo with a revoked token: %d", resp.StatusCode)
	}
	if st := s.Stats(); st.TokenRequests != 2 || st.CodeExchanges != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestCodeRedemptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		form    func(code string, f flow) url.Values
		advance time.Duration
		want    string
		// keeps: the attempt did not present the code, which still works.
		keeps bool
	}{
		{"wrong verifier", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {oauth2.GenerateVerifier()}}
		}, 0, "invalid_grant", false},
		{"malformed verifier", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {"short"}}
		}, 0, "invalid_grant", false},
		{"missing verifier", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "redirect_uri": {redirectURI}}
		}, 0, "invalid_request", false},
		{"other redirect_uri", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "redirect_uri": {redirectURI + "/other"}, "code_verifier": {f.verifier}}
		}, 0, "invalid_grant", false},
		{"missing redirect_uri", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "code_verifier": {f.verifier}}
		}, 0, "invalid_request", false},
		{"unknown code", func(code string, f flow) url.Values {
			return url.Values{"code": {"nope"}, "redirect_uri": {redirectURI}, "code_verifier": {f.verifier}}
		}, 0, "invalid_grant", true},
		{"missing code", func(code string, f flow) url.Values {
			return url.Values{"redirect_uri": {redirectURI}, "code_verifier": {f.verifier}}
		}, 0, "invalid_request", true},
		{"expired code", func(code string, f flow) url.Values {
			return url.Values{"code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {f.verifier}}
		}, providertest.CodeTTL + time.Second, "invalid_grant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := newServer(t, providertest.Config{Now: clk.Now})
			conf := oauthConfig(s, oauth2.AuthStyleInHeader)
			f := newFlow()
			code := f.code(t, conf)
			clk.Advance(tt.advance)
			form := tt.form(code, f)
			form.Set("grant_type", "authorization_code")
			resp, body := postForm(t, s, providertest.PathToken, form, true)
			if resp.StatusCode != http.StatusBadRequest || body["error"] != tt.want {
				t.Fatalf("got %d %v, want 400 %s", resp.StatusCode, body, tt.want)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("error response is cacheable")
			}
			if s.Stats().CodeExchanges != 0 {
				t.Error("a code was exchanged")
			}
			// Any attempt to redeem the code consumes it.
			form = url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {f.verifier}}
			resp, body = postForm(t, s, providertest.PathToken, form, true)
			if works := resp.StatusCode == http.StatusOK; works != tt.keeps {
				t.Errorf("after the failed attempt the code answers %d %v", resp.StatusCode, body)
			}
		})
	}
}

func TestPKCEOptional(t *testing.T) {
	s := newServer(t, providertest.Config{PKCEOptional: true})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	authURL := conf.AuthCodeURL("state", oauth2.SetAuthURLParam("nonce", "n"))
	exchange := func(opts ...oauth2.AuthCodeOption) error {
		cb, err := providertest.Authorize(context.Background(), nil, authURL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conf.Exchange(context.Background(), cb.Query().Get("code"), opts...)
		return err
	}
	if err := exchange(); err != nil {
		t.Fatalf("flow without PKCE: %v", err)
	}
	// A verifier for a request that had no challenge is a downgrade.
	if got := oauthErrorCode(t, exchange(oauth2.VerifierOption(oauth2.GenerateVerifier()))); got != "invalid_grant" {
		t.Errorf("verifier without challenge: %q", got)
	}
}

func TestClientAuthentication(t *testing.T) {
	basicOnly := providertest.Config{AuthMethods: []string{providertest.AuthMethodBasic}}
	postOnly := providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}}
	tests := []struct {
		name       string
		cfg        providertest.Config
		auth       func(r *http.Request, form url.Values, s *providertest.Server)
		wantStatus int
		wantError  string
		wantBasic  bool
	}{
		{"basic", providertest.Config{}, func(r *http.Request, _ url.Values, s *providertest.Server) {
			r.SetBasicAuth(s.ClientID(), s.ClientSecret())
		}, 200, "", false},
		{"post", providertest.Config{}, func(_ *http.Request, f url.Values, s *providertest.Server) {
			f.Set("client_id", s.ClientID())
			f.Set("client_secret", s.ClientSecret())
		}, 200, "", false},
		{"both methods", providertest.Config{}, func(r *http.Request, f url.Values, s *providertest.Server) {
			r.SetBasicAuth(s.ClientID(), s.ClientSecret())
			f.Set("client_secret", s.ClientSecret())
		}, 400, "invalid_request", false},
		{"wrong secret, basic", providertest.Config{}, func(r *http.Request, _ url.Values, s *providertest.Server) {
			r.SetBasicAuth(s.ClientID(), "wrong")
		}, 401, "invalid_client", true},
		{"wrong secret, post", providertest.Config{}, func(_ *http.Request, f url.Values, s *providertest.Server) {
			f.Set("client_id", s.ClientID())
			f.Set("client_secret", "wrong")
		}, 401, "invalid_client", false},
		{"wrong client", providertest.Config{}, func(r *http.Request, _ url.Values, s *providertest.Server) {
			r.SetBasicAuth("other", s.ClientSecret())
		}, 401, "invalid_client", true},
		{"no authentication", providertest.Config{}, func(*http.Request, url.Values, *providertest.Server) {}, 401, "invalid_client", false},
		{"bearer header", providertest.Config{}, func(r *http.Request, _ url.Values, _ *providertest.Server) {
			r.Header.Set("Authorization", "Bearer x")
		}, 401, "invalid_client", true},
		{"post to basic-only", basicOnly, func(_ *http.Request, f url.Values, s *providertest.Server) {
			f.Set("client_id", s.ClientID())
			f.Set("client_secret", s.ClientSecret())
		}, 401, "invalid_client", false},
		{"basic to post-only", postOnly, func(r *http.Request, _ url.Values, s *providertest.Server) {
			r.SetBasicAuth(s.ClientID(), s.ClientSecret())
		}, 401, "invalid_client", true},
		{"form-encoded basic credentials", providertest.Config{ClientID: "id:1", ClientSecret: "s&cret:%"}, func(r *http.Request, _ url.Values, s *providertest.Server) {
			r.SetBasicAuth(url.QueryEscape(s.ClientID()), url.QueryEscape(s.ClientSecret()))
		}, 200, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			f := newFlow()
			form := url.Values{
				"grant_type":    {"authorization_code"},
				"code":          {f.code(t, oauthConfig(s, oauth2.AuthStyleInHeader))},
				"redirect_uri":  {redirectURI},
				"code_verifier": {f.verifier},
			}
			req, _ := http.NewRequest(http.MethodPost, s.Issuer()+providertest.PathToken, nil)
			tt.auth(req, form, s)
			enc := form.Encode()
			req.Body = io.NopCloser(strings.NewReader(enc))
			req.ContentLength = int64(len(enc))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, body := do(t, req)
			if resp.StatusCode != tt.wantStatus || (tt.wantError != "" && body["error"] != tt.wantError) {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantError)
			}
			if got := resp.Header.Get("WWW-Authenticate") != ""; got != tt.wantBasic {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	first := newFlow().exchange(t, conf)

	refresh := func(rt string, extra url.Values) (*http.Response, map[string]any) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for k, v := range extra {
			form[k] = v
		}
		return postForm(t, s, providertest.PathToken, form, true)
	}

	resp, second := refresh(first.RefreshToken, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %v", resp.StatusCode, second)
	}
	newRT, _ := second["refresh_token"].(string)
	if newRT == "" || newRT == first.RefreshToken || second["access_token"] == first.AccessToken {
		t.Fatal("refresh did not issue new tokens")
	}
	if second["scope"] != "openid email profile" {
		t.Errorf("scope %v", second["scope"])
	}
	_, claims := jwtParts(t, second["id_token"].(string))
	if _, ok := claims["nonce"]; ok || claims["sub"] != "alice" {
		t.Errorf("refreshed ID token claims %v: want sub and no nonce", claims)
	}
	if _, err := verifier(t, s).Verify(context.Background(), second["id_token"].(string)); err != nil {
		t.Errorf("refreshed ID token: %v", err)
	}
	if s.IsRevoked(first.RefreshToken) {
		t.Error("rotation alone reports the old refresh token revoked")
	}

	// A narrower scope is allowed, a wider one is not.
	resp, third := refresh(newRT, url.Values{"scope": {"openid email"}})
	if resp.StatusCode != http.StatusOK || third["scope"] != "openid email" {
		t.Fatalf("narrowed refresh: %d %v", resp.StatusCode, third)
	}
	newestRT := third["refresh_token"].(string)
	if _, body := refresh(newestRT, url.Values{"scope": {"openid admin"}}); body["error"] != "invalid_scope" {
		t.Errorf("widened refresh: %v", body)
	}

	// Reusing a rotated refresh token revokes the grant.
	if _, body := refresh(first.RefreshToken, nil); body["error"] != "invalid_grant" {
		t.Fatalf("reused refresh token: %v", body)
	}
	for _, tok := range s.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s issued at %v survived the reuse of a rotated refresh token", tok.Type, tok.IssuedAt)
		}
	}
	if _, body := refresh(newestRT, nil); body["error"] != "invalid_grant" {
		t.Errorf("refresh token of a revoked grant: %v", body)
	}
	if st := s.Stats(); st.Refreshes != 2 || st.TokenRequests != 6 {
		t.Errorf("stats %+v", st)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	s := newServer(t, providertest.Config{DisableRefreshTokenRotation: true})
	tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))
	for range 2 {
		resp, body := postForm(t, s, providertest.PathToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, true)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh: %d %v", resp.StatusCode, body)
		}
		if _, ok := body["refresh_token"]; ok {
			t.Error("refresh_token in a response without rotation")
		}
	}
}

func TestGrantTypeErrors(t *testing.T) {
	s := newServer(t, providertest.Config{})
	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{}, "invalid_request"},
		{url.Values{"grant_type": {"password"}}, "unsupported_grant_type"},
		{url.Values{"grant_type": {"refresh_token"}}, "invalid_request"},
		{url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}}, "invalid_grant"},
		{url.Values{"grant_type": {"authorization_code", "refresh_token"}}, "invalid_request"},
	} {
		if _, body := postForm(t, s, providertest.PathToken, tt.form, true); body["error"] != tt.want {
			t.Errorf("%v: %v, want %s", tt.form, body, tt.want)
		}
	}
}

func TestRevocation(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)

	t.Run("access token", func(t *testing.T) {
		tok := newFlow().exchange(t, conf)
		resp, _ := postForm(t, s, providertest.PathRevoke, url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}, true)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		if !s.IsRevoked(tok.AccessToken) || s.IsRevoked(tok.RefreshToken) {
			t.Error("revoking the access token revoked the wrong tokens")
		}
		resp, _ = userinfo(t, s, tok.AccessToken)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("userinfo with a revoked token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("refresh token", func(t *testing.T) {
		tok := newFlow().exchange(t, conf)
		form := url.Values{"token": {tok.RefreshToken}, "client_id": {s.ClientID()}, "client_secret": {s.ClientSecret()}}
		if resp, _ := postForm(t, s, providertest.PathRevoke, form, false); resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		// RFC 7009 section 2.1: the grant's access tokens go too.
		if !s.IsRevoked(tok.RefreshToken) || !s.IsRevoked(tok.AccessToken) {
			t.Error("revoking the refresh token did not revoke the grant")
		}
		_, body := postForm(t, s, providertest.PathToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, true)
		if body["error"] != "invalid_grant" {
			t.Errorf("refresh with a revoked token: %v", body)
		}
		// Revoking again, or revoking garbage, is fine.
		for _, v := range []string{tok.RefreshToken, "unknown"} {
			if resp, _ := postForm(t, s, providertest.PathRevoke, url.Values{"token": {v}, "token_type_hint": {"bogus"}}, true); resp.StatusCode != http.StatusOK {
				t.Errorf("revoke %q: %d", v, resp.StatusCode)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		if resp, body := postForm(t, s, providertest.PathRevoke, url.Values{"token": {"x"}}, false); resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
			t.Errorf("unauthenticated: %d %v", resp.StatusCode, body)
		}
		if resp, body := postForm(t, s, providertest.PathRevoke, url.Values{}, true); resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_request" {
			t.Errorf("no token: %d %v", resp.StatusCode, body)
		}
	})
	if st := s.Stats(); st.RevocationRequests != 6 {
		t.Errorf("stats %+v", st)
	}
}

func TestKeyRotation(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	v := verifier(t, s)
	ctx := context.Background()

	old := idToken(t, newFlow().exchange(t, conf))
	firstKID := s.KeyIDs()[0]
	s.RotateKeys()
	if ids := s.KeyIDs(); len(ids) != 2 || ids[1] != firstKID || ids[0] == firstKID {
		t.Fatalf("after a rotation KeyIDs = %v", ids)
	}
	_, jwks := getJSON(t, s.Issuer()+providertest.PathJWKS)
	if n := len(jwks["keys"].([]any)); n != 2 {
		t.Fatalf("JWKS has %d keys after a rotation, want 2", n)
	}

	fresh := idToken(t, newFlow().exchange(t, conf))
	if h, _ := jwtParts(t, fresh); h["kid"] != s.KeyIDs()[0] {
		t.Errorf("new token kid %v, want the new key", h["kid"])
	}
	// The verifier cached the first key: the new kid makes it refetch.
	for name, raw := range map[string]string{"new": fresh, "old": old} {
		if _, err := v.Verify(ctx, raw); err != nil {
			t.Errorf("%s-key token: %v", name, err)
		}
	}

	s.RotateKeys()
	if _, err := verifier(t, s).Verify(ctx, old); err == nil {
		t.Error("a token of a withdrawn key still verifies")
	}
}

func TestUserinfo(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	tok := newFlow().exchange(t, conf)
	endpoint := s.Issuer() + providertest.PathUserinfo

	t.Run("POST with the token in the body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(url.Values{"access_token": {tok.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, body := do(t, req)
		if resp.StatusCode != http.StatusOK || body["sub"] != "alice" {
			t.Errorf("%d %v", resp.StatusCode, body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Error("userinfo is cacheable")
		}
	})
	t.Run("token in header and body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(url.Values{"access_token": {tok.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if resp, body := do(t, req); resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_request" {
			t.Errorf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("no token", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, endpoint, nil)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Bearer realm="providertest"` {
			t.Errorf("%d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("refresh token", func(t *testing.T) {
		if resp, _ := userinfo(t, s, tok.RefreshToken); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a refresh token works at userinfo: %d", resp.StatusCode)
		}
	})
	t.Run("expired token", func(t *testing.T) {
		clk := newClock()
		s := newServer(t, providertest.Config{Now: clk.Now, AccessTokenTTL: time.Minute})
		tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))
		clk.Advance(time.Minute)
		if resp, _ := userinfo(t, s, tok.AccessToken); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("an expired token works at userinfo: %d", resp.StatusCode)
		}
	})
	t.Run("claims follow scopes", func(t *testing.T) {
		conf := oauthConfig(s, oauth2.AuthStyleInHeader)
		conf.Scopes = []string{"openid"}
		tok := newFlow().exchange(t, conf)
		_, body := userinfo(t, s, tok.AccessToken)
		if len(body) != 1 || body["sub"] != "alice" {
			t.Errorf("openid-only userinfo: %v", body)
		}
		_, claims := jwtParts(t, idToken(t, tok))
		if _, ok := claims["email"]; ok {
			t.Errorf("openid-only ID token has email: %v", claims)
		}
	})
}

func TestGrantScopes(t *testing.T) {
	tests := []struct {
		name  string
		grant func([]string) []string
		want  string
	}{
		{"subset", func(req []string) []string {
			return slices.DeleteFunc(req, func(s string) bool { return s == "email" })
		}, "openid profile"},
		{"superset", func(req []string) []string { return append(req, "calendar") }, "openid email profile calendar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, providertest.Config{GrantScopes: tt.grant})
			tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))
			if got := tok.Extra("scope"); got != tt.want {
				t.Errorf("scope %v, want %q", got, tt.want)
			}
		})
	}
}

func TestExtraClaims(t *testing.T) {
	s := newServer(t, providertest.Config{})
	s.AddUser(providertest.User{Subject: "carol", Extra: map[string]any{
		"email_verified": "true", "groups": []string{"admins"}, "iss": "https://evil.example", "sub": "mallory",
	}})
	s.SetLogin("carol")
	tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))
	_, claims := jwtParts(t, idToken(t, tok))
	if claims["email_verified"] != "true" || claims["iss"] != s.Issuer() || claims["sub"] != "carol" {
		t.Errorf("claims %v", claims)
	}
	if _, info := userinfo(t, s, tok.AccessToken); info["sub"] != "carol" || info["groups"] == nil {
		t.Errorf("userinfo %v", info)
	}
	if u, ok := s.User("carol"); !ok || u.Extra["groups"] == nil {
		t.Errorf("User(carol) = %+v, %t", u, ok)
	}
}

func TestAddUserWithoutSubjectPanics(t *testing.T) {
	s := newServer(t, providertest.Config{})
	defer func() {
		if recover() == nil {
			t.Error("AddUser without a Subject did not panic")
		}
	}()
	s.AddUser(providertest.User{Email: "x@example.com"})
}

func TestTokensIntrospection(t *testing.T) {
	clk := newClock()
	s := newServer(t, providertest.Config{Now: clk.Now})
	tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))
	got := s.Tokens()
	if len(got) != 2 {
		t.Fatalf("%d tokens", len(got))
	}
	at, rt := got[0], got[1]
	if at.Value != tok.AccessToken || at.Type != "access_token" || at.Subject != "alice" || at.ClientID != s.ClientID() ||
		!at.IssuedAt.Equal(clk.Now()) || !at.ExpiresAt.Equal(clk.Now().Add(providertest.DefaultAccessTokenTTL)) {
		t.Errorf("access token info %+v", at)
	}
	if rt.Value != tok.RefreshToken || rt.Type != "refresh_token" || !rt.ExpiresAt.IsZero() || rt.Rotated || rt.Revoked {
		t.Errorf("refresh token info %+v", rt)
	}
}
