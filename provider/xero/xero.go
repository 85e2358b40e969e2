// Package xero is the "Sign in with Xero" provider (strategy oauth_xero):
// OpenID Connect on Xero's identity service with its documented
// endpoints, no discovery request at start-up.
//
// Sources, checked against no live server:
//   - https://developer.xero.com/documentation/guides/oauth2/auth-flow
//     (authorization at https://login.xero.com/identity/connect/authorize;
//     tokens at https://identity.xero.com/connect/token with the client id
//     and secret in HTTP Basic; refresh with grant_type=refresh_token, which
//     returns a new refresh token; revocation of a refresh token at
//     https://identity.xero.com/connect/revocation, which removes the
//     app's connections for the user)
//   - https://developer.xero.com/documentation/guides/oauth2/scopes
//     (openid, profile, email; offline_access for a refresh token)
//   - https://developer.xero.com/documentation/guides/oauth2/sign-in (the
//     ID token: sub, xero_userid, email, given_name, family_name,
//     preferred_username, global_session_id)
//   - https://developer.xero.com/documentation/guides/oauth2/pkce-flow
//     (PKCE S256)
//   - https://developer.xero.com/documentation/guides/oauth2/token-types
//     (access tokens last 30 minutes, refresh tokens 60 days)
//   - https://identity.xero.com/.well-known/openid-configuration (issuer
//     https://identity.xero.com, keys at
//     https://identity.xero.com/.well-known/openid-configuration/jwks)
//
// The provider user id is the ID token's "xero_userid", the Xero user's
// GUID, which Xero's own samples key users by; a token without it fails
// the exchange rather than fall back to another id. The identity comes
// from the ID token: given_name and family_name, and "email". Xero's
// "preferred_username" is the login email address, not a user name, so
// Username stays empty; Xero has no picture, and sends no email_verified,
// so EmailVerified is nil. Every claim stays in Identity.Claims.
//
// PKCE S256 is sent. Refresh tokens come with the offline_access scope,
// which DefaultScopes include; each refresh returns a new refresh token,
// which replaces the one redeemed (Xero accepts the previous one for 30
// minutes more). Revoke revokes refresh tokens at the RFC 7009 endpoint
// with HTTP Basic; Xero's access tokens are JWTs that expire by
// themselves, so for an access token it returns an error wrapping
// provider.ErrRevocationUnsupported and sends nothing.
package xero

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Xero serves.
var Strategy = verification.MustParseStrategy("oauth_xero")

// Default URLs: the login site (authorization) and the identity service
// (tokens, keys, revocation, and the issuer).
const (
	DefaultBaseURL = "https://login.xero.com"
	DefaultAPIURL  = "https://identity.xero.com"
)

// DefaultScopes are the OpenID Connect scopes for the profile and email,
// and offline_access for a refresh token.
var DefaultScopes = []string{"openid", "profile", "email", "offline_access"}

// Config configures the Xero provider: the app's client id and secret
// (required; My Apps, Configuration), BaseURL, the login site, and APIURL,
// the identity service (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Xero provider; it refreshes tokens and revokes refresh
// tokens, and is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is Xero's (see the package documentation's sources).
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Xero", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/identity/connect/authorize",
			TokenURL:      DefaultAPIURL + "/connect/token",
			JWKSURL:       DefaultAPIURL + "/.well-known/openid-configuration/jwks",
			RevocationURL: DefaultAPIURL + "/connect/revocation",
		},
	},
	Issuer: DefaultAPIURL,
	OIDC: catalog.OIDCHooks{
		MapIdentity: mapIdentity,
		Revoke:      revoke,
	},
}

// New returns the Xero provider. It does no I/O and fails when ClientID or
// ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }

// errNoUserID is the cause of an ID token without xero_userid.
var errNoUserID = errors.New("xero: the ID token has no xero_userid")

// mapIdentity keys the account by xero_userid and drops the username,
// which is the email address.
func mapIdentity(id *provider.Identity, c map[string]any, _ map[string][]string) error {
	id.ProviderUserID = catalog.String(c, "xero_userid")
	if id.ProviderUserID == "" {
		return errNoUserID
	}
	id.Username = ""
	return nil
}

// revoke revokes a refresh token at r (RFC 7009); an access token cannot
// be revoked.
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	if r.Hint == "access_token" {
		return fmt.Errorf("xero: access tokens expire by themselves; revoke the refresh token (%w)", provider.ErrRevocationUnsupported)
	}
	rev := catalog.Revocation{URL: r.Endpoint, ClientID: r.ClientID, ClientSecret: r.ClientSecret, AuthStyle: catalog.ClientSecretBasic}
	if err := catalog.Revoke(ctx, r.Client, rev, r.Token, r.Hint); err != nil {
		return fmt.Errorf("xero: %w", err)
	}
	return nil
}
