package providertest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider/providertest"
)

func TestAuthorizeFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   providertest.Faults
		check    func(t *testing.T, s *providertest.Server, q map[string][]string)
		wantCode bool
	}{
		{"authorize error", providertest.Faults{AuthorizeError: "access_denied"}, func(t *testing.T, s *providertest.Server, q map[string][]string) {
			if q["error"][0] != "access_denied" || q["state"] == nil || q["iss"][0] != s.Issuer() {
				t.Errorf("callback %v", q)
			}
		}, false},
		{"other iss", providertest.Faults{CallbackIssuer: "https://attacker.example"}, func(t *testing.T, _ *providertest.Server, q map[string][]string) {
			if q["iss"][0] != "https://attacker.example" {
				t.Errorf("iss %v", q["iss"])
			}
		}, true},
		{"no iss", providertest.Faults{OmitCallbackIssuer: true}, func(t *testing.T, _ *providertest.Server, q map[string][]string) {
			if _, ok := q["iss"]; ok {
				t.Errorf("iss %v", q["iss"])
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, providertest.Config{})
			s.SetFaults(tt.faults)
			cb, err := providertest.Authorize(context.Background(), nil, newFlow().authURL(oauthConfig(s, oauth2.AuthStyleInHeader)))
			if err != nil {
				t.Fatal(err)
			}
			q := cb.Query()
			if (q.Get("code") != "") != tt.wantCode {
				t.Errorf("code in callback: %t, want %t", q.Get("code") != "", tt.wantCode)
			}
			tt.check(t, s, q)
			// Discovery still advertises the parameter.
			if _, d := getJSON(t, s.Issuer()+providertest.PathDiscovery); d["authorization_response_iss_parameter_supported"] != true {
				t.Error("discovery stopped advertising iss")
			}
		})
	}
}

func TestTokenFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      providertest.TokenError
		wantStatus int
	}{
		{"invalid_grant", providertest.TokenError{Code: "invalid_grant", Description: "nope"}, 400},
		{"server_error", providertest.TokenError{Status: 500, Code: "server_error"}, 500},
		{"200 with error", providertest.TokenError{Status: 200, Code: "invalid_grant"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, providertest.Config{})
			conf := oauthConfig(s, oauth2.AuthStyleInHeader)
			f := newFlow()
			code := f.code(t, conf)
			s.SetFaults(providertest.Faults{Token: &tt.fault})
			_, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(f.verifier))
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != tt.fault.Code || re.Response.StatusCode != tt.wantStatus || re.ErrorDescription != tt.fault.Description {
				t.Fatalf("Exchange error %v", err)
			}
			// The fault answered before the code was looked at.
			s.SetFaults(providertest.Faults{})
			if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(f.verifier)); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

