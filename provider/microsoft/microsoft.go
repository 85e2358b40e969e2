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
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
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
	// Credentials are the application (client) id of the app
	// registration and one of its client secrets (the value, not the id).
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

// endpoint is the identity platform's v2.0 endpoints for the tenant
// {tenant}, from
// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc.
// There is no revocation endpoint.
var endpoint = catalog.Endpoint{
	AuthURL:  DefaultBaseURL + "/{tenant}/oauth2/v2.0/authorize",
	TokenURL: DefaultBaseURL + "/{tenant}/oauth2/v2.0/token",
	JWKSURL:  DefaultBaseURL + "/{tenant}/discovery/v2.0/keys",
}

// Provider is the Microsoft provider: no provider.Revoker, since the
// identity platform cannot revoke a token. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
}

// New returns the Microsoft provider. It does no I/O and fails when
// ClientID or ClientSecret is missing, or the tenant or a URL is invalid.
func New(cfg Config) (*Provider, error) {
	base, err := catalog.BaseURL("microsoft", "BaseURL", cfg.BaseURL, DefaultBaseURL)
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
	ep := endpoint.Rebase(DefaultBaseURL, base).Map(func(u string) string { return strings.Replace(u, "{tenant}", tenant, 1) })
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Microsoft",
			Endpoint:      ep,
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		Issuer: issuer,
		OIDC:   catalog.OIDCHooks{CheckClaims: checkTenant(tenant, allowed), MapIdentity: mapIdentity},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew})
}

// checkTenant returns the tenant restrictions of the configuration, or nil.
func checkTenant(tenant string, allowed []string) func(map[string]any) error {
	if tenant != TenantOrganizations && len(allowed) == 0 {
		return nil
	}
	return func(c map[string]any) error {
		tid := strings.ToLower(catalog.String(c, "tid"))
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
	if edov := catalog.Bool(c, "xms_edov"); edov != nil && *edov && id.EmailAddress != "" {
		id.EmailVerified = new(true)
	}
	id.AvatarURL = ""
	return nil
}
