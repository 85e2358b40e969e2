package oidc_test

import (
	"context"
	"errors"
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

func TestExchange(t *testing.T) {
	clk := newClock()
	srv := newServer(t, providertest.Config{Now: clk.Now})
	cfg := config(srv)
	cfg.HTTP.Now = clk.Now
	p := newProvider(t, cfg)

	id, tok, f, err := exchange(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "alice" || id.EmailAddress != "alice@example.com" || id.EmailVerified == nil || !*id.EmailVerified ||
		id.FirstName != "Alice" || id.LastName != "Liddell" || id.AvatarURL != "https://example.com/alice.png" || id.Username != "alice" {
		t.Errorf("identity %+v", id)
	}
	if id.Claims["iss"] != srv.Issuer() || id.Claims["nonce"] != f.nonce {
		t.Errorf("claims %v", id.Claims)
	}
	issued := srv.Tokens()
	if len(issued) != 2 || tok.AccessToken != issued[0].Value || tok.RefreshToken != issued[1].Value {
		t.Fatal("the token is not what the provider issued")
	}
	if tok.TokenType != "Bearer" || tok.IDToken == "" || !tok.Expiry.Equal(clk.Now().Add(time.Hour)) {
		t.Errorf("token type %q, ID token %t, expiry %v", tok.TokenType, tok.IDToken != "", tok.Expiry)
	}
	if !slices.Equal(tok.Scopes, []string{"openid", "email", "profile"}) {
		t.Errorf("scopes %v", tok.Scopes)
	}
	st := srv.Stats()
	if st.TokenRequests != 1 || st.CodeExchanges != 1 || st.UserinfoRequests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestExchangeGrantedScopes(t *testing.T) {
	srv := newServer(t, providertest.Config{GrantScopes: func(req []string) []string {
		return slices.DeleteFunc(req, func(s string) bool { return s == "email" })
	}})
	_, tok, _, err := exchange(t, newProvider(t, config(srv)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tok.Scopes, []string{"openid", "profile"}) {
		t.Errorf("scopes %v, want what the provider granted", tok.Scopes)
	}
}

func TestExchangeUserinfo(t *testing.T) {
	tests := []struct {
		name         string
		skipUserinfo bool
		wantEmail    string
		wantRequests int
	}{
		{"userinfo fills what the ID token lacks", false, "alice@example.com", 1},
		{"SkipUserinfo", true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, providertest.Config{})
			srv.SetFaults(providertest.Faults{IDTokenClaims: map[string]any{"email": nil, "email_verified": nil}})
			cfg := config(srv)
			cfg.SkipUserinfo = tt.skipUserinfo
			id, _, _, err := exchange(t, newProvider(t, cfg))
			if err != nil {
				t.Fatal(err)
			}
			if id.EmailAddress != tt.wantEmail || srv.Stats().UserinfoRequests != tt.wantRequests {
				t.Errorf("email %q after %d userinfo requests", id.EmailAddress, srv.Stats().UserinfoRequests)
			}
		})
	}
}

func TestExchangeIdentityMapping(t *testing.T) {
	tests := []struct {
		name  string
		user  providertest.User
		check func(t *testing.T, id *provider.Identity)
	}{
		{"name split on the first space", providertest.User{Subject: "b", Name: "Ada King Lovelace"}, func(t *testing.T, id *provider.Identity) {
			if id.FirstName != "Ada" || id.LastName != "King Lovelace" {
				t.Errorf("names %q %q", id.FirstName, id.LastName)
			}
		}},
		{"email_verified as a string", providertest.User{Subject: "c", Email: "c@example.com", Extra: map[string]any{"email_verified": "false"}}, func(t *testing.T, id *provider.Identity) {
			if id.EmailVerified == nil || *id.EmailVerified {
				t.Errorf("email_verified %v", id.EmailVerified)
			}
		}},
		{"email_verified absent", providertest.User{Subject: "d", Email: "d@example.com"}, func(t *testing.T, id *provider.Identity) {
			if id.EmailVerified != nil {
				t.Errorf("email_verified %v", *id.EmailVerified)
			}
		}},
		{"extra claims kept", providertest.User{Subject: "e", Extra: map[string]any{"groups": []string{"admins"}}}, func(t *testing.T, id *provider.Identity) {
			if id.Claims["groups"] == nil || id.Username != "" {
				t.Errorf("claims %v", id.Claims)
			}
		}},
	}
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.AddUser(tt.user)
			srv.SetLogin(tt.user.Subject)
			id, _, _, err := exchange(t, p)
			if err != nil {
				t.Fatal(err)
			}
			if id.ProviderUserID != tt.user.Subject {
				t.Errorf("sub %q", id.ProviderUserID)
			}
			tt.check(t, id)
		})
	}
}