func TestIDTokenFaults(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	v := verifier(t, s)
	otherClient := "another-client"
	checks := map[providertest.IDTokenFault]func(t *testing.T, raw string, tok *oauth2.Token, f flow){}
	claimIs := func(k string, want any) func(*testing.T, string, *oauth2.Token, flow) {
		return func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
			if _, c := jwtParts(t, raw); c[k] != want {
				t.Errorf("%s = %v, want %v", k, c[k], want)
			}
		}
	}
	absent := func(keys ...string) func(*testing.T, string, *oauth2.Token, flow) {
		return func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
			_, c := jwtParts(t, raw)
			for _, k := range keys {
				if _, ok := c[k]; ok {
					t.Errorf("claim %s present", k)
				}
			}
		}
	}
	checks[providertest.IDTokenWrongIssuer] = claimIs("iss", s.Issuer()+"/other")
	checks[providertest.IDTokenWrongAudience] = func(t *testing.T, raw string, tok *oauth2.Token, f flow) {
		claimIs("aud", otherClient)(t, raw, tok, f)
		absent("azp")(t, raw, tok, f)
	}
	checks[providertest.IDTokenExtraAudience] = func(t *testing.T, raw string, tok *oauth2.Token, f flow) {
		_, c := jwtParts(t, raw)
		if aud := stringList(c["aud"]); len(aud) != 2 || aud[0] != s.ClientID() {
			t.Errorf("aud %v", c["aud"])
		}
		absent("azp")(t, raw, tok, f)
	}
	checks[providertest.IDTokenMissingAudience] = absent("aud", "azp")
	checks[providertest.IDTokenWrongAZP] = claimIs("azp", otherClient)
	checks[providertest.IDTokenWrongNonce] = func(t *testing.T, raw string, _ *oauth2.Token, f flow) {
		if _, c := jwtParts(t, raw); c["nonce"] == nil || c["nonce"] == f.nonce {
			t.Errorf("nonce %v", c["nonce"])
		}
	}
	checks[providertest.IDTokenMissingNonce] = absent("nonce")
	checks[providertest.IDTokenMissingSub] = absent("sub")
	checks[providertest.IDTokenMissingIAT] = absent("iat")
	checks[providertest.IDTokenExpired] = func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
		if _, c := jwtParts(t, raw); int64(c["exp"].(float64)) >= time.Now().Unix() {
			t.Errorf("exp %v is not past", c["exp"])
		}
	}
	checks[providertest.IDTokenIssuedInFuture] = func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
		if _, c := jwtParts(t, raw); int64(c["iat"].(float64)) <= time.Now().Add(30*time.Minute).Unix() {
			t.Errorf("iat %v is not in the future", c["iat"])
		}
	}
	checks[providertest.IDTokenWrongAtHash] = func(t *testing.T, raw string, tok *oauth2.Token, _ flow) {
		idt, err := v.Verify(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if idt.VerifyAccessToken(tok.AccessToken) == nil {
			t.Error("at_hash matches")
		}
	}
	checks[providertest.IDTokenBadSignature] = func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
		if h, _ := jwtParts(t, raw); h["kid"] != s.KeyIDs()[0] {
			t.Errorf("kid %v, want the current one", h["kid"])
		}
		if _, err := v.Verify(context.Background(), raw); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("go-oidc: %v", err)
		}
	}
	checks[providertest.IDTokenAlgNone] = func(t *testing.T, raw string, _ *oauth2.Token, _ flow) {
		if h, _ := jwtParts(t, raw); h["alg"] != "none" || !strings.HasSuffix(raw, ".") {
			t.Errorf("header %v", h)
		}
	}

	for _, fault := range providertest.IDTokenFaults {
		t.Run(string(fault), func(t *testing.T) {
			s.SetFaults(providertest.Faults{IDToken: fault})
			f := newFlow()
			tok := f.exchange(t, conf)
			raw, _ := tok.Extra("id_token").(string)
			switch fault {
			case providertest.IDTokenOmitted:
				if raw != "" {
					t.Error("id_token present")
				}
				return
			case providertest.IDTokenMalformed:
				if strings.Count(raw, ".") == 2 {
					t.Errorf("well-formed: %q", raw)
				}
				return
			}
			check, ok := checks[fault]
			if !ok {
				t.Fatalf("no check for %s", fault)
			}
			check(t, raw, tok, f)
			if fault != providertest.IDTokenWrongAtHash && fault != providertest.IDTokenMissingSub &&
				fault != providertest.IDTokenMissingIAT && fault != providertest.IDTokenMissingNonce &&
				fault != providertest.IDTokenWrongNonce && fault != providertest.IDTokenWrongAZP &&
				fault != providertest.IDTokenExtraAudience && fault != providertest.IDTokenIssuedInFuture {
				// The faults go-oidc itself catches.
				if _, err := v.Verify(context.Background(), raw); err == nil {
					t.Error("go-oidc accepts the token")
				}
			}
		})
	}

	t.Run("claim overrides", func(t *testing.T) {
		s.SetFaults(providertest.Faults{IDTokenClaims: map[string]any{"email": nil, "acr": "urn:x"}})
		tok := newFlow().exchange(t, conf)
		_, c := jwtParts(t, idToken(t, tok))
		if _, ok := c["email"]; ok || c["acr"] != "urn:x" {
			t.Errorf("claims %v", c)
		}
	})
}

