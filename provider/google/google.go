// Package google is the Google provider (strategy oauth_google): OpenID
// Connect with Google's documented endpoints, no discovery request at
// start-up.
//
// The provider user id is the ID token's "sub". Email, email_verified,
// names (given_name, family_name) and picture come from the ID token, whose
// claims Google fills from the "email" and "profile" scopes; the userinfo
// endpoint adds nothing and is not called. A Google Workspace account's
// "hd" (hosted domain) claim is kept in Identity.Claims; with
// Config.HostedDomain, only accounts of that domain are accepted (checked
// on the signed claim, not only asked for with the "hd" parameter, which a
// user can remove from the URL).
//
// Google issues a refresh token only when asked: when the authorization
// request is Offline (the account Service asks on connect, and on
// reauthorization when it holds none), the URL carries access_type=offline
// and prompt=consent (added to any prompt but "none"), without which Google
// sends no new refresh token for an account that already granted the app.
// Tokens refresh, and Revoke uses Google's revocation endpoint.
package google

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Google serves.
var Strategy = verification.MustParseStrategy("oauth_google")

// Issuer is Google's issuer identifier.
const Issuer = "https://accounts.google.com"

// Google's endpoints, as its discovery document names them.
const (
	authURL       = "https://accounts.google.com/o/oauth2/v2/auth"
	tokenURL      = "https://oauth2.googleapis.com/token"
	jwksURL       = "https://www.googleapis.com/oauth2/v3/certs"
	revocationURL = "https://oauth2.googleapis.com/revoke"
)

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "email", "profile"}

// Config configures the Google provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	provider.Credentials
	// AdditionalAudiences are the host's other Google client ids (an
	// Android or iOS app's, a One Tap client's) whose ID tokens
	// SignInWithIDToken accepts (strategy oauth_token_google).
	AdditionalAudiences []string
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// HostedDomain, when set, restricts sign-in to Google Workspace
	// accounts of this domain: it is sent as "hd" and the ID token's "hd"
	// claim must equal it.
	HostedDomain string
	// BaseURL, when set, replaces the scheme and host of every Google
	// endpoint and the issuer, for tests against a fake Google.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Google; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// Provider is the Google provider. It is safe for concurrent use.
type Provider struct{ p *oidc.Provider }

var (
	_ provider.Provider        = (*Provider)(nil)
	_ provider.Refresher       = (*Provider)(nil)
	_ provider.IDTokenVerifier = (*Provider)(nil)
	_ provider.Revoker         = (*Provider)(nil)
)

// New returns the Google provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("google: Config.ClientID is required")
	case cfg.ClientSecret == "":
		return nil, errors.New("google: Config.ClientSecret is required")
	}
	at := func(u string) string { return u }
	issuer := Issuer
	if cfg.BaseURL != "" {
		base, err := oauthclient.BaseURL("google", "BaseURL", cfg.BaseURL, "")
		if err != nil {
			return nil, err
		}
		at = func(u string) string {
			parsed, _ := url.Parse(u)
			return base + parsed.Path
		}
		issuer = base
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	var extra map[string]string
	var check func(map[string]any) error
	if hd := cfg.HostedDomain; hd != "" {
		extra = map[string]string{"hd": hd}
		check = func(c map[string]any) error {
			if got, _ := c["hd"].(string); !strings.EqualFold(got, hd) {
				return errors.New("the account is not in the required hosted domain (hd)")
			}
			return nil
		}
	}
	p, err := catalog.NewOIDC(context.Background(), oidc.Config{
		Strategy:            Strategy,
		Title:               "Google",
		Issuer:              issuer,
		ClientID:            cfg.ClientID,
		ClientSecret:        cfg.ClientSecret,
		AdditionalAudiences: cfg.AdditionalAudiences,
		Scopes:              scopes,
		Endpoints: &oidc.Endpoints{
			AuthURL:       at(authURL),
			TokenURL:      at(tokenURL),
			JWKSURL:       at(jwksURL),
			RevocationURL: at(revocationURL),
		},
		AuthStyle:       xoauth2.AuthStyleInParams,
		ExtraAuthParams: extra,
		SkipUserinfo:    true,
		HTTP:            cfg.HTTP,
		ClockSkew:       cfg.ClockSkew,
	}, hooks.OIDC{
		AuthParams:  authParams,
		CheckClaims: check,
	})
	if err != nil {
		return nil, fmt.Errorf("google: %w", err)
	}
	return &Provider{p: p}, nil
}

// authParams asks for a refresh token when req.Offline.
func authParams(req provider.AuthRequest, v url.Values) {
	if !req.Offline {
		return
	}
	v.Set("access_type", "offline")
	prompts := strings.Fields(v.Get("prompt"))
	if !slices.Contains(prompts, "none") && !slices.Contains(prompts, "consent") {
		v.Set("prompt", strings.Join(append(prompts, "consent"), " "))
	}
}

// Strategy returns oauth_google.
func (g *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata describes Google: OpenID Connect, its issuer, the default
// scopes.
func (g *Provider) Metadata() provider.Metadata { return g.p.Metadata() }

// AuthCodeURL returns Google's authorization URL for req (see the package
// documentation for Offline).
func (g *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	return g.p.AuthCodeURL(ctx, req)
}

// Exchange redeems the code, validates the ID token (nonce required) and
// maps its claims.
func (g *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return g.p.Exchange(ctx, req)
}

// Refresh redeems a refresh token.
func (g *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	return g.p.Refresh(ctx, req)
}

// Revoke revokes token at Google; revoking either token revokes the grant.
func (g *Provider) Revoke(ctx context.Context, token, hint string) error {
	return g.p.Revoke(ctx, token, hint)
}

// VerifyIDToken verifies an ID token a native client obtained; see
// provider.IDTokenVerifier.
func (g *Provider) VerifyIDToken(ctx context.Context, raw, nonce string) (*provider.Identity, time.Time, error) {
	return g.p.VerifyIDToken(ctx, raw, nonce)
}
