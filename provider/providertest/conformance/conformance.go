package conformance

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// Run runs the conformance suite on the provider h declares. Each subtest
// starts its own fake server and its own provider with h.New.
func Run(t *testing.T, h Harness) {
	t.Helper()
	signer, err := providertest.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	s := &suite{h: &h, signer: signer}
	plan{
		invalid: h.check(),
		first: []subtest{
			{"Metadata", s.testMetadata},
			{"Capabilities", s.testCapabilities},
			{"AuthCodeURL", s.testAuthCodeURL},
		},
		exchange: s.testExchange,
		then: []subtest{
			{"Exchange/TokenError400", func(t *testing.T) { s.testTokenFault(t, token400, http.StatusBadRequest, "invalid_grant") }},
			{"Exchange/TokenError200", func(t *testing.T) { s.testTokenFault(t, token200Error, http.StatusOK, "bad_verification_code") }},
			{"Exchange/TokenNotJSON", func(t *testing.T) { s.testTokenFault(t, tokenNotJSON, 0, "") }},
			{"Exchange/TokenWithoutAccessToken", func(t *testing.T) { s.testTokenFault(t, tokenNoAccessToken, 0, "") }},
			{"Exchange/ProfileError200", s.testProfileError},
			{"Exchange/IDTokenWrongNonce", s.testWrongNonce},
			{"Refresh", s.testRefresh},
			{"Revoke", s.testRevoke},
			{"VerifyIDToken", s.testVerifyIDToken},
			{"NoSecretInProvider", s.testPrintProvider},
		},
		example: s.testExample,
	}.run(t, h.Examples)
}

// check reports a harness the suite cannot run.
func (h *Harness) check() error {
	switch {
	case h.New == nil:
		return errors.New("New is required")
	case h.Strategy == "" || h.Title == "":
		return errors.New("Strategy and Title are required")
	case h.Authorize.Path == "" || h.Token.Path == "":
		return errors.New("Authorize.Path and Token.Path are required")
	case h.Token.Auth != AuthBasic && h.Token.Auth != AuthPost:
		return errors.New("Token.Auth must be AuthBasic or AuthPost")
	case h.IDToken == nil && len(h.Profile.Routes) == 0 && !h.Profile.FromToken:
		return errors.New("a provider without IDToken needs Profile.Routes or Profile.FromToken")
	case h.Profile.FromToken && h.Token.Extra == nil:
		return errors.New("Profile.FromToken needs Token.Extra")
	case h.IDToken != nil && h.IDToken.JWKSPath == "" && !h.IDToken.ClientSecretHS256:
		return errors.New("IDToken.JWKSPath is required")
	case h.IDToken != nil && h.IDToken.ClientSecretHS256 && (h.VerifiesIDTokens || h.IDToken.Discovery):
		return errors.New("IDToken.ClientSecretHS256 excludes VerifiesIDTokens and Discovery")
	case h.VerifiesIDTokens && h.IDToken == nil:
		return errors.New("VerifiesIDTokens needs IDToken")
	case h.Refresh != nil && !h.Token.RefreshToken:
		return errors.New("Refresh needs Token.RefreshToken")
	case h.Revoke != nil && !h.Revoke.Unsupported && h.Revoke.Path == "":
		return errors.New("Revoke.Path is required")
	case h.Revoke != nil && h.Revoke.TokenIn == InJSON && h.Revoke.JSONMember == "":
		return errors.New("Revoke.JSONMember is required with InJSON")
	case h.Revoke != nil && h.Revoke.TokenIn == InFormParam && h.Revoke.FormParam == "":
		return errors.New("Revoke.FormParam is required with InFormParam")
	}
	return checkRoutes(h.Profile.Routes, h.Examples, h.IDToken != nil)
}

// suite is one run.
type suite struct {
	h      *Harness
	signer *providertest.Signer
}

// start starts a fake and the provider under test on it.
func (s *suite) start(t *testing.T) (*fake, provider.Provider) {
	t.Helper()
	f := newFake(t, s.h, s.signer)
	return f, build(t, s.h.New, f.Server)
}

