package account_test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
)

// BenchmarkConnectComplete measures one whole flow through Tether: Connect,
// the provider's authorization endpoint, and Complete (code exchange with
// PKCE, ID token validation, userinfo, identity check, sealed tokens), with
// memstore. Compare with BenchmarkBaseline.
//
// The telemetry sub-benchmarks compare a Service without OpenTelemetry
// (the default: nil providers), one with no-op providers, and one with the
// SDK recording every span: "none" pays nothing for the instrumentation.
func BenchmarkConnectComplete(b *testing.B) {
	for _, tc := range []struct {
		name string
		tp   trace.TracerProvider
	}{
		{"telemetry=none", nil},
		{"telemetry=noop", tracenoop.NewTracerProvider()},
		{"telemetry=sdk", sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewInMemoryExporter()))},
	} {
		b.Run(tc.name, func(b *testing.B) { benchmarkFlow(b, tc.tp) })
	}
}

func benchmarkFlow(b *testing.B, tp trace.TracerProvider) {
	idp := providertest.New(providertest.Config{})
	defer idp.Close()
	ctx := context.Background()
	prov, err := oidc.New(ctx, oidc.Config{
		Strategy: devStrategy, Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
	})
	if err != nil {
		b.Fatal(err)
	}
	reg, _ := provider.NewRegistry(prov)
	store := memstore.New(memstore.Options{})
	kr, _ := account.NewKeyring(account.GenerateKey("k1"))
	svc, err := account.New(account.Config{Accounts: store, Flows: store, Providers: reg, Keyring: kr, CallbackURL: callbackURL, TracerProvider: tp})
	if err != nil {
		b.Fatal(err)
	}
	browser := idp.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		user := fmt.Sprintf("user_%d", i)
		idp.SetLogin(fmt.Sprintf("sub-%d", i))
		a, err := svc.Connect(ctx, account.ConnectParams{UserID: user, Strategy: "oauth_custom_dev", RedirectURL: "/", Binding: "bench-browser"})
		if err != nil {
			b.Fatal(err)
		}
		cb, err := providertest.Authorize(ctx, browser, a.Verification.ExternalVerificationRedirectURL)
		if err != nil {
			b.Fatal(err)
		}
		q := cb.Query()
		c, err := svc.Complete(ctx, account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: "bench-browser"})
		if err != nil || !c.Account.Verified() {
			b.Fatalf("Complete: %v", err)
		}
	}
}

// BenchmarkBaseline does the same provider round trips with bare
// golang.org/x/oauth2 and go-oidc (authorization URL with PKCE and nonce,
// authorization, code exchange, ID token verification with the nonce check,
// userinfo) and keeps the result in a map: the least any library can do.
func BenchmarkBaseline(b *testing.B) {
	idp := providertest.New(providertest.Config{})
	defer idp.Close()
	ctx := context.Background()
	op, err := gooidc.NewProvider(ctx, idp.Issuer())
	if err != nil {
		b.Fatal(err)
	}
	conf := &oauth2.Config{
		ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(), RedirectURL: callbackURL,
		Endpoint: oauth2.Endpoint{AuthURL: op.Endpoint().AuthURL, TokenURL: op.Endpoint().TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "email", "profile"},
	}
	verifier := op.Verifier(&gooidc.Config{ClientID: idp.ClientID()})
	var mu sync.Mutex
	linked := make(map[string]string)
	browser := idp.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		idp.SetLogin(fmt.Sprintf("sub-%d", i))
		state, pkce, nonce := rand.Text(), oauth2.GenerateVerifier(), rand.Text()
		authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oauth2.SetAuthURLParam("nonce", nonce))
		cb, err := providertest.Authorize(ctx, browser, authURL)
		if err != nil {
			b.Fatal(err)
		}
		q := cb.Query()
		if q.Get("state") != state {
			b.Fatal("state mismatch")
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(ctx, raw)
		if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
			b.Fatalf("id token: %v", err)
		}
		ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || ui.Subject != idt.Subject {
			b.Fatalf("userinfo: %v", err)
		}
		mu.Lock()
		linked[idt.Subject] = tok.AccessToken
		mu.Unlock()
	}
}
