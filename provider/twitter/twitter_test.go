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

func TestFlow(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{
		ID: bigID, ScreenName: "alice", Name: "Alice Pleasance Liddell", Email: "alice@example.com",
		ProfileImageURL: "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
	})
	ctx, spans := traced()

	q, tmp := h.start(t, ctx, bigID)
	if q.Get("state") != "state-1" || q.Get("next") != "/home" || q.Get("oauth_token") != tmp.Token {
		t.Fatalf("callback %v", q)
	}
	id, tok, err := h.p.Exchange(ctx, exchangeRequest(q, tmp))
	if err != nil {
		t.Fatal(err)
	}
	h.secrets = append(h.secrets, tok.AccessToken, tok.TokenSecret)
	want := provider.Identity{
		ProviderUserID: bigID, EmailAddress: "alice@example.com", FirstName: "Alice", LastName: "Pleasance Liddell",
		AvatarURL: "https://pbs.twimg.com/profile_images/1/a_normal.jpg", Username: "alice",
	}
	got := *id
	got.Claims, got.EmailVerified = nil, nil
	if fmt.Sprint(got) != fmt.Sprint(want) || id.EmailVerified == nil || !*id.EmailVerified {
		t.Errorf("identity %+v, email verified %v", got, id.EmailVerified)
	}
	if n, ok := id.Claims["id"].(json.Number); !ok || n.String() != bigID {
		t.Errorf(`claims "id" %#v, want every digit`, id.Claims["id"])
	}
	c, ok := h.x.Lookup(tok.AccessToken)
	if !ok || c.Kind != "token" || c.Secret != tok.TokenSecret || c.UserID != bigID {
		t.Errorf("token credentials %v not issued by X", ok)
	}
	if tok.TokenType != "OAuth" || !tok.Expiry.IsZero() || tok.Scopes != nil || tok.RefreshToken != "" {
		t.Errorf("token type %q, expiry %v, scopes %v", tok.TokenType, tok.Expiry, tok.Scopes)
	}

	if err := h.p.RevokeCredentials(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if c, _ := h.x.Lookup(tok.AccessToken); !c.Revoked || h.x.Stats().Revocations != 1 {
		t.Error("the token credentials were not invalidated")
	}
	err = h.p.RevokeCredentials(ctx, tok)
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "invalid_token" {
		t.Errorf("revoking revoked credentials: %v", err)
	}
	h.noLeak(t, err)

	n, texts := spans()
	if n < 5 {
		t.Errorf("%d spans, want one per request", n)
	}
	for _, text := range texts {
		for _, s := range h.secrets {
			if strings.Contains(text, s) {
				t.Errorf("a span shows a secret in %q", text)
			}
		}
	}
}

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
		if c, ok := h.x.Lookup(tmp.Token); !ok || c.Kind != "temporary" || c.Secret != tmp.Secret || c.Callback != "http://127.0.0.1/cb?state=s" {
			t.Errorf("temporary credentials %+v", c)
		}
	}
	if _, err := h.p.AuthCodeURL(ctx, provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"}); err == nil || !strings.Contains(err.Error(), "StartOAuth1") {
		t.Errorf("AuthCodeURL: %v", err)
	}
	md := h.p.Metadata()
	if md.Title != "Twitter" || md.OpenID || md.Issuer != "" || md.DefaultScopes != nil || h.p.Strategy().String() != "oauth_twitter" {
		t.Errorf("metadata %+v", md)
	}
	var p provider.Provider = h.p
	if _, ok := p.(provider.Refresher); ok {
		t.Error("a Refresher")
	}
	if _, ok := p.(provider.Revoker); ok {
		t.Error("a Revoker")
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, h.p); strings.Contains(s, h.secrets[0]) {
			t.Errorf("%s shows the consumer secret: %s", f, s)
		}
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