// flow is one authorization: its request and the browser's callback.
type flow struct {
	req      provider.AuthRequest
	verifier string
	callback url.Values
}

// authorize builds an authorization request, checks the URL the provider
// makes of it, and plays the browser at the fake as u.
func (s *suite) authorize(t *testing.T, f *fake, p provider.Provider, u User) flow {
	t.Helper()
	fl := flow{verifier: random(32)}
	fl.req = provider.AuthRequest{
		State: "state-" + random(16), CodeChallenge: s256(fl.verifier),
		RedirectURI: f.URL + callbackPath, Scopes: s.h.DefaultScopes, Offline: s.h.Refresh != nil,
	}
	if s.h.IDToken != nil {
		fl.req.Nonce = "nonce-" + random(16)
	}
	f.secrets.add(fl.verifier, fl.req.Nonce, fl.req.State)
	raw, err := p.AuthCodeURL(context.Background(), fl.req)
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("AuthCodeURL: %v", err)
	}
	s.checkAuthURL(t, f, raw, fl.req, fl.req.Scopes)
	f.setLogin(u)
	fl.callback = browse(t, f.Client, raw)
	if got := fl.callback.Get("state"); got != fl.req.State {
		t.Fatalf("callback state %q, want the request's", got)
	}
	return fl
}

// exchange redeems the flow's code as the account Service would.
func (s *suite) exchange(ctx context.Context, p provider.Provider, fl flow) (*provider.Identity, *provider.Token, error) {
	params := map[string][]string{}
	for k, v := range fl.callback {
		if k != "code" && k != "state" && k != "iss" {
			params[k] = v
		}
	}
	return p.Exchange(ctx, provider.ExchangeRequest{
		Code: fl.callback.Get("code"), CodeVerifier: fl.verifier, RedirectURI: fl.req.RedirectURI,
		Nonce: fl.req.Nonce, Params: params,
	})
}