// idTokenChecks maps each providertest fault to the check that must fail.
var idTokenChecks = map[providertest.IDTokenFault]string{
	providertest.IDTokenWrongIssuer:     "another issuer (iss)",
	providertest.IDTokenWrongAudience:   "another audience (aud)",
	providertest.IDTokenMissingAudience: "another audience (aud)",
	providertest.IDTokenExtraAudience:   "several audiences and no authorized party (azp)",
	providertest.IDTokenWrongAZP:        "another authorized party (azp)",
	providertest.IDTokenWrongNonce:      "nonce that does not match",
	providertest.IDTokenMissingNonce:    "nonce that does not match",
	providertest.IDTokenMissingSub:      "no subject (sub)",
	providertest.IDTokenMissingIAT:      "no issue time (iat)",
	providertest.IDTokenExpired:         "has expired (exp)",
	providertest.IDTokenIssuedInFuture:  "issued in the future (iat)",
	providertest.IDTokenWrongAtHash:     "access token hash (at_hash)",
	providertest.IDTokenBadSignature:    "signature that does not verify",
	providertest.IDTokenAlgNone:         "algorithm that is not allowed",
	providertest.IDTokenOmitted:         "missing from the token response",
	providertest.IDTokenMalformed:       "not a well-formed signed JWT",
}

