// Package microsoft is the Microsoft provider (strategy oauth_microsoft):
// OpenID Connect on the Microsoft identity platform (v2.0 endpoints, Entra
// ID work and school accounts and personal Microsoft accounts).
//
// # Tenants
//
// Config.Tenant says who can sign in: "common" (any organization and
// personal accounts, the default), "organizations" (work and school
// accounts only), "consumers" (personal accounts only), or a tenant id
// (one organization). The ID token's issuer is
// "https://login.microsoftonline.com/{tenantid}/v2.0" with the account's
// tenant: for a tenant id or "consumers" it is checked exactly; for
// "common" and "organizations" the issuer is a template that must expand to
// the token's own "tid" claim (provider/oidc's issuer template), so a
// token whose "iss" and "tid" disagree is refused, and "organizations"
// also refuses the personal-accounts tenant. Config.AllowedTenants narrows
// the accepted tenants further. The issuer check is never switched off.
//
// # Identity
//
// The provider user id is the ID token's "sub", which Microsoft makes
// stable and unique per application (the "oid" and "tid" claims stay in
// Identity.Claims for hosts that call Microsoft Graph). Username is
// "preferred_username" (often a sign-in address, mutable, never proof of
// anything). Microsoft's "email" claim is not verified by Microsoft for
// work and school accounts, so EmailVerified is nil unless the token
// carries the optional claim "xms_edov" (email domain owner verified) set to
// true. The "picture" Microsoft offers is a Graph URL that needs a token,
// so AvatarURL is empty. No userinfo request is made (it would need a
// Graph token).
//
// The default scopes include offline_access, without which Microsoft issues
// no refresh token. The identity platform has no token revocation
// endpoint: the provider is no provider.Revoker.
package microsoft

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
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

// Strategy is the strategy Microsoft serves.
var Strategy = verification.MustParseStrategy("oauth_microsoft")

// DefaultBaseURL is the identity platform's global authority host; national
// clouds have their own (such as "https://login.microsoftonline.us").
const DefaultBaseURL = "https://login.microsoftonline.com"

// The tenants of Config.Tenant that are not a tenant id.
const (
	TenantCommon        = "common"
	TenantOrganizations = "organizations"
	TenantConsumers     = "consumers"
)

// ConsumersTenantID is the tenant of personal Microsoft accounts.
const ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// DefaultScopes are the OpenID Connect scopes and offline_access.
var DefaultScopes = []string{"openid", "email", "profile", "offline_access"}

// tenantIDPattern is a tenant id: a GUID.
var tenantIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Config configures the Microsoft provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	provider.Credentials
	// Tenant is TenantCommon (the default), TenantOrganizations,
	// TenantConsumers or a tenant id (a GUID). A domain name is refused:
	// its issuer is its tenant id, which configuration must name.
	Tenant string
	// AllowedTenants, when not empty, are the only tenant ids whose
	// accounts are accepted (the ID token's "tid").
	AllowedTenants []string
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// BaseURL is the authority host. Default: DefaultBaseURL; tests point
	// it at a fake.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Microsoft; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// Provider is the Microsoft provider. It is safe for concurrent use.
type Provider struct{ p *oidc.Provider }

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
)

// New returns the Microsoft provider. It does no I/O and fails when
// ClientID or ClientSecret is missing, or the tenant or a URL is invalid.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("microsoft: Config.ClientID is required")
	case cfg.ClientSecret == "":
		return nil, errors.New("microsoft: Config.ClientSecret is required")
	}
	base, err := oauthclient.BaseURL("microsoft", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	tenant := strings.ToLower(cfg.Tenant)
	if tenant == "" {
		tenant = TenantCommon
	}
	var issuer string
	switch {
	case tenant == TenantCommon, tenant == TenantOrganizations:
		issuer = base + "/{tenantid}/v2.0"
	case tenant == TenantConsumers:
		issuer = base + "/" + ConsumersTenantID + "/v2.0"
	case tenantIDPattern.MatchString(tenant):
		issuer = base + "/" + tenant + "/v2.0"
	default:
		return nil, fmt.Errorf("microsoft: Config.Tenant %q is neither common, organizations, consumers nor a tenant id (a GUID)", cfg.Tenant)
	}
	allowed := make([]string, 0, len(cfg.AllowedTenants))
	for _, t := range cfg.AllowedTenants {
		if !tenantIDPattern.MatchString(t) {
			return nil, fmt.Errorf("microsoft: Config.AllowedTenants: %q is not a tenant id (a GUID)", t)
		}
		allowed = append(allowed, strings.ToLower(t))
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	p, err := catalog.NewOIDC(context.Background(), oidc.Config{
		Strategy:     Strategy,
		Title:        "Microsoft",
		Issuer:       issuer,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Scopes:       scopes,
		Endpoints: &oidc.Endpoints{
			AuthURL:  base + "/" + tenant + "/oauth2/v2.0/authorize",
			TokenURL: base + "/" + tenant + "/oauth2/v2.0/token",
			JWKSURL:  base + "/" + tenant + "/discovery/v2.0/keys",
		},
		AuthStyle:    xoauth2.AuthStyleInParams,
		SkipUserinfo: true,
		HTTP:         cfg.HTTP,
		ClockSkew:    cfg.ClockSkew,
	}, hooks.OIDC{
		CheckClaims: checkTenant(tenant, allowed),
		MapIdentity: mapIdentity,
	})
	if err != nil {
		return nil, fmt.Errorf("microsoft: %w", err)
	}
	return &Provider{p: p}, nil
}

// checkTenant returns the tenant restrictions of the configuration, or nil.
func checkTenant(tenant string, allowed []string) func(map[string]any) error {
	if tenant != TenantOrganizations && len(allowed) == 0 {
		return nil
	}
	return func(c map[string]any) error {
		tid := strings.ToLower(claims.String(c, "tid"))
		if tenant == TenantOrganizations && tid == ConsumersTenantID {
			return errors.New("a personal Microsoft account cannot sign in to an organizations-only application (tid)")
		}
		if len(allowed) > 0 && !slices.Contains(allowed, tid) {
			return errors.New("the account's tenant is not allowed (tid)")
		}
		return nil
	}
}

// mapIdentity applies what Microsoft's claims mean (see the package
// documentation).
func mapIdentity(id *provider.Identity, c map[string]any, _ map[string][]string) error {
	id.EmailVerified = nil
	if edov := claims.Bool(c, "xms_edov"); edov != nil && *edov && id.EmailAddress != "" {
		id.EmailVerified = new(true)
	}
	id.AvatarURL = ""
	return nil
}

// Strategy returns oauth_microsoft.
func (m *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata describes Microsoft: OpenID Connect and the default scopes. The
// issuer is empty for the multi-tenant "common" and "organizations", whose
// tokens carry each account's tenant.
func (m *Provider) Metadata() provider.Metadata { return m.p.Metadata() }

// AuthCodeURL returns the tenant's authorization URL for req.
func (m *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	return m.p.AuthCodeURL(ctx, req)
}

// Exchange redeems the code, validates the ID token (tenant issuer
// included) and maps its claims.
func (m *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return m.p.Exchange(ctx, req)
}

// Refresh redeems a refresh token; the refreshed ID token passes the same
// tenant checks.
func (m *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	return m.p.Refresh(ctx, req)
}