// checkAuthURL checks the authorization URL against req and the harness.
func (s *suite) checkAuthURL(t *testing.T, f *fake, raw string, req provider.AuthRequest, scopes []string) {
	t.Helper()
	a := s.h.Authorize
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("AuthCodeURL returned %q: %v", raw, err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, f.URL+f.path(a.Path); got != want {
		t.Errorf("authorization endpoint %s, want %s", got, want)
	}
	q := u.Query()
	want := url.Values{
		"response_type": {"code"}, f.clientIDParam(): {f.ClientID}, "redirect_uri": {req.RedirectURI},
		"state": {req.State},
	}
	absent := []string{}
	if len(scopes) > 0 {
		want["scope"] = []string{strings.Join(scopes, cmp.Or(a.ScopeSeparator, " "))}
	} else {
		absent = append(absent, "scope") // no scopes: no empty scope parameter
	}
	if a.PKCE {
		want["code_challenge"], want["code_challenge_method"] = []string{req.CodeChallenge}, []string{"S256"}
	} else {
		absent = append(absent, "code_challenge", "code_challenge_method")
	}
	if s.h.IDToken != nil {
		want["nonce"] = []string{req.Nonce}
	} else {
		absent = append(absent, "nonce")
	}
	for k, v := range a.Params {
		want[k] = v
	}
	if req.Offline {
		for k, v := range a.OfflineParams {
			want[k] = v
		}
	}
	for k, v := range want {
		if !slices.Equal(q[k], v) {
			t.Errorf("authorization parameter %s = %q, want %q", k, q[k], v)
		}
	}
	for _, k := range absent {
		if q.Has(k) {
			t.Errorf("authorization parameter %s is sent, but the harness declares none", k)
		}
	}
}

func (s *suite) testMetadata(t *testing.T) {
	f, p := s.start(t)
	md := checkNames(t, p, s.h.Strategy, s.h.Title)
	if !slices.Equal(md.DefaultScopes, s.h.DefaultScopes) {
		t.Errorf("Metadata().DefaultScopes = %q, want %q", md.DefaultScopes, s.h.DefaultScopes)
	}
	if md.OpenID != (s.h.IDToken != nil) {
		t.Errorf("Metadata().OpenID = %v, but the harness declares IDToken %v", md.OpenID, s.h.IDToken != nil)
	}
	wantIssuer := ""
	if s.h.IDToken != nil && !s.h.IDToken.IssuerTemplate {
		wantIssuer = f.issuer()
	}
	if md.Issuer != wantIssuer {
		t.Errorf("Metadata().Issuer = %q, want %q", md.Issuer, wantIssuer)
	}
	if md.IssuerParameterSupported != s.h.Authorize.IssuerParameter {
		t.Errorf("Metadata().IssuerParameterSupported = %t, want %t (Authorize.IssuerParameter)", md.IssuerParameterSupported, s.h.Authorize.IssuerParameter)
	}
	if len(md.DefaultScopes) > 0 {
		md.DefaultScopes[0] = "changed-by-the-caller"
		if p.Metadata().DefaultScopes[0] == "changed-by-the-caller" {
			t.Errorf("Metadata().DefaultScopes shares its array with the provider")
		}
	}
}

func (s *suite) testCapabilities(t *testing.T) {
	_, p := s.start(t)
	checkCapabilities(t, p, s.h.Refresh != nil, s.h.Revoke != nil, s.h.VerifiesIDTokens)
}

func (s *suite) testAuthCodeURL(t *testing.T) {
	f, p := s.start(t)
	base := provider.AuthRequest{
		State: "state-" + random(16), CodeChallenge: s256(random(32)), RedirectURI: f.URL + callbackPath,
	}
	if s.h.IDToken != nil {
		base.Nonce = "nonce-" + random(16)
	}
	for _, tc := range []struct {
		name    string
		scopes  []string
		offline bool
		want    []string
	}{
		{"DefaultScopes", nil, false, s.h.DefaultScopes},
		{"AdditionalScope", append(slices.Clone(s.h.DefaultScopes), "conformance.extra"), false, append(slices.Clone(s.h.DefaultScopes), "conformance.extra")},
		{"Offline", s.h.DefaultScopes, true, s.h.DefaultScopes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := base
			req.Scopes, req.Offline = tc.scopes, tc.offline
			raw, err := p.AuthCodeURL(context.Background(), req)
			if err != nil {
				t.Fatalf("AuthCodeURL: %v", err)
			}
			s.checkAuthURL(t, f, raw, req, tc.want)
		})
	}
	if s.h.Authorize.PKCE {
		t.Run("PKCERequired", func(t *testing.T) { s.testPKCERequired(t, f, p, base) })
	}
}

// testPKCERequired: a provider that sends PKCE refuses an authorization
// request without a code challenge, and an exchange without a verifier
// before it sends anything.
func (s *suite) testPKCERequired(t *testing.T, f *fake, p provider.Provider, req provider.AuthRequest) {
	req.CodeChallenge = ""
	if _, err := p.AuthCodeURL(context.Background(), req); err == nil {
		t.Error("AuthCodeURL without a code challenge succeeded")
	}
	f.mu.Lock()
	before := f.requests
	f.mu.Unlock()
	_, _, err := p.Exchange(context.Background(), provider.ExchangeRequest{Code: "code-" + random(16), RedirectURI: req.RedirectURI, Nonce: req.Nonce})
	if !errors.Is(err, verification.ErrTokenExchange) {
		t.Errorf("Exchange without a code verifier: %v, want verification.ErrTokenExchange", err)
	}
	f.mu.Lock()
	sent := f.requests - before
	f.mu.Unlock()
	if sent != 0 {
		t.Errorf("Exchange without a code verifier sent %d requests, want none", sent)
	}
}

// testExchange runs a full flow as u and checks the identity and token.
func (s *suite) testExchange(t *testing.T, u User) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, u)
	ctx, spans := traced()
	id, tok, err := s.exchange(ctx, p, fl)
	checkSpans(t, f.secrets, spans())
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	checkIdentity(t, id, s.h.want(u))
	f.mu.Lock()
	last := f.last
	f.mu.Unlock()
	var wantScopes []string
	if s.h.Token.ScopeSeparator != "" || s.h.Profile.ReportsScopes {
		wantScopes = s.h.DefaultScopes
	}
	s.checkToken(t, tok, last, wantScopes, s.h.IDToken != nil)
	checkPrinted(t, f.secrets, "the Token", tok)
}

