package conformance

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// RunOAuth1 runs the conformance suite's OAuth 1.0a mode on the provider h
// declares. Each subtest starts its own fake server and its own provider
// with h.New.
func RunOAuth1(t *testing.T, h OAuth1Harness) {
	t.Helper()
	s := &oauth1Suite{h: &h}
	plan{
		invalid: h.check(),
		first: []subtest{
			{"Metadata", s.testMetadata},
			{"Capabilities", func(t *testing.T) { _, p := s.start(t); checkCapabilities(t, p, false, false, false) }},
			{"AuthCodeURL", s.testAuthCodeURL},
			{"StartOAuth1", s.testStart},
			{"StartOAuth1/RequestTokenRefused", s.testRequestTokenRefused},
		},
		exchange: s.testExchange,
		then: []subtest{
			{"Exchange/RefusedBeforeSending", s.testRefused},
			{"Exchange/AccessTokenError401", s.testAccessTokenRefused},
			{"Exchange/VerifierRefused", s.testVerifierRefused},
			{"Exchange/ProfileError401", func(t *testing.T) { s.testProfileFault(t, profile401) }},
			{"Exchange/ProfileNotJSON", func(t *testing.T) { s.testProfileFault(t, profileNotJSON) }},
			{"RevokeCredentials", s.testRevoke},
			{"NoSecretInProvider", s.testPrintProvider},
		},
		example: s.testExample,
	}.run(t, h.Examples)
}

// oauth1Suite is one run of the OAuth 1.0a mode.
type oauth1Suite struct{ h *OAuth1Harness }

// start starts a fake and the provider under test on it.
func (s *oauth1Suite) start(t *testing.T) (*oauth1Fake, provider.OAuth1) {
	t.Helper()
	f := newOAuth1Fake(t, s.h)
	return f, build(t, s.h.New, f.OAuth1Server)
}

// connect runs a flow as u that must succeed, and returns its token.
func (s *oauth1Suite) connect(t *testing.T, f *oauth1Fake, p provider.OAuth1, u User) *provider.Token {
	t.Helper()
	fl := s.authorize(t, f, p, u)
	_, tok, err := p.Exchange(context.Background(), fl.exchangeRequest())
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

// oauth1Flow is one authorization: its request, the temporary credentials
// and the browser's callback.
type oauth1Flow struct {
	req      provider.AuthRequest
	tmp      provider.TemporaryCredentials
	callback url.Values
}

// authorize starts a flow with StartOAuth1, checks the temporary
// credential request and the authorization URL, and plays the browser at
// the fake as u.
func (s *oauth1Suite) authorize(t *testing.T, f *oauth1Fake, p provider.OAuth1, u User) oauth1Flow {
	t.Helper()
	// The redirect URI's own query must be kept.
	fl := oauth1Flow{req: provider.AuthRequest{State: "state-" + random(16), RedirectURI: f.URL + callbackPath + "?next=%2Fhome"}}
	f.secrets.add(fl.req.State)
	ctx, spans := traced()
	raw, tmp, err := p.StartOAuth1(ctx, fl.req)
	checkSpans(t, f.secrets, spans())
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("StartOAuth1: %v", err)
	}
	fl.tmp = tmp
	f.mu.Lock()
	issued := f.issuedTmp
	f.mu.Unlock()
	if issued == nil {
		t.Fatal("StartOAuth1 succeeded without a temporary credential request")
	}
	if tmp.Token != issued.token || tmp.Secret != issued.secret {
		t.Errorf("StartOAuth1 returned temporary credentials other than the issued ones")
	}
	s.checkCallback(t, issued.callback, fl.req)
	au, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("StartOAuth1 returned %q: %v", raw, err)
	}
	if got, want := au.Scheme+"://"+au.Host+au.Path, f.URL+s.h.Authorize; got != want {
		t.Errorf("authorization page %s, want %s", got, want)
	}
	if got := au.Query()["oauth_token"]; len(got) != 1 || got[0] != issued.token {
		t.Errorf("the authorization URL's oauth_token is not the issued temporary credentials' (%d values)", len(got))
	}
	f.setLogin(u)
	fl.callback = browse(t, f.Client, raw)
	if got := fl.callback.Get("state"); got != fl.req.State {
		t.Fatalf("callback state %q, want the request's", got)
	}
	return fl
}

// checkCallback checks the oauth_callback of a temporary credential
// request: req.RedirectURI with state added to its query, which is kept.
func (s *oauth1Suite) checkCallback(t *testing.T, callback string, req provider.AuthRequest) {
	t.Helper()
	got, err1 := url.Parse(callback)
	want, err2 := url.Parse(req.RedirectURI)
	if err1 != nil || err2 != nil {
		t.Fatalf("oauth_callback %q: %v", callback, err1)
	}
	q, wq := got.Query(), want.Query()
	wq.Set("state", req.State)
	got.RawQuery, want.RawQuery = "", ""
	if got.String() != want.String() {
		t.Errorf("oauth_callback %s, want the redirect URI %s", got, want)
	}
	for k := range q {
		if k != "state" && !wq.Has(k) {
			t.Errorf("oauth_callback has %s, which the redirect URI has not", k)
		}
	}
	for k, v := range wq {
		if !slices.Equal(q[k], v) {
			t.Errorf("oauth_callback's %s = %q, want %q (the redirect URI's query kept, state added)", k, q[k], v)
		}
	}
}