func TestExchangeIDTokenFaults(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	for _, fault := range providertest.IDTokenFaults {
		t.Run(string(fault), func(t *testing.T) {
			want, ok := idTokenChecks[fault]
			if !ok {
				t.Fatalf("no expectation for %s", fault)
			}
			srv.SetFaults(providertest.Faults{IDToken: fault})
			defer srv.SetFaults(providertest.Faults{})
			id, tok, _, err := exchange(t, p)
			if !errors.Is(err, verification.ErrIDTokenInvalid) {
				t.Fatalf("error %v, want ErrIDTokenInvalid", err)
			}
			if id != nil || tok != nil {
				t.Error("a failed exchange returned an identity or a token")
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		})
	}
	// The provider still works once the faults are gone.
	if _, _, _, err := exchange(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestExchangeAlgorithmAllowlist(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	cfg.SigningAlgorithms = []string{"ES256", "none"}
	_, _, _, err := exchange(t, newProvider(t, cfg))
	if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), "algorithm that is not allowed") {
		t.Errorf("RS256 token with an ES256 allowlist: %v", err)
	}
}

func TestExchangeAcrossKeyRotation(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	for i := range 3 {
		if _, _, _, err := exchange(t, p); err != nil {
			t.Fatalf("exchange after %d rotations: %v", i, err)
		}
		srv.RotateKeys()
	}
}

func TestExchangeClockSkew(t *testing.T) {
	tests := []struct {
		name    string
		offset  time.Duration // provider clock minus server clock
		skew    time.Duration
		wantErr string
	}{
		{"behind within skew", -30 * time.Second, 0, ""},
		{"behind beyond skew", -2 * time.Minute, 0, "issued in the future"},
		{"behind within a larger skew", -2 * time.Minute, 5 * time.Minute, ""},
		{"ahead, expired within skew", 90 * time.Second, 0, ""},
		{"ahead, expired beyond skew", 3 * time.Minute, 0, "has expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			srv := newServer(t, providertest.Config{Now: clk.Now, IDTokenTTL: time.Minute})
			cfg := config(srv)
			cfg.HTTP.Now = func() time.Time { return clk.Now().Add(tt.offset) }
			cfg.ClockSkew = tt.skew
			_, _, _, err := exchange(t, newProvider(t, cfg))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr != "" && (!errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestExchangeUserinfoErrors(t *testing.T) {
	tests := []struct {
		name   string
		faults providertest.Faults
		want   string
	}{
		{"sub mismatch", providertest.Faults{UserinfoSubject: "mallory"}, "userinfo sub mismatch"},
		{"server error", providertest.Faults{UserinfoStatus: 500}, "HTTP 500 with error server_error"},
		{"unauthorized", providertest.Faults{UserinfoStatus: 401}, "HTTP 401 with error invalid_token"},
	}
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFaults(tt.faults)
			defer srv.SetFaults(providertest.Faults{})
			_, _, _, err := exchange(t, p)
			if !errors.Is(err, verification.ErrFetchUser) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrFetchUser saying %q", err, tt.want)
			}
		})
	}
	t.Run("SkipUserinfo ignores userinfo", func(t *testing.T) {
		srv.SetFaults(providertest.Faults{UserinfoSubject: "mallory"})
		defer srv.SetFaults(providertest.Faults{})
		cfg := config(srv)
		cfg.SkipUserinfo = true
		if _, _, _, err := exchange(t, newProvider(t, cfg)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExchangeTokenErrors(t *testing.T) {
	tests := []struct {
		name     string
		fault    *providertest.TokenError
		mutate   func(*provider.ExchangeRequest)
		want     string
		dontWant string
	}{
		{name: "invalid_grant", fault: &providertest.TokenError{Code: "invalid_grant", Description: "DESCRIPTION-MARKER"}, want: "HTTP 400 with error invalid_grant", dontWant: "DESCRIPTION-MARKER"},
		{name: "server_error", fault: &providertest.TokenError{Status: 503, Code: "temporarily_unavailable"}, want: "HTTP 503 with error temporarily_unavailable"},
		{name: "HTTP 200 with an error", fault: &providertest.TokenError{Status: 200, Code: "invalid_grant"}, want: "HTTP 200 with error invalid_grant"},
		{name: "error code that is not a token", fault: &providertest.TokenError{Code: "Bad <b>code</b>"}, want: "HTTP 400.", dontWant: "Bad"},
		{name: "PKCE mismatch", mutate: func(r *provider.ExchangeRequest) { r.CodeVerifier = strings.Repeat("v", 43) }, want: "invalid_grant"},
		{name: "other redirect URI", mutate: func(r *provider.ExchangeRequest) { r.RedirectURI += "/other" }, want: "invalid_grant"},
		{name: "no code", mutate: func(r *provider.ExchangeRequest) { r.Code = "" }, want: "no authorization code"},
	}
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := authorize(t, p)
			if tt.fault != nil {
				srv.SetFaults(providertest.Faults{Token: tt.fault})
				defer srv.SetFaults(providertest.Faults{})
			}
			req := f.request()
			if tt.mutate != nil {
				tt.mutate(&req)
			}
			_, _, err := p.Exchange(context.Background(), req)
			if !errors.Is(err, verification.ErrTokenExchange) {
				t.Fatalf("error %v, want ErrTokenExchange", err)
			}
			if !strings.Contains(err.Error(), tt.want) || (tt.dontWant != "" && strings.Contains(err.Error(), tt.dontWant)) {
				t.Errorf("error %q: want %q, not %q", err, tt.want, tt.dontWant)
			}
		})
	}
}

func TestExchangeCodeReplay(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	f := authorize(t, p)
	_, tok, err := p.Exchange(context.Background(), f.request())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.Exchange(context.Background(), f.request())
	if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("replay: %v", err)
	}
	if !srv.IsRevoked(tok.AccessToken) {
		t.Error("the replay did not revoke the first exchange's tokens")
	}
	if st := srv.Stats(); st.TokenRequests != 2 {
		t.Errorf("%d token requests: a code was sent more than once per exchange", st.TokenRequests)
	}
}

func TestAuthStyle(t *testing.T) {
	basicOnly := []string{providertest.AuthMethodBasic}
	postOnly := []string{providertest.AuthMethodPost}
	tests := []struct {
		name    string
		methods []string
		style   oauth2.AuthStyle
		wantErr bool
	}{
		{"discovered basic", basicOnly, 0, false},
		{"discovered post", postOnly, 0, false},
		{"discovered both: basic", nil, 0, false},
		{"explicit basic", basicOnly, oauth2.AuthStyleInHeader, false},
		{"explicit post", postOnly, oauth2.AuthStyleInParams, false},
		{"explicit post to basic-only", basicOnly, oauth2.AuthStyleInParams, true},
		{"explicit basic to post-only", postOnly, oauth2.AuthStyleInHeader, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, providertest.Config{AuthMethods: tt.methods})
			cfg := config(srv)
			cfg.AuthStyle = tt.style
			p := newProvider(t, cfg)
			_, tok, _, err := exchange(t, p)
			if tt.wantErr {
				if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "HTTP 401 with error invalid_client") {
					t.Fatalf("error %v, want invalid_client", err)
				}
				// No second try the other way: the code was sent once.
				if n := srv.Stats().TokenRequests; n != 1 {
					t.Errorf("%d token requests", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Refresh and revocation authenticate the same way.
			if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); err != nil {
				t.Errorf("Refresh: %v", err)
			}
			if err := p.Revoke(context.Background(), tok.AccessToken, "access_token"); err != nil || !srv.IsRevoked(tok.AccessToken) {
				t.Errorf("Revoke: %v", err)
			}
		})
	}
}

