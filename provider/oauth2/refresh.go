package oauth2

import (
	"context"
	"fmt"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Refresh redeems refreshToken (RFC 6749 section 6). The returned token's
// RefreshToken is empty unless the provider rotated the refresh token. A
// provider's refusal wraps a *provider.OAuthError: its Code "invalid_grant"
// means the grant is gone and the account must be reauthorized.
func (p *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	refreshToken := req.RefreshToken
	if refreshToken == "" {
		return nil, verification.ErrMissingRefreshToken
	}
	ts := p.oauth2Config("").TokenSource(oauthclient.ClientContext(ctx, p.http.Client), &xoauth2.Token{RefreshToken: refreshToken})
	tok, err := ts.Token()
	if err != nil {
		return nil, p.failure(verification.ErrTokenRetrieval, "refresh the access token", err)
	}
	if err := oauthclient.CheckTokenType(tok, verification.ErrTokenRetrieval); err != nil {
		return nil, err
	}
	return oauthclient.Token(tok, "", refreshToken, p.http.Now()), nil
}

// errNoRevocation is returned by Revoke without a revocation endpoint.
var errNoRevocation = fmt.Errorf("oauth2: the provider has no revocation endpoint (%w)", provider.ErrRevocationUnsupported)

// Revoke revokes token at Endpoint.RevocationURL (RFC 7009,
// authenticating as Config.AuthStyle says), or the way a catalogue
// provider's revocation hook does; hint is sent as
// token_type_hint when not empty. Without either it returns an error
// wrapping provider.ErrRevocationUnsupported and sends nothing. Other
// errors follow provider.Revoker's contract.
func (p *Provider) Revoke(ctx context.Context, token, hint string) error {
	if token == "" {
		return fmt.Errorf("oauth2: Revoke of an empty token")
	}
	if p.revoke != nil {
		return p.revoke(ctx, hooks.RevokeRequest{
			Client: p.http.Client, Endpoint: p.endpoint.RevocationURL,
			Credentials: provider.Credentials{ClientID: p.clientID, ClientSecret: p.clientSecret}, Token: token, Hint: hint,
		})
	}
	if p.endpoint.RevocationURL == "" {
		return errNoRevocation
	}
	return oauthclient.Revoke(ctx, p.http.Client, oauthclient.Revocation{
		URL:          p.endpoint.RevocationURL,
		ClientID:     p.clientID,
		ClientSecret: p.clientSecret,
		AuthStyle:    p.authStyle,
	}, token, hint)
}
