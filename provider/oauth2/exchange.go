package oauth2

import (
	"context"
	"errors"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Exchange redeems the authorization code (with the PKCE verifier), fetches
// the profile with the access token and returns the identity and the
// tokens. The token's Scopes are the token response's "scope", space- or
// comma-separated, nil when it had none (or what a catalogue provider's
// profile hook set).
func (p *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	switch {
	case req.Code == "":
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The callback carried no authorization code.")
	case req.CodeVerifier == "" && !p.disablePKCE:
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The exchange request carries no PKCE code verifier.")
	}
	var opts []xoauth2.AuthCodeOption
	if !p.disablePKCE {
		opts = append(opts, xoauth2.VerifierOption(req.CodeVerifier))
	}
	tok, err := p.oauth2Config(req.RedirectURI).Exchange(oauthclient.ClientContext(ctx, p.http.Client), req.Code, opts...)
	if err != nil {
		return nil, nil, p.failure(verification.ErrTokenExchange, "exchange the authorization code for tokens", err)
	}
	if err := oauthclient.CheckTokenType(tok, verification.ErrTokenExchange); err != nil {
		return nil, nil, err
	}
	t := oauthclient.Token(tok, "", "", p.http.Now())
	id, err := p.identity(ctx, t, tok.Extra)
	if err != nil {
		return nil, nil, err
	}
	return id, t, nil
}

// errNoAccountID is the cause of a profile without an account id.
var errNoAccountID = errors.New("oauth2: the profile has no account id")

// identity fetches and maps the profile of tok; extra reads the token
// response's other members.
func (p *Provider) identity(ctx context.Context, tok *provider.Token, extra func(string) any) (*provider.Identity, error) {
	api := hooks.NewAPI(p.http.Client, tok.AccessToken, p.apiHeader, p.endpoint.UserinfoURL, extra)
	var id *provider.Identity
	var err error
	if p.profile != nil {
		id, err = p.profile(ctx, api, tok)
	} else {
		var m map[string]any
		if err = api.GetJSON(ctx, p.endpoint.UserinfoURL, &m); err == nil {
			if m == nil {
				err = oauthclient.ErrMalformedResponse
			} else {
				id, err = p.mapProfile(m)
			}
		}
	}
	if err != nil {
		var verr *verification.Error
		if errors.As(err, &verr) {
			return nil, verr
		}
		return nil, p.failure(verification.ErrFetchUser, "return the account's profile", err)
	}
	if id == nil || id.ProviderUserID == "" {
		return nil, verification.ErrFetchUser.
			WithLongMessage("The provider's profile has no account id.").
			Wrap(errNoAccountID)
	}
	return id, nil
}
