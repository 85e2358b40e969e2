package oidc_test

import (
	"context"
	"testing"

	"github.com/tetherauth/tether/provider/providertest"
)

// BenchmarkVerifyIDToken measures one ID token check: parse, signature,
// claims, identity.
func BenchmarkVerifyIDToken(b *testing.B) {
	srv := newServer(b, providertest.Config{})
	p := newProvider(b, config(srv))
	_, tok, _, err := exchange(b, p)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := p.VerifyIDToken(ctx, tok.IDToken, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange measures a whole code flow against providertest
// (authorization, token request, ID token check, userinfo).
func BenchmarkExchange(b *testing.B) {
	srv := newServer(b, providertest.Config{})
	p := newProvider(b, config(srv))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := exchange(b, p); err != nil {
			b.Fatal(err)
		}
	}
}
