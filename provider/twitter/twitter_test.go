package twitter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/twitter"
	"github.com/tetherauth/tether/verification"
)

// bigID is a snowflake id beyond 2^53, which a float64 would round.
const bigID = "1790000000000000001"

// harness is the fake X, a provider on it and the secrets a test must
// never find in an error or a span.
type harness struct {
	x       *providertest.OAuth1
	p       *twitter.Provider
	secrets []string
}

func newHarness(t *testing.T, users ...providertest.OAuth1User) *harness {
	t.Helper()
	x := providertest.NewOAuth1(t, providertest.OAuth1Config{})
	for _, u := range users {
		x.AddUser(u)
	}
	key, secret := x.Consumer()
	p, err := twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: key, ClientSecret: secret}, BaseURL: x.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{x: x, p: p, secrets: []string{secret}}
}

// start runs StartOAuth1 and approves as userID; it returns the callback's
// query and the temporary credentials.
func (h *harness) start(t *testing.T, ctx context.Context, userID string) (url.Values, provider.TemporaryCredentials) {
	t.Helper()
	authURL, tmp, err := h.p.StartOAuth1(ctx, provider.AuthRequest{State: "state-1", RedirectURI: "https://app.example/cb?next=%2Fhome"})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := h.x.Approve(authURL, userID)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cb)
	q := u.Query()
	h.secrets = append(h.secrets, tmp.Token, tmp.Secret, q.Get("oauth_verifier"))
	return q, tmp
}

// exchangeRequest is what the Service passes on: the verifier as the code,
// the callback's parameters but state, the temporary credentials.
func exchangeRequest(q url.Values, tmp provider.TemporaryCredentials) provider.ExchangeRequest {
	params := url.Values{}
	for k, v := range q {
		if k != "state" {
			params[k] = v
		}
	}
	return provider.ExchangeRequest{Code: q.Get("oauth_verifier"), Params: params, Temporary: tmp}
}

// noLeak fails when err, or any error it wraps, shows a secret.
func (h *harness) noLeak(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			for _, s := range h.secrets {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("error %q shows a secret", text)
				}
			}
			if strings.Contains(text, "Could not authenticate") || strings.Contains(text, "oauth_verifier parameter") {
				t.Errorf("error %q quotes X's response body", text)
			}
		}
	}
}

// TestFlowQuirks: what provider/internal/catalog's conformance run
// (RunOAuth1) does not state: the raw claims keep X's numeric "id" with
// every digit, a name of three words, the "OAuth" token type, and a span
// per request.
func TestFlowQuirks(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{
		ID: bigID, ScreenName: "alice", Name: "Alice Pleasance Liddell", Email: "alice@example.com",
	})
	ctx, spans := traced()
	q, tmp := h.start(t, ctx, bigID)
	id, tok, err := h.p.Exchange(ctx, exchangeRequest(q, tmp))
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != bigID || id.FirstName != "Alice" || id.LastName != "Pleasance Liddell" {
		t.Errorf("identity %+v", *id)
	}
	if n, ok := id.Claims["id"].(json.Number); !ok || n.String() != bigID {
		t.Errorf(`claims "id" %#v, want every digit`, id.Claims["id"])
	}
	if tok.TokenType != twitter.TokenType {
		t.Errorf("token type %q", tok.TokenType)
	}
	if n := spans(); n < 3 { // request_token, access_token, verify_credentials
		t.Errorf("%d spans, want one per request", n)
	}
}

// TestErrorCodes: X's code 89 (invalid or expired token) is invalid_token;
// its code 32 (could not authenticate) has no OAuth equivalent.
func TestErrorCodes(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{ID: "7", ScreenName: "bob"})
	ctx := context.Background()
	q, tmp := h.start(t, ctx, "7")
	_, tok, err := h.p.Exchange(ctx, exchangeRequest(q, tmp))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.p.RevokeCredentials(ctx, tok); err != nil {
		t.Fatal(err)
	}
	err = h.p.RevokeCredentials(ctx, tok)
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "invalid_token" {
		t.Errorf("revoking revoked credentials: %v", err)
	}
	h.noLeak(t, err)

	key, _ := h.x.Consumer()
	const wrong = "not-the-consumer-secret"
	p, err := twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: key, ClientSecret: wrong}, BaseURL: h.x.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.StartOAuth1(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"})
	if !errors.Is(err, verification.ErrTokenExchange) || !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "" {
		t.Fatalf("wrong consumer secret: %v", err)
	}
	var ve *verification.Error
	if !errors.As(err, &ve) || !strings.Contains(ve.LongMessage, "API Key and Secret") || !strings.Contains(ve.LongMessage, "allowlist") {
		t.Errorf("a refused request for temporary credentials does not say what to check: %v", err)
	}
	if h.x.Stats().SignatureFailures != 1 {
		t.Errorf("signature failures %d", h.x.Stats().SignatureFailures)
	}
	(&harness{secrets: []string{wrong}}).noLeak(t, err)
}