// exchangeRequest is what the account Service passes on for fl: the
// verifier as the code, the callback's parameters but state, the
// temporary credentials.
func (fl oauth1Flow) exchangeRequest() provider.ExchangeRequest {
	params := map[string][]string{}
	for k, v := range fl.callback {
		if k != "state" {
			params[k] = slices.Clone(v)
		}
	}
	return provider.ExchangeRequest{
		Code: fl.callback.Get("oauth_verifier"), RedirectURI: fl.req.RedirectURI, Params: params, Temporary: fl.tmp,
	}
}

func (s *oauth1Suite) testMetadata(t *testing.T) {
	_, p := s.start(t)
	md := checkNames(t, p, s.h.Strategy, s.h.Title)
	if md.OpenID || md.Issuer != "" || md.IssuerParameterSupported || len(md.DefaultScopes) > 0 {
		t.Errorf("Metadata() = %+v: an OAuth 1.0a provider has no OpenID Connect, issuer or default scopes", md)
	}
}

// testAuthCodeURL: an OAuth 1.0a provider has no authorization URL without
// temporary credentials.
func (s *oauth1Suite) testAuthCodeURL(t *testing.T) {
	f, p := s.start(t)
	raw, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "state-" + random(16), RedirectURI: f.URL + callbackPath})
	if err == nil {
		t.Errorf("AuthCodeURL returned %q, want an error: OAuth 1.0a flows start with StartOAuth1", raw)
	}
	if n := f.sent(); n != 0 {
		t.Errorf("AuthCodeURL sent %d requests", n)
	}
}

// testStart: one signed temporary credential request (checked by
// authorize).
func (s *oauth1Suite) testStart(t *testing.T) {
	f, p := s.start(t)
	s.authorize(t, f, p, fixtures[0].user)
	if n := f.sent(); n != 2 {
		t.Errorf("StartOAuth1 and the authorization page: %d requests, want 2", n)
	}
}

func (s *oauth1Suite) testRequestTokenRefused(t *testing.T) {
	f, p := s.start(t)
	f.setFault(requestToken401)
	raw, _, err := p.StartOAuth1(context.Background(), provider.AuthRequest{State: "state-" + random(16), RedirectURI: f.URL + callbackPath})
	if err == nil {
		t.Fatalf("StartOAuth1 refused with HTTP 401 returned %q", raw)
	}
	checkErr(t, f.secrets, err)
}

// exchange runs a flow as u, checks the identity and the token, and
// returns the token.
func (s *oauth1Suite) testExchange(t *testing.T, u User) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, u)
	ctx, spans := traced()
	id, tok, err := p.Exchange(ctx, fl.exchangeRequest())
	checkSpans(t, f.secrets, spans())
	if err != nil {
		checkErr(t, f.secrets, err)
		t.Fatalf("Exchange: %v", err)
	}
	checkIdentity(t, id, expected(u, s.h.Lacks, s.h.Expect))
	f.mu.Lock()
	issued := f.issued
	f.mu.Unlock()
	switch {
	case tok == nil:
		t.Fatal("nil Token")
	case tok.AccessToken != issued.token || tok.TokenSecret != issued.secret:
		t.Errorf("Token.AccessToken and TokenSecret are not the issued token credentials")
	case tok.RefreshToken != "" || tok.IDToken != "":
		t.Errorf("Token has a refresh token or an ID token, which OAuth 1.0a has not")
	case !tok.Expiry.IsZero() || tok.Scopes != nil:
		t.Errorf("Token.Expiry = %v, Scopes = %q, want zero and nil", tok.Expiry, tok.Scopes)
	}
	checkPrinted(t, f.secrets, "the Token", tok)
	checkPrinted(t, f.secrets, "the TemporaryCredentials", fl.tmp)
}

// testRefused: a callback the flow cannot have produced is refused before
// anything is sent, and the flow still completes afterwards.
func (s *oauth1Suite) testRefused(t *testing.T) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	other := s.authorize(t, f, p, fixtures[0].user)
	for _, tc := range []struct {
		name   string
		mutate func(*provider.ExchangeRequest)
		want   *verification.Error
	}{
		{"NoVerifier", func(r *provider.ExchangeRequest) { r.Code = "" }, verification.ErrTokenExchange},
		{"NoTemporaryCredentials", func(r *provider.ExchangeRequest) { r.Temporary = provider.TemporaryCredentials{} }, verification.ErrTokenExchange},
		{"NoTemporarySecret", func(r *provider.ExchangeRequest) { r.Temporary.Secret = "" }, verification.ErrTokenExchange},
		{"NoOAuthToken", func(r *provider.ExchangeRequest) { delete(r.Params, "oauth_token") }, verification.ErrCallbackInvalid},
		{"AnotherFlowsOAuthToken", func(r *provider.ExchangeRequest) { r.Params["oauth_token"] = []string{other.tmp.Token} }, verification.ErrCallbackInvalid},
		{"RepeatedOAuthToken", func(r *provider.ExchangeRequest) { r.Params["oauth_token"] = []string{fl.tmp.Token, fl.tmp.Token} }, verification.ErrCallbackInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := fl.exchangeRequest()
			tc.mutate(&req)
			before := f.sent()
			_, _, err := p.Exchange(context.Background(), req)
			if !errors.Is(err, tc.want) {
				t.Errorf("Exchange: %v, want %s", err, tc.want.Code)
			}
			if n := f.sent() - before; n != 0 {
				t.Errorf("Exchange sent %d requests, want none", n)
			}
			checkErr(t, f.secrets, err)
		})
	}
	if _, _, err := p.Exchange(context.Background(), fl.exchangeRequest()); err != nil {
		t.Errorf("Exchange after the refused callbacks: %v", err)
	}
}

