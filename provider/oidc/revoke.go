package oidc

import (
	"context"
	"fmt"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
)

// Revoke revokes token at the provider's RFC 7009 revocation endpoint,
// authenticating as Config.AuthStyle says; hint is sent as token_type_hint
// ("refresh_token" or "access_token") when not empty. The provider answers
// 200 for tokens it does not know, so revoking twice succeeds.
//
// It returns ErrNoRevocationEndpoint, which matches
// provider.ErrRevocationUnsupported, when the provider has no revocation
// endpoint, without sending anything. Other errors wrap a
// *provider.OAuthError (the HTTP status and the OAuth error code only), a
// context error, provider.ErrResponseTooLarge, or a *url.Error without the
// URL's query.
func (p *Provider) Revoke(ctx context.Context, token, hint string) error {
	if p.revoke != nil {
		if token == "" {
			return fmt.Errorf("oidc: Revoke of an empty token")
		}
		secret, err := p.secret(ctx)
		if err != nil {
			return fmt.Errorf("oidc: revocation failed: %w", err)
		}
		return p.revoke(ctx, hooks.RevokeRequest{
			Client: p.client.Client, Endpoint: p.revocationURL,
			Credentials: provider.Credentials{ClientID: p.clientID, ClientSecret: secret}, Token: token, Hint: hint,
		})
	}
	if p.revocationURL == "" {
		return ErrNoRevocationEndpoint
	}
	if token == "" {
		return fmt.Errorf("oidc: Revoke of an empty token")
	}
	secret, err := p.secret(ctx)
	if err != nil {
		return fmt.Errorf("oidc: revocation failed: %w", err)
	}
	return oauthclient.Revoke(ctx, p.client.Client, oauthclient.Revocation{
		URL:          p.revocationURL,
		ClientID:     p.clientID,
		ClientSecret: secret,
		AuthStyle:    p.authStyle,
	}, token, hint)
}
