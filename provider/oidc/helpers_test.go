package oidc_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

const redirectURI = "http://127.0.0.1:9999/oauth_callback"

var devStrategy = verification.MustParseStrategy("oauth_custom_dev")

// config is an oidc.Config for srv.
func config(srv *providertest.Server) oidc.Config {
	return oidc.Config{
		Strategy:     devStrategy,
		Issuer:       srv.Issuer(),
		ClientID:     srv.ClientID(),
		ClientSecret: srv.ClientSecret(),
	}
}

// newProvider runs discovery against srv with cfg.
func newProvider(t testing.TB, cfg oidc.Config) *oidc.Provider {
	t.Helper()
	p, err := oidc.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// newHooked is newProvider with a catalogue provider's hooks.
func newHooked(t testing.TB, cfg oidc.Config, h hooks.OIDC) *oidc.Provider {
	t.Helper()
	p, err := catalog.OIDCWithHooks(context.Background(), cfg, h)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// flow holds one authorization's secrets, as the account Service would.
type flow struct {
	state    string
	verifier string
	nonce    string
	code     string
}

// authorize runs the authorization request of a new flow through srv and
// returns the flow with its code.
func authorize(t testing.TB, p *oidc.Provider) flow {
	t.Helper()
	f := flow{state: oauth2.GenerateVerifier(), verifier: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier()}
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
		State:         f.state,
		CodeChallenge: oauth2.S256ChallengeFromVerifier(f.verifier),
		Nonce:         f.nonce,
		RedirectURI:   redirectURI,
	})
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	cb, err := providertest.Authorize(context.Background(), nil, u)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	q := cb.Query()
	if q.Get("code") == "" || q.Get("state") != f.state {
		t.Fatalf("callback %v", redactQuery(q))
	}
	f.code = q.Get("code")
	return f
}

func redactQuery(q url.Values) url.Values {
	out := url.Values{}
	for k := range q {
		out.Set(k, "…")
	}
	return out
}

// request is the exchange request of f.
func (f flow) request() provider.ExchangeRequest {
	return provider.ExchangeRequest{Code: f.code, CodeVerifier: f.verifier, RedirectURI: redirectURI, Nonce: f.nonce}
}

// exchange runs a whole flow.
func exchange(t testing.TB, p *oidc.Provider) (*provider.Identity, *provider.Token, flow, error) {
	t.Helper()
	f := authorize(t, p)
	id, tok, err := p.Exchange(context.Background(), f.request())
	return id, tok, f, err
}

// clock is the tests' clock, at whole seconds as ID token times are.
type clock = testkit.Clock

func newClock() *clock { return testkit.NewClockAt(time.Now().Truncate(time.Second)) }

var alice = testkit.Alice

// newServer starts a provider with alice signed in.
func newServer(t testing.TB, cfg providertest.Config) *providertest.Server {
	return testkit.StartIDP(t, cfg)
}
