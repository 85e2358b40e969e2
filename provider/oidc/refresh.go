package oidc

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Refresh redeems refreshToken (RFC 6749 section 6). The returned token's
// RefreshToken is empty unless the provider rotated the refresh token. An
// ID token in the response is validated like the code exchange's, without
// the nonce (OpenID Connect Core section 12.2). A provider's refusal wraps
// a *provider.OAuthError: its Code "invalid_grant" means the grant is gone
// and the account must be reauthorized.
func (p *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	refreshToken := req.RefreshToken
	if refreshToken == "" {
		return nil, verification.ErrMissingRefreshToken
	}
	cfg, err := p.oauth2Config(ctx, "")
	if err != nil {
		return nil, p.failure(verification.ErrTokenRetrieval, "refresh the access token", err)
	}
	ts := cfg.TokenSource(p.client.context(ctx), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := ts.Token()
	if err != nil {
		return nil, p.failure(verification.ErrTokenRetrieval, "refresh the access token", err)
	}
	if err := oauthclient.CheckTokenType(tok, verification.ErrTokenRetrieval); err != nil {
		return nil, err
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	if rawIDToken != "" {
		// Section 12.2: the same issuer and audience (go-oidc checks
		// them) and the same subject as the grant's.
		idt, err := p.verifyIDToken(ctx, rawIDToken, tok.AccessToken, "", false)
		if err != nil {
			return nil, err
		}
		if sub, _ := idt["sub"].(string); req.Subject != "" && sub != req.Subject {
			return nil, verification.ErrIDTokenInvalid.WithLongMessage("The refreshed ID token is for another subject than the account's.")
		}
	}
	return p.token(tok, rawIDToken, refreshToken), nil
}
