// Package linkedin is the "Sign In with LinkedIn using OpenID Connect"
// provider (strategy oauth_linkedin).
//
// The provider user id is the ID token's "sub" (LinkedIn's member id for
// this application). Email, email_verified, given and family names and
// picture come from the ID token. LinkedIn has no username.
//
// # Quirks absorbed
//
// LinkedIn's issuer is "https://www.linkedin.com/oauth" (its discovery
// document's; older tokens said "https://www.linkedin.com", which is no
// longer accepted). LinkedIn leaves the nonce out of its ID tokens although
// the authorization request sends one: a missing nonce is accepted
// (provider/oidc's AllowMissingNonce), a wrong one never is. LinkedIn
// refuses PKCE from web applications unless LinkedIn enabled it for the
// app, so PKCE is off unless Config.PKCE says otherwise; the code stays
// bound to the client secret and the state. The token endpoint takes the
// client credentials in the form (client_secret_post).
//
// LinkedIn issues refresh tokens to approved partners only; Refresh works
// for them. Revoke uses LinkedIn's revocation endpoint.
package linkedin

import (
	"context"
	"errors"
	"fmt"
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy LinkedIn serves.
var Strategy = verification.MustParseStrategy("oauth_linkedin")

// Issuer is LinkedIn's issuer identifier.
const Issuer = "https://www.linkedin.com/oauth"

// DefaultBaseURL is LinkedIn's website, the base of its OAuth endpoints.
const DefaultBaseURL = "https://www.linkedin.com"

// DefaultScopes are the OpenID Connect scopes LinkedIn supports.
var DefaultScopes = []string{"openid", "profile", "email"}

// Config configures the LinkedIn provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	provider.Credentials
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// PKCE sends PKCE S256, for apps LinkedIn enabled it for.
	PKCE bool
	// BaseURL, when set, replaces DefaultBaseURL for every endpoint (and
	// the issuer becomes BaseURL + "/oauth"), for tests against a fake.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Linkedin; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// Provider is the LinkedIn provider. It is safe for concurrent use.
type Provider struct{ p *oidc.Provider }

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
	_ provider.Revoker   = (*Provider)(nil)
)

// New returns the LinkedIn provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("linkedin: Config.ClientID is required")
	case cfg.ClientSecret == "":
		return nil, errors.New("linkedin: Config.ClientSecret is required")
	}
	base, err := oauthclient.BaseURL("linkedin", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	p, err := catalog.NewOIDC(context.Background(), oidc.Config{
		Strategy:     Strategy,
		Title:        "LinkedIn",
		Issuer:       base + "/oauth",
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Scopes:       scopes,
		Endpoints: &oidc.Endpoints{
			AuthURL:       base + "/oauth/v2/authorization",
			TokenURL:      base + "/oauth/v2/accessToken",
			JWKSURL:       base + "/oauth/openid/jwks",
			RevocationURL: base + "/oauth/v2/revoke",
		},
		AuthStyle:    xoauth2.AuthStyleInParams,
		DisablePKCE:  !cfg.PKCE,
		SkipUserinfo: true,
		HTTP:         cfg.HTTP,
		ClockSkew:    cfg.ClockSkew,
	}, hooks.OIDC{
		AllowMissingNonce: true,
	})
	if err != nil {
		return nil, fmt.Errorf("linkedin: %w", err)
	}
	return &Provider{p: p}, nil
}

// Strategy returns oauth_linkedin.
func (l *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata describes LinkedIn: OpenID Connect, its issuer, the default
// scopes.
func (l *Provider) Metadata() provider.Metadata { return l.p.Metadata() }

// AuthCodeURL returns LinkedIn's authorization URL for req (without PKCE
// unless Config.PKCE).
func (l *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	return l.p.AuthCodeURL(ctx, req)
}

// Exchange redeems the code, validates the ID token and maps its claims.
func (l *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return l.p.Exchange(ctx, req)
}

// Refresh redeems a refresh token (approved partners only).
func (l *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	return l.p.Refresh(ctx, req)
}

// Revoke revokes token at LinkedIn's revocation endpoint.
func (l *Provider) Revoke(ctx context.Context, token, hint string) error {
	return l.p.Revoke(ctx, token, hint)
}
