package oidc

import (
	"context"
	"maps"
	"math"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// Exchange redeems the authorization code with the PKCE verifier, validates
// the ID token (see the package documentation), merges the userinfo
// response's claims (unless Config.SkipUserinfo or the provider has no
// userinfo endpoint) and returns the identity and the tokens.
func (p *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	if req.Code == "" {
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The callback carried no authorization code.")
	}
	var opts []oauth2.AuthCodeOption
	if req.CodeVerifier != "" {
		opts = append(opts, oauth2.VerifierOption(req.CodeVerifier))
	}
	tok, err := p.oauth2Config(req.RedirectURI).Exchange(p.client.context(ctx), req.Code, opts...)
	if err != nil {
		return nil, nil, p.failure(verification.ErrTokenExchange, "exchange the authorization code for tokens", err)
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	if rawIDToken == "" {
		return nil, nil, idTokenInvalid(checkMissing)
	}
	claims, err := p.verifyIDToken(ctx, rawIDToken, tok.AccessToken, req.Nonce, true)
	if err != nil {
		return nil, nil, err
	}
	if !p.skipUserinfo && p.userinfoURL != "" {
		info, err := p.userinfo(ctx, tok.AccessToken)
		if err != nil {
			return nil, nil, err
		}
		idSub, _ := claims["sub"].(string)
		if sub, _ := info["sub"].(string); sub != idSub {
			return nil, nil, verification.ErrFetchUser.
				WithLongMessage("The provider's userinfo response is about another account: userinfo sub mismatch.").
				Wrap(errSubMismatch)
		}
		claims = mergeClaims(claims, info)
	}
	return identityFromClaims(claims), p.token(tok, rawIDToken, ""), nil
}

// token converts an x/oauth2 token. oldRefresh is the refresh token that was
// redeemed, if any: x/oauth2 puts it back into a response that has none, and
// a Token reports a refresh token only when the provider issued a new one.
func (p *Provider) token(t *oauth2.Token, rawIDToken, oldRefresh string) *provider.Token {
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
		out.Expiry = p.now().Add(secondsDuration(t.ExpiresIn))
	}
	switch s := t.Extra("scope").(type) {
	case string:
		if s != "" {
			out.Scopes = strings.Fields(s)
		}
	case []any: // off-spec, but some providers send an array
		for _, v := range s {
			if str, ok := v.(string); ok && str != "" {
				out.Scopes = append(out.Scopes, str)
			}
		}
	}
	return out
}

// idTokenOnlyClaims are the ID token claims that describe the token, not
// the user: a userinfo response cannot replace them.
var idTokenOnlyClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "azp": true, "exp": true, "iat": true,
	"nbf": true, "nonce": true, "at_hash": true, "c_hash": true, "auth_time": true,
	"acr": true, "amr": true, "sid": true, "jti": true,
}

// mergeClaims returns the ID token's claims updated with the userinfo
// response's user claims.
func mergeClaims(idToken, userinfo map[string]any) map[string]any {
	out := maps.Clone(idToken)
	for k, v := range userinfo {
		if !idTokenOnlyClaims[k] {
			out[k] = v
		}
	}
	return out
}

// secondsDuration converts an expires_in to a Duration, saturating instead
// of overflowing.
func secondsDuration(n int64) time.Duration {
	if n > math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(n) * time.Second
}