// testExample runs a flow whose profile bodies and ID token claims are a
// documented example's.
func (s *suite) testExample(t *testing.T, ex Example) {
	h := *s.h
	h.Profile.Routes = withBodies(h.Profile.Routes, ex.Bodies)
	u := User{ID: "example"}
	if h.IDToken != nil {
		idt := *h.IDToken
		idt.Claims = func(User) map[string]any { return maps.Clone(ex.Claims) }
		h.IDToken = &idt
		if sub, ok := ex.Claims["sub"].(string); ok {
			u.ID = sub
		}
	}
	es := &suite{h: &h, signer: s.signer}
	f, p := es.start(t)
	fl := es.authorize(t, f, p, u)
	id, _, err := es.exchange(context.Background(), p, fl)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	checkIdentity(t, id, ex.Want)
}

// checkToken compares a token with the fake's last response.
func (s *suite) checkToken(t *testing.T, tok *provider.Token, last issued, scopes []string, idToken bool) {
	t.Helper()
	if tok == nil {
		t.Fatal("nil Token")
	}
	if tok.AccessToken != last.access {
		t.Errorf("Token.AccessToken is not the issued one")
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		t.Errorf("Token.TokenType = %q, want Bearer", tok.TokenType)
	}
	if tok.RefreshToken != last.refresh {
		t.Errorf("Token.RefreshToken is not the issued one (set: %v, issued: %v)", tok.RefreshToken != "", last.refresh != "")
	}
	if want := last.idToken; idToken && tok.IDToken != want {
		t.Errorf("Token.IDToken is not the issued one (set: %v, issued: %v)", tok.IDToken != "", want != "")
	}
	if s.h.Token.NoExpiry {
		if !tok.Expiry.IsZero() {
			t.Errorf("Token.Expiry = %v, want zero: the response has no expires_in", tok.Expiry)
		}
	} else if lo, hi := last.at.Add(expiresIn*time.Second-2*time.Second), time.Now().Add(expiresIn*time.Second+2*time.Second); tok.Expiry.Before(lo) || tok.Expiry.After(hi) {
		t.Errorf("Token.Expiry = %v, want about %v (expires_in %d)", tok.Expiry, last.at.Add(expiresIn*time.Second), expiresIn)
	}
	if !slices.Equal(tok.Scopes, scopes) || (tok.Scopes == nil) != (scopes == nil) {
		t.Errorf("Token.Scopes = %q, want %q", tok.Scopes, scopes)
	}
}

// testTokenFault checks that a failed code exchange is
// verification.ErrTokenExchange, wrapping an *provider.OAuthError with
// status and code when wantStatus is not 0.
func (s *suite) testTokenFault(t *testing.T, flt fault, wantStatus int, wantCode string) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	f.setFault(flt)
	id, tok, err := s.exchange(context.Background(), p, fl)
	if err == nil {
		t.Fatalf("Exchange succeeded (identity %v, token %v), want verification.ErrTokenExchange", id != nil, tok != nil)
	}
	if !errors.Is(err, verification.ErrTokenExchange) {
		t.Errorf("Exchange: %v, want verification.ErrTokenExchange", err)
	}
	if wantStatus != 0 {
		var oe *provider.OAuthError
		if !errors.As(err, &oe) {
			t.Errorf("Exchange: %v wraps no *provider.OAuthError", err)
		} else if oe.Status != wantStatus || oe.Code != wantCode {
			t.Errorf("Exchange: OAuthError{Status: %d, Code: %q}, want {%d, %q}", oe.Status, oe.Code, wantStatus, wantCode)
		}
	}
	checkErr(t, f.secrets, err)
}

// testProfileError checks that an HTTP 200 error body on the profile
// routes fails the exchange with verification.ErrFetchUser.
// testWrongNonce: an ID token for another authorization request fails the
// exchange, also at providers whose ID tokens have no nonce.
func (s *suite) testWrongNonce(t *testing.T) {
	if s.h.IDToken == nil {
		t.Skip("the harness declares no ID token")
	}
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	f.setFault(idTokenWrongNonce)
	_, _, err := s.exchange(context.Background(), p, fl)
	wantFailure(t, f.secrets, "Exchange", err, verification.ErrIDTokenInvalid)
}