func TestWrongConsumerSecret(t *testing.T) {
	x := providertest.NewOAuth1(t, providertest.OAuth1Config{})
	key, _ := x.Consumer()
	const wrong = "not-the-consumer-secret"
	p, err := twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: key, ClientSecret: wrong}, BaseURL: x.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.StartOAuth1(context.Background(), provider.AuthRequest{State: "s", RedirectURI: "http://127.0.0.1/cb"})
	var oe *provider.OAuthError
	if !errors.Is(err, verification.ErrTokenExchange) || !errors.As(err, &oe) || oe.Status != 401 || oe.Code != "" {
		t.Fatalf("error %v", err)
	}
	if x.Stats().SignatureFailures != 1 {
		t.Errorf("signature failures %d", x.Stats().SignatureFailures)
	}
	(&harness{secrets: []string{wrong}}).noLeak(t, err)
}

func TestCallbackRefusedBeforeSending(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{ID: "7", ScreenName: "bob"})
	ctx := context.Background()
	q, tmp := h.start(t, ctx, "7")
	other, _ := h.start(t, ctx, "7")
	for name, tt := range map[string]struct {
		mutate func(*provider.ExchangeRequest)
		want   *verification.Error
	}{
		"another oauth_token":  {func(r *provider.ExchangeRequest) { r.Params["oauth_token"] = other["oauth_token"] }, verification.ErrCallbackInvalid},
		"two oauth_tokens":     {func(r *provider.ExchangeRequest) { r.Params["oauth_token"] = []string{tmp.Token, tmp.Token} }, verification.ErrCallbackInvalid},
		"no oauth_token":       {func(r *provider.ExchangeRequest) { delete(r.Params, "oauth_token") }, verification.ErrCallbackInvalid},
		"no verifier":          {func(r *provider.ExchangeRequest) { r.Code = "" }, verification.ErrTokenExchange},
		"no temporary":         {func(r *provider.ExchangeRequest) { r.Temporary = provider.TemporaryCredentials{} }, verification.ErrTokenExchange},
		"no temporary secret":  {func(r *provider.ExchangeRequest) { r.Temporary.Secret = "" }, verification.ErrTokenExchange},
		"another's verifier":   {func(r *provider.ExchangeRequest) { r.Code = other.Get("oauth_verifier") }, nil},
		"wrong request secret": {func(r *provider.ExchangeRequest) { r.Temporary.Secret = "wrong" }, nil},
	} {
		req := exchangeRequest(q, tmp)
		tt.mutate(&req)
		before := h.x.Stats().Requests["/oauth/access_token"]
		_, _, err := h.p.Exchange(ctx, req)
		h.noLeak(t, err)
		sent := h.x.Stats().Requests["/oauth/access_token"] - before
		switch {
		case tt.want != nil && (!errors.Is(err, tt.want) || sent != 0):
			t.Errorf("%s: %v after %d requests, want %s before sending", name, err, sent, tt.want.Code)
		case tt.want == nil && (!errors.Is(err, verification.ErrTokenExchange) || sent != 1):
			t.Errorf("%s: %v after %d requests, want X's refusal", name, err, sent)
		}
	}
}

func TestSpentVerifier(t *testing.T) {
	h := newHarness(t, providertest.OAuth1User{ID: "7", ScreenName: "bob"})
	ctx := context.Background()
	q, tmp := h.start(t, ctx, "7")
	if _, _, err := h.p.Exchange(ctx, exchangeRequest(q, tmp)); err != nil {
		t.Fatal(err)
	}
	_, _, err := h.p.Exchange(ctx, exchangeRequest(q, tmp))
	var oe *provider.OAuthError
	if !errors.Is(err, verification.ErrTokenExchange) || !errors.As(err, &oe) || oe.Status != 401 {
		t.Errorf("spent verifier: %v", err)
	}
	h.noLeak(t, err)
}

func TestProfile(t *testing.T) {
	// No email: X's app lacks the permission, or the user has no verified
	// address.
	h := newHarness(t, providertest.OAuth1User{ID: "7", ScreenName: "bob", Name: "Bob"})
	ctx := context.Background()
	q, tmp := h.start(t, ctx, "7")
	id, _, err := h.p.Exchange(ctx, exchangeRequest(q, tmp))
	if err != nil {
		t.Fatal(err)
	}
	if id.EmailAddress != "" || id.EmailVerified != nil || id.FirstName != "Bob" || id.LastName != "" || id.AvatarURL != "" {
		t.Errorf("identity %+v", *id)
	}

	// A profile beyond the response size limit is a fetch failure.
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
	q, tmp = h2.start(t, ctx, bigID)
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