func TestExchangeTimeout(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	cfg.HTTP.Timeout = time.Second // long enough for discovery on a busy machine
	p := newProvider(t, cfg)

	t.Run("Config.Timeout", func(t *testing.T) {
		f := authorize(t, p)
		srv.SetFaults(providertest.Faults{Delay: time.Minute})
		defer srv.SetFaults(providertest.Faults{})
		start := time.Now()
		_, _, err := p.Exchange(context.Background(), f.request())
		if !errors.Is(err, verification.ErrTokenExchange) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want ErrTokenExchange and DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "did not answer in time (1s)") {
			t.Errorf("error %q", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("caller's context", func(t *testing.T) {
		cfg := config(srv)
		p := newProvider(t, cfg) // default timeout: 10s
		f := authorize(t, p)
		srv.SetFaults(providertest.Faults{Delay: time.Minute})
		defer srv.SetFaults(providertest.Faults{})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, _, err := p.Exchange(ctx, f.request())
		if !errors.Is(err, verification.ErrTokenExchange) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want ErrTokenExchange and Canceled", err)
		}
	})
}

func TestExchangeOversizedResponse(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	cfg := config(srv)
	cfg.HTTP.MaxResponseBytes = 8 << 10
	p := newProvider(t, cfg)
	for _, size := range []int{16 << 10, 4 << 20} { // buffered with a Content-Length, and streamed
		f := authorize(t, p)
		srv.SetFaults(providertest.Faults{OversizeBody: size})
		_, _, err := p.Exchange(context.Background(), f.request())
		srv.SetFaults(providertest.Faults{})
		if !errors.Is(err, verification.ErrTokenExchange) || !errors.Is(err, oidc.ErrResponseTooLarge) {
			t.Fatalf("%d-byte response: %v", size, err)
		}
		if !strings.Contains(err.Error(), "too large") {
			t.Errorf("error %q", err)
		}
	}
	// Just under the limit is fine.
	if _, _, _, err := exchange(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestExchangeWithRegistry(t *testing.T) {
	srv := newServer(t, providertest.Config{})
	p := newProvider(t, config(srv))
	reg, err := provider.NewRegistry(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Lookup(devStrategy)
	if err != nil || got != provider.Provider(p) {
		t.Fatalf("Lookup: %v", err)
	}
	if _, ok := got.(provider.Refresher); !ok {
		t.Error("not a Refresher")
	}
	if _, ok := got.(provider.Revoker); !ok {
		t.Error("not a Revoker")
	}
}