func (s *suite) testProfileError(t *testing.T) {
	if len(s.h.Profile.Routes) == 0 {
		t.Skip("the harness declares no profile routes: the identity comes from the ID token")
	}
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	f.setFault(profile200Error)
	_, _, err := s.exchange(context.Background(), p, fl)
	wantFailure(t, f.secrets, "Exchange", err, verification.ErrFetchUser)
}

func (s *suite) testRefresh(t *testing.T) {
	f, p := s.start(t)
	r, ok := p.(provider.Refresher)
	if s.h.Refresh == nil || !ok {
		t.Skip("the provider cannot refresh (Capabilities checks that it says so)")
	}
	u := fixtures[0].user
	fl := s.authorize(t, f, p, u)
	_, tok, err := s.exchange(context.Background(), p, fl)
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	ctx := context.Background()
	t.Run("Refresh", func(t *testing.T) {
		got, err := r.Refresh(ctx, provider.RefreshRequest{RefreshToken: tok.RefreshToken, Subject: u.ID})
		if err != nil {
			checkErr(t, f.secrets, err)
			t.Fatalf("Refresh: %v", err)
		}
		f.mu.Lock()
		last := f.last
		f.mu.Unlock()
		var wantScopes []string
		if s.h.Token.ScopeSeparator != "" {
			wantScopes = s.h.DefaultScopes
		}
		s.checkToken(t, got, last, wantScopes, s.h.Refresh.IDToken)
		if s.h.Refresh.Rotates && got.RefreshToken == "" {
			t.Errorf("Refresh returned no new refresh token, but the provider rotates them")
		}
		checkPrinted(t, f.secrets, "the refreshed Token", got)
	})
	t.Run("Refused", func(t *testing.T) {
		bad := "rt-unknown-" + random(16)
		f.secrets.add(bad)
		_, err := r.Refresh(ctx, provider.RefreshRequest{RefreshToken: bad, Subject: u.ID})
		if !errors.Is(err, verification.ErrTokenRetrieval) {
			t.Errorf("Refresh of an unknown refresh token: %v, want verification.ErrTokenRetrieval", err)
		}
		var oe *provider.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
			t.Errorf("Refresh of an unknown refresh token: %v, want an *provider.OAuthError invalid_grant", err)
		}
		checkErr(t, f.secrets, err)
	})
	t.Run("Error200", func(t *testing.T) {
		f.setFault(token200Error)
		defer f.setFault(noFault)
		got, err := r.Refresh(ctx, provider.RefreshRequest{RefreshToken: tok.RefreshToken, Subject: u.ID})
		if err == nil {
			t.Fatalf("Refresh answered with an error member succeeded (access token set: %v)", got.AccessToken != "")
		}
		if !errors.Is(err, verification.ErrTokenRetrieval) {
			t.Errorf("Refresh: %v, want verification.ErrTokenRetrieval", err)
		}
		checkErr(t, f.secrets, err)
	})
	t.Run("Empty", func(t *testing.T) {
		_, err := r.Refresh(ctx, provider.RefreshRequest{Subject: u.ID})
		if !errors.Is(err, verification.ErrMissingRefreshToken) {
			t.Errorf("Refresh without a refresh token: %v, want verification.ErrMissingRefreshToken", err)
		}
	})
}