func TestUserinfoFaults(t *testing.T) {
	s := newServer(t, providertest.Config{})
	tok := newFlow().exchange(t, oauthConfig(s, oauth2.AuthStyleInHeader))

	s.SetFaults(providertest.Faults{UserinfoSubject: "mallory"})
	if _, body := userinfo(t, s, tok.AccessToken); body["sub"] != "mallory" || body["email"] != "alice@example.com" {
		t.Errorf("userinfo %v", body)
	}
	for _, status := range []int{400, 401, 403, 500, 503} {
		s.SetFaults(providertest.Faults{UserinfoStatus: status})
		resp, body := userinfo(t, s, tok.AccessToken)
		if resp.StatusCode != status || body["error"] == nil {
			t.Errorf("UserinfoStatus %d: %d %v", status, resp.StatusCode, body)
		}
		if want := status < 500; (resp.Header.Get("WWW-Authenticate") != "") != want {
			t.Errorf("UserinfoStatus %d: WWW-Authenticate %q", status, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestDelayFault(t *testing.T) {
	s := newServer(t, providertest.Config{})
	s.SetFaults(providertest.Faults{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Issuer()+providertest.PathDiscovery, nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow provider: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}

	s.SetFaults(providertest.Faults{Delay: 50 * time.Millisecond})
	start = time.Now()
	if resp, _ := getJSON(t, s.Issuer()+providertest.PathDiscovery); resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered in %v, before the delay", d)
	}
}

func TestOversizeFault(t *testing.T) {
	s := newServer(t, providertest.Config{})
	s.SetFaults(providertest.Faults{OversizeBody: 2 << 20})
	for _, path := range []string{providertest.PathDiscovery, providertest.PathJWKS} {
		resp, body := getJSON(t, s.Issuer()+path)
		if resp.StatusCode != http.StatusOK || len(body["x_padding"].(string)) != 2<<20 {
			t.Errorf("%s: not padded", path)
		}
	}
}

func TestFaultsAreCopied(t *testing.T) {
	s := newServer(t, providertest.Config{})
	te := &providertest.TokenError{Code: "invalid_grant"}
	claims := map[string]any{"acr": "1"}
	s.SetFaults(providertest.Faults{Token: te, IDTokenClaims: claims})
	te.Code = "changed"
	claims["acr"] = "changed"
	f := s.Faults()
	if f.Token.Code != "invalid_grant" || f.IDTokenClaims["acr"] != "1" {
		t.Errorf("SetFaults kept the caller's pointer or map: %+v", f)
	}
}

func TestFaultsChangeWhileServing(t *testing.T) {
	s := newServer(t, providertest.Config{})
	conf := oauthConfig(s, oauth2.AuthStyleInHeader)
	stop := make(chan struct{})
	var changer sync.WaitGroup
	changer.Go(func() {
		faults := []providertest.Faults{{}, {IDToken: providertest.IDTokenExpired}, {UserinfoSubject: "x"}, {OversizeBody: 10}}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				s.SetFaults(faults[i%len(faults)])
				if i%50 == 0 {
					s.RotateKeys()
				}
			}
		}
	})
	var flows sync.WaitGroup
	for range 4 {
		flows.Go(func() {
			for range 3 {
				f := newFlow()
				cb, err := providertest.Authorize(context.Background(), nil, f.authURL(conf))
				if err != nil {
					t.Error(err)
					return
				}
				tok, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(f.verifier))
				if err != nil {
					t.Error(err)
					return
				}
				req, _ := http.NewRequest(http.MethodGet, s.Issuer()+providertest.PathUserinfo, nil)
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				_ = s.Tokens()
				_ = s.Stats()
			}
		})
	}
	flows.Wait()
	close(stop)
	changer.Wait()
}