// TestAuthorizationPage: X's page for a prompt (authenticate, or authorize
// for consent), force_login and screen_name.
func TestAuthorizationPage(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{ID: "7", ScreenName: "bob"})
	ctx := context.Background()
	for _, tt := range []struct {
		prompt, hint, want string
	}{
		{"", "", "/oauth/authenticate?oauth_token="},
		{"login", "@bob", "/oauth/authenticate?force_login=true&oauth_token="},
		{"select_account", "", "/oauth/authenticate?force_login=true&oauth_token="},
		{"consent", "", "/oauth/authorize?oauth_token="},
	} {
		authURL, tmp, err := h.p.StartOAuth1(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb", Prompt: tt.prompt, LoginHint: tt.hint})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(authURL, h.x.URL+tt.want+url.QueryEscape(tmp.Token)) {
			t.Errorf("prompt %q: %s", tt.prompt, authURL)
		}
		u, _ := url.Parse(authURL)
		if got := u.Query().Get("screen_name"); (tt.hint != "") != (got == "bob") {
			t.Errorf("login hint %q: screen_name %q", tt.hint, got)
		}
	}
	if _, err := h.p.AuthCodeURL(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"}); err == nil || !strings.Contains(err.Error(), "StartOAuth1") {
		t.Errorf("AuthCodeURL: %v, want an error naming StartOAuth1", err)
	}
}

func TestStartRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, req := range []provider.AuthRequest{
		{State: "s", RedirectURI: "http://127.0.0.1/cb", Scopes: []string{"tweet.read"}},
		{RedirectURI: "http://127.0.0.1/cb"},
		{State: "s", RedirectURI: "/cb"},
		{State: "s", RedirectURI: "http://127.0.0.1/cb#f"},
		{State: "s", RedirectURI: "http://127.0.0.1/cb?state=other"},
	} {
		if _, _, err := h.p.StartOAuth1(ctx, req); err == nil {
			t.Errorf("%+v: no error", req)
		}
	}
	_, _, err := h.p.StartOAuth1(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb", Scopes: []string{"tweet.read"}})
	if !errors.Is(err, verification.ErrFormParamInvalid) || verification.AsError(err).Meta["param_name"] != "additional_scope" {
		t.Errorf("scopes: %v", err)
	}
	if n := h.x.Stats().Requests["/oauth/request_token"]; n != 0 {
		t.Errorf("%d requests for refused starts", n)
	}

	// X must confirm the callback.
	x := providertest.NewOAuth1(t, providertest.OAuth1Config{CallbackUnconfirmed: true})
	key, secret := x.Consumer()
	p, _ := twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: key, ClientSecret: secret}, BaseURL: x.URL})
	_, _, err = p.StartOAuth1(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"})
	if !errors.Is(err, verification.ErrTokenExchange) || !strings.Contains(err.Error(), "oauth_callback_confirmed") {
		t.Errorf("unconfirmed callback: %v", err)
	}

	// A canceled context sends nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := h.p.StartOAuth1(cctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}

// TestOversizedProfile: a profile beyond the response size limit is a
// fetch failure.
func TestOversizedProfile(t *testing.T) {
	ctx := context.Background()
	x := providertest.NewOAuth1(t, providertest.OAuth1Config{})
	x.AddUser(providertest.OAuth1User{ID: bigID, ScreenName: "alice", Name: strings.Repeat("A", 400)})
	key, secret := x.Consumer()
	p, err := twitter.New(twitter.Config{
		Credentials: provider.Credentials{ClientID: key, ClientSecret: secret}, BaseURL: x.URL,
		HTTP: provider.HTTPSettings{MaxResponseBytes: 400, Timeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{x: x, p: p, secrets: []string{secret}}
	q, tmp := h2.start(t, ctx, bigID)
	_, _, err = p.Exchange(ctx, exchangeRequest(q, tmp))
	if !errors.Is(err, verification.ErrFetchUser) || !errors.Is(err, provider.ErrResponseTooLarge) {
		t.Errorf("oversized profile: %v", err)
	}
	h2.noLeak(t, err)
}

func TestConfig(t *testing.T) {
	creds := provider.Credentials{ClientID: "key", ClientSecret: "secret"}
	for name, cfg := range map[string]twitter.Config{
		"no key":        {Credentials: provider.Credentials{ClientSecret: "secret"}},
		"no secret":     {Credentials: provider.Credentials{ClientID: "key"}},
		"scopes":        {Credentials: creds, Scopes: []string{"tweet.read"}},
		"APIURL":        {Credentials: creds, APIURL: "https://api.x.com"},
		"ClockSkew":     {Credentials: creds, ClockSkew: time.Minute},
		"BaseURL":       {Credentials: creds, BaseURL: "api.x.com"},
		"BaseURL query": {Credentials: creds, BaseURL: "https://api.x.com/?a=b"},
		"timeout":       {Credentials: creds, HTTP: provider.HTTPSettings{Timeout: -1}},
	} {
		if _, err := twitter.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "twitter: ") || strings.Contains(err.Error(), "secret\"") {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, err := twitter.New(twitter.Config{Credentials: creds, BaseURL: "https://api.twitter.com/"})
	if err != nil || !strings.Contains(p.String(), `"https://api.twitter.com"`) {
		t.Errorf("BaseURL: %v %v", p, err)
	}
}