func (s *suite) testRevoke(t *testing.T) {
	f, p := s.start(t)
	rv, ok := p.(provider.Revoker)
	if s.h.Revoke == nil || !ok {
		t.Skip("the provider cannot revoke (Capabilities checks that it says so)")
	}
	fl := s.authorize(t, f, p, fixtures[0].user)
	_, tok, err := s.exchange(context.Background(), p, fl)
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	hints := s.h.Revoke.Hints
	if hints == nil {
		hints = []string{"access_token", "refresh_token"}
	}
	ctx := context.Background()
	for _, tc := range []struct{ hint, token string }{
		{"access_token", tok.AccessToken},
		{"refresh_token", tok.RefreshToken},
	} {
		t.Run(tc.hint, func(t *testing.T) {
			supported := !s.h.Revoke.Unsupported && slices.Contains(hints, tc.hint)
			if tc.token == "" && supported {
				t.Skip("no such token was issued")
			}
			if tc.token == "" {
				tc.token = "rt-unissued-" + random(16)
				f.secrets.add(tc.token)
			}
			f.mu.Lock()
			before, seen := f.requests, len(f.revocations)
			f.mu.Unlock()
			tctx, spans := traced()
			err := rv.Revoke(tctx, tc.token, tc.hint)
			checkSpans(t, f.secrets, spans())
			f.mu.Lock()
			sent, revs := f.requests-before, f.revocations[seen:]
			f.mu.Unlock()
			if !supported {
				if !errors.Is(err, provider.ErrRevocationUnsupported) {
					t.Errorf("Revoke(%s): %v, want provider.ErrRevocationUnsupported", tc.hint, err)
				}
				if sent != 0 {
					t.Errorf("Revoke(%s) sent %d requests, want none", tc.hint, sent)
				}
				checkErr(t, f.secrets, err)
				return
			}
			if err != nil {
				checkErr(t, f.secrets, err)
				t.Fatalf("Revoke(%s): %v", tc.hint, err)
			}
			if len(revs) != 1 || revs[0].token != tc.token {
				t.Fatalf("Revoke(%s) made %d revocation requests, want 1 for the token", tc.hint, len(revs))
			}
			if s.h.Revoke.TokenIn == InForm && revs[0].hint != tc.hint {
				t.Errorf("Revoke(%s) sent token_type_hint %q", tc.hint, revs[0].hint)
			}
		})
	}
	t.Run("ServerError", func(t *testing.T) {
		if s.h.Revoke.Unsupported {
			t.Skip("nothing is sent")
		}
		f.setFault(revoke503)
		defer f.setFault(noFault)
		err := rv.Revoke(ctx, tok.AccessToken, "access_token")
		if err == nil {
			t.Fatal("Revoke answered with HTTP 503 succeeded")
		}
		checkErr(t, f.secrets, err)
	})
}

func (s *suite) testVerifyIDToken(t *testing.T) {
	f, p := s.start(t)
	v, ok := p.(provider.IDTokenVerifier)
	if !s.h.VerifiesIDTokens || !ok {
		t.Skip("the provider verifies no ID tokens of native clients (Capabilities checks that it says so)")
	}
	u := fixtures[0].user
	nonce := "nonce-" + random(16)
	f.secrets.add(nonce)
	raw, err := f.idToken(u, nonce)
	if err != nil {
		t.Fatal(err)
	}
	f.secrets.add(raw)
	ctx := context.Background()
	id, exp, err := v.VerifyIDToken(ctx, raw, nonce)
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("VerifyIDToken: %v", err)
	}
	if id.ProviderUserID != u.ID {
		t.Errorf("VerifyIDToken: ProviderUserID %q, want %q", id.ProviderUserID, u.ID)
	}
	if exp.IsZero() {
		t.Errorf("VerifyIDToken returned no expiry")
	}
	rogue, err := providertest.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	forged, err := (&fake{Server: f.Server, h: f.h, signer: rogue}).idToken(u, nonce)
	if err != nil {
		t.Fatal(err)
	}
	f.secrets.add(forged)
	if _, _, err := v.VerifyIDToken(ctx, forged, nonce); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("VerifyIDToken of a token signed with an unpublished key: %v, want verification.ErrIDTokenInvalid", err)
	} else {
		checkErr(t, f.secrets, err)
	}
	if _, _, err := v.VerifyIDToken(ctx, raw, "nonce-other"); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("VerifyIDToken with another nonce: %v, want verification.ErrIDTokenInvalid", err)
	}
}

// testPrintProvider runs a flow, then prints the provider every way a log
// line could.
func (s *suite) testPrintProvider(t *testing.T) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	if _, _, err := s.exchange(context.Background(), p, fl); err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	checkPrinted(t, f.secrets, "the provider", p)
}
