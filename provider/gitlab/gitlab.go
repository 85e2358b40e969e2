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
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy GitLab serves.
var Strategy = verification.MustParseStrategy("oauth_gitlab")

// DefaultBaseURL is gitlab.com.
const DefaultBaseURL = "https://gitlab.com"

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "profile", "email"}

// Config configures the GitLab provider: the application's id and secret
// (required), and BaseURL, the GitLab instance: DefaultBaseURL, or a
// self-managed instance's URL, relative URL root included, which is the
// issuer (see provider.AppConfig; GitLab has no APIURL).
type Config = provider.AppConfig

// Provider is the GitLab provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is gitlab.com's, from https://docs.gitlab.com/api/oauth2/ and
// https://gitlab.com/.well-known/openid-configuration.
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "GitLab", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, AuthStyle: catalog.ClientSecretPost,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth/authorize",
			TokenURL:      DefaultBaseURL + "/oauth/token",
			JWKSURL:       DefaultBaseURL + "/oauth/discovery/keys",
			RevocationURL: DefaultBaseURL + "/oauth/revoke",
		},
	},
	Issuer: DefaultBaseURL,
	OIDC:   catalog.OIDCHooks{MapIdentity: mapIdentity},
}

// New returns the GitLab provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }

// mapIdentity falls back to "nickname" for the username.
func mapIdentity(id *provider.Identity, c map[string]any, _ map[string][]string) error {
	if id.Username == "" {
		id.Username = catalog.String(c, "nickname")
	}
	return nil
}
