// Package gitlab is the GitLab provider (strategy oauth_gitlab): OpenID
// Connect on gitlab.com or a self-managed GitLab instance (Config.BaseURL,
// which may include a relative URL root such as
// "https://example.com/gitlab"). The instance's URL is its issuer.
//
// The provider user id is the ID token's "sub", GitLab's numeric user id as
// a string. Username is "preferred_username" (else "nickname"), the GitLab
// username; email and email_verified (whether the address is confirmed),
// name and picture come from the ID token. Tokens refresh (GitLab access
// tokens expire after two hours), and Revoke uses GitLab's RFC 7009
// endpoint (/oauth/revoke).
package gitlab

import (
	"context"
	"errors"
	"fmt"
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/claims"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy GitLab serves.
var Strategy = verification.MustParseStrategy("oauth_gitlab")

// DefaultBaseURL is gitlab.com.
const DefaultBaseURL = "https://gitlab.com"

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "profile", "email"}

// Config configures the GitLab provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	provider.Credentials
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// BaseURL is the GitLab instance: DefaultBaseURL, or a self-managed
	// instance's URL, relative URL root included. It is the issuer.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Gitlab; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// Provider is the GitLab provider. It is safe for concurrent use.
type Provider struct{ p *oidc.Provider }

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
	_ provider.Revoker   = (*Provider)(nil)
)

// New returns the GitLab provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("gitlab: Config.ClientID is required")
	case cfg.ClientSecret == "":
		return nil, errors.New("gitlab: Config.ClientSecret is required")
	}
	base, err := oauthclient.BaseURL("gitlab", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	p, err := catalog.NewOIDC(context.Background(), oidc.Config{
		Strategy:     Strategy,
		Title:        "GitLab",
		Issuer:       base,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Scopes:       scopes,
		Endpoints: &oidc.Endpoints{
			AuthURL:       base + "/oauth/authorize",
			TokenURL:      base + "/oauth/token",
			JWKSURL:       base + "/oauth/discovery/keys",
			RevocationURL: base + "/oauth/revoke",
		},
		AuthStyle:    xoauth2.AuthStyleInParams,
		SkipUserinfo: true,
		HTTP:         cfg.HTTP,
		ClockSkew:    cfg.ClockSkew,
	}, hooks.OIDC{
		MapIdentity: mapIdentity,
	})
	if err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return &Provider{p: p}, nil
}

// mapIdentity falls back to "nickname" for the username.
func mapIdentity(id *provider.Identity, c map[string]any, _ map[string][]string) error {
	if id.Username == "" {
		id.Username = claims.String(c, "nickname")
	}
	return nil
}

// Strategy returns oauth_gitlab.
func (g *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata describes GitLab: OpenID Connect, the instance as issuer, the
// default scopes.
func (g *Provider) Metadata() provider.Metadata { return g.p.Metadata() }

// AuthCodeURL returns the instance's authorization URL for req.
func (g *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	return g.p.AuthCodeURL(ctx, req)
}

// Exchange redeems the code, validates the ID token and maps its claims.
func (g *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return g.p.Exchange(ctx, req)
}

// Refresh redeems a refresh token.
func (g *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	return g.p.Refresh(ctx, req)
}

// Revoke revokes token at the instance's RFC 7009 endpoint.
func (g *Provider) Revoke(ctx context.Context, token, hint string) error {
	return g.p.Revoke(ctx, token, hint)
}
