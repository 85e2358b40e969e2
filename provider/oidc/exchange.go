package oidc

import (
	"context"
	"errors"
	"maps"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// errIdentityMapping is the cause of a catalogue identity mapping failure that is
// not a *verification.Error.
var errIdentityMapping = errors.New("oidc: the identity could not be mapped")

// Exchange redeems the authorization code with the PKCE verifier, validates
// the ID token (see the package documentation), merges the userinfo
// response's claims (unless Config.SkipUserinfo or the provider has no
// userinfo endpoint), maps the claims to the identity (then
// a catalogue provider's own mapping) and returns the identity and the tokens.
//
// req.Nonce is required: without the authorization request's nonce the ID
// token cannot be checked, and the code is not redeemed. So is
// req.CodeVerifier, unless Config.DisablePKCE: a code is never redeemed
// without the PKCE protection its authorization asked for.
func (p *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	switch {
	case req.Code == "":
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The callback carried no authorization code.")
	case req.Nonce == "":
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The exchange request carries no nonce: an OpenID Connect exchange needs the authorization request's nonce to check the ID token.")
	case req.CodeVerifier == "" && !p.disablePKCE:
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The exchange request carries no PKCE code verifier.")
	}
	var opts []oauth2.AuthCodeOption
	if !p.disablePKCE {
		opts = append(opts, oauth2.VerifierOption(req.CodeVerifier))
	}
	cfg, err := p.oauth2Config(ctx, req.RedirectURI)
	if err != nil {
		return nil, nil, p.failure(verification.ErrTokenExchange, "exchange the authorization code for tokens", err)
	}
	tok, err := cfg.Exchange(p.client.context(ctx), req.Code, opts...)
	if err != nil {
		return nil, nil, p.failure(verification.ErrTokenExchange, "exchange the authorization code for tokens", err)
	}
	if err := oauthclient.CheckTokenType(tok, verification.ErrTokenExchange); err != nil {
		return nil, nil, err
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
	id := identityFromClaims(claims)
	if p.mapIdentity != nil {
		if err := p.mapIdentity(id, claims, req.Params); err != nil {
			var verr *verification.Error
			if errors.As(err, &verr) {
				return nil, nil, verr
			}
			return nil, nil, verification.ErrFetchUser.
				WithLongMessage("The provider's profile could not be mapped to an account.").
				Wrap(errIdentityMapping)
		}
		if id.ProviderUserID == "" {
			return nil, nil, verification.ErrFetchUser.
				WithLongMessage("The provider's profile has no account id.").
				Wrap(errIdentityMapping)
		}
	}
	return id, p.token(tok, rawIDToken, ""), nil
}

// token converts an x/oauth2 token. oldRefresh is the refresh token that was
// redeemed, if any: x/oauth2 puts it back into a response that has none, and
// a Token reports a refresh token only when the provider issued a new one.
// Granted scopes are read space- or comma-separated.
func (p *Provider) token(t *oauth2.Token, rawIDToken, oldRefresh string) *provider.Token {
	return oauthclient.Token(t, rawIDToken, oldRefresh, p.now())
}

// idTokenOnlyClaims are the ID token claims that describe the token, not
// the user: a userinfo response cannot replace them.
var idTokenOnlyClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "azp": true, "exp": true, "iat": true,
	"nbf": true, "nonce": true, "at_hash": true, "c_hash": true, "auth_time": true,
	"acr": true, "amr": true, "sid": true, "jti": true,
	// Multi-tenant providers' tenant (Microsoft's tid) was checked with
	// the issuer; userinfo cannot move the account to another tenant.
	"tid": true,
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
