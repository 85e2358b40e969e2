package oauthclient

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// ClientContext returns ctx carrying client, which is how go-oidc and
// x/oauth2 take their HTTP client. It is the only place a client travels by
// context; nothing else is stored there.
func ClientContext(ctx context.Context, client *http.Client) context.Context {
	return oidc.ClientContext(ctx, client)
}

// Token converts an x/oauth2 token, dating its expiry with now. oldRefresh
// is the refresh token that was redeemed, if any: x/oauth2 puts it back into
// a response that has none, and a provider.Token reports a refresh token
// only when the provider issued a new one.
func Token(t *oauth2.Token, rawIDToken, oldRefresh string, now time.Time) *provider.Token {
	out := &provider.Token{
		AccessToken: t.AccessToken,
		TokenType:   t.Type(),
		IDToken:     rawIDToken,
		Expiry:      t.Expiry,
	}
	if t.RefreshToken != oldRefresh {
		out.RefreshToken = t.RefreshToken
	}
	if t.ExpiresIn > 0 {
		// x/oauth2 dates the expiry with time.Now; use the host's clock.
		out.Expiry = now.Add(SecondsDuration(t.ExpiresIn))
	}
	scope := t.Extra("scope")
	if scope == nil {
		scope = t.Extra("scopes") // Bitbucket's
	}
	out.Scopes = Scopes(scope)
	return out
}

// Scopes parses a token response's "scope": space-separated as RFC 6749
// section 3.3 says, comma-separated as GitHub sends it, or (off-spec) a JSON
// array of strings. It returns nil when the response named no scope, so that
// "not said" stays apart from "granted nothing".
func Scopes(v any) []string {
	var out []string
	switch s := v.(type) {
	case string:
		out = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	case []any:
		for _, e := range s {
			if str, ok := e.(string); ok && strings.TrimSpace(str) != "" {
				out = append(out, strings.TrimSpace(str))
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// SecondsDuration converts an expires_in to a Duration, saturating instead
// of overflowing.
func SecondsDuration(n int64) time.Duration {
	if n > math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(n) * time.Second
}

// CheckTokenType refuses a token response whose token_type is not Bearer
// (compared case-insensitively, RFC 6749 section 7.1 and RFC 6750): Tether
// only knows how to use bearer tokens, and a DPoP or MAC token stored as
// one would fail at every use. A response without token_type is refused
// too (RFC 6749 section 5.1 makes it required). sentinel is the error the
// caller reports (token exchange or retrieval).
func CheckTokenType(t *oauth2.Token, sentinel *verification.Error) error {
	if !strings.EqualFold(t.TokenType, "bearer") {
		return sentinel.WithLongMessage("The provider issued a token that is not a bearer token.").WithMeta("token_type", tokenTypeMeta(t.TokenType))
	}
	return nil
}

// tokenTypeMeta is what an error may repeat of a token_type: a short
// plain word, or nothing.
func tokenTypeMeta(s string) string {
	if len(s) > 20 {
		return "other"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return "other"
		}
	}
	if s == "" {
		return "missing"
	}
	return s
}