// testAccessTokenRefused: a token request refused with HTTP 401 is
// verification.ErrTokenExchange wrapping a *provider.OAuthError.
func (s *oauth1Suite) testAccessTokenRefused(t *testing.T) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	f.setFault(accessToken401)
	_, _, err := p.Exchange(context.Background(), fl.exchangeRequest())
	wantFailure(t, f.secrets, "Exchange", err, verification.ErrTokenExchange)
	if oe := (*provider.OAuthError)(nil); !errors.As(err, &oe) || oe.Status != http.StatusUnauthorized {
		t.Errorf("Exchange: %v, want a *provider.OAuthError with HTTP status 401", err)
	}
}

// testVerifierRefused: another flow's verifier, and a verifier redeemed
// before, are refused by the provider's server: verification.ErrTokenExchange.
func (s *oauth1Suite) testVerifierRefused(t *testing.T) {
	f, p := s.start(t)
	fl, other := s.authorize(t, f, p, fixtures[0].user), s.authorize(t, f, p, fixtures[0].user)
	req := fl.exchangeRequest()
	req.Code = other.callback.Get("oauth_verifier")
	_, _, err := p.Exchange(context.Background(), req)
	wantFailure(t, f.secrets, "Exchange with another flow's verifier", err, verification.ErrTokenExchange)
	_, _, err = p.Exchange(context.Background(), other.exchangeRequest())
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	_, _, err = p.Exchange(context.Background(), other.exchangeRequest())
	wantFailure(t, f.secrets, "A second Exchange of a verifier", err, verification.ErrTokenExchange)
}

// testProfileFault: a failing profile route is verification.ErrFetchUser.
func (s *oauth1Suite) testProfileFault(t *testing.T, x fault) {
	f, p := s.start(t)
	fl := s.authorize(t, f, p, fixtures[0].user)
	f.setFault(x)
	_, _, err := p.Exchange(context.Background(), fl.exchangeRequest())
	wantFailure(t, f.secrets, "Exchange", err, verification.ErrFetchUser)
}

func (s *oauth1Suite) testRevoke(t *testing.T) {
	f, p := s.start(t)
	tok := s.connect(t, f, p, fixtures[0].user)
	before := f.sent()
	ctx, spans := traced()
	err := p.RevokeCredentials(ctx, tok)
	checkSpans(t, f.secrets, spans())
	checkErr(t, f.secrets, err)
	if s.h.Revoke == nil {
		if !errors.Is(err, provider.ErrRevocationUnsupported) {
			t.Errorf("RevokeCredentials: %v, want provider.ErrRevocationUnsupported (the harness declares no Revoke)", err)
		}
		if n := f.sent() - before; n != 0 {
			t.Errorf("RevokeCredentials sent %d requests, want none", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("RevokeCredentials: %v", err)
	}
	f.mu.Lock()
	revoked := slices.Clone(f.revoked)
	f.mu.Unlock()
	if len(revoked) != 1 || revoked[0] != tok.AccessToken {
		t.Errorf("RevokeCredentials made %d revocation requests, want 1 signed with the token credentials", len(revoked))
	}
	t.Run("ServerError", func(t *testing.T) {
		tok := s.connect(t, f, p, fixtures[0].user)
		f.setFault(revoke503)
		if err := p.RevokeCredentials(context.Background(), tok); err == nil {
			t.Error("RevokeCredentials answered with HTTP 503 succeeded")
		} else {
			checkErr(t, f.secrets, err)
		}
	})
}

// testPrintProvider runs a flow, then prints the provider every way a log
// line could.
func (s *oauth1Suite) testPrintProvider(t *testing.T) {
	f, p := s.start(t)
	s.connect(t, f, p, fixtures[0].user)
	checkPrinted(t, f.secrets, "the provider", p)
}

// testExample runs a flow whose profile bodies are a documented example's.
func (s *oauth1Suite) testExample(t *testing.T, ex Example) {
	h := *s.h
	h.Profile = withBodies(h.Profile, ex.Bodies)
	es := &oauth1Suite{h: &h}
	f, p := es.start(t)
	fl := es.authorize(t, f, p, User{ID: "example"})
	id, _, err := p.Exchange(context.Background(), fl.exchangeRequest())
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	checkIdentity(t, id, ex.Want)
}
