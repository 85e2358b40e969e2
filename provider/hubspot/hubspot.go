// Package hubspot is the HubSpot provider (strategy oauth_hubspot): OAuth
// 2.0 for HubSpot apps (v1 of HubSpot's OAuth API), and the user who
// installed the app from the access token's metadata.
//
// Sources, checked against no live server:
//   - https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide
//     (authorization, the app's install URL, at
//     https://app.hubspot.com/oauth/authorize with client_id, redirect_uri,
//     a space-separated scope and state; tokens at
//     https://api.hubapi.com/oauth/v1/token, form-encoded with client_id and
//     client_secret; the response: token_type "bearer", refresh_token,
//     access_token, expires_in (1800); refresh with
//     grant_type=refresh_token returns the same refresh token)
//   - https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata
//     (GET https://api.hubapi.com/oauth/v1/access-tokens/{token}, the token
//     in the path and no Authorization header: token, user (the email
//     address of the user the token was created for), hub_domain, scopes,
//     hub_id, app_id, expires_in, user_id, token_type; ids are JSON
//     numbers)
//   - https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/delete-refresh-token
//     and https://developers.hubspot.com/docs-beta/oauth/tokens (DELETE
//     https://api.hubapi.com/oauth/v1/refresh-tokens/{token} deletes a
//     refresh token only: access tokens it issued stay valid, and the app
//     stays installed)
//   - https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide
//     (HubSpot deprecates these v1 endpoints on February 16, 2027, for the
//     date-versioned OAuth API, whose requests carry their parameters in
//     the body: this package moves when it does)
//
// The minimal scope is "oauth", which reads only the token's metadata. The
// provider user id is "user_id", the HubSpot user's numeric id (every digit
// kept); the account (portal) the app was installed into is "hub_id", kept
// in Claims with hub_domain and app_id (the token itself is dropped from
// them). The email address is "user"; HubSpot does not say whether it
// verified it, so EmailVerified is nil. HubSpot exposes no names, username
// or avatar. The granted scopes are the metadata's "scopes", since the
// token response names none.
//
// HubSpot puts tokens in URL paths. The profile and revocation hooks send
// the token as a Bearer token; the provider's client moves it into the
// path below its tracing and error layers (see tokenInPath), so that no
// span's url.path and no error's URL carries it. The v1 guide documents no
// PKCE, which is left out. Tokens refresh (access tokens last 30
// minutes); HubSpot does not rotate refresh tokens. Revoke deletes a
// refresh token; given an access token it wraps
// provider.ErrRevocationUnsupported.
package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy HubSpot serves.
var Strategy = verification.MustParseStrategy("oauth_hubspot")

// DefaultScopes read the token's metadata, where the user is, and nothing
// else.
var DefaultScopes = []string{"oauth"}

// Default URLs: the app (authorization) and the API (tokens, metadata,
// revocation).
const (
	DefaultBaseURL = "https://app.hubspot.com"
	DefaultAPIURL  = "https://api.hubapi.com"
)

// The endpoints that take a token as their last path segment.
const (
	accessTokens  = "/oauth/v1/access-tokens"
	refreshTokens = "/oauth/v1/refresh-tokens"
)

// spec is HubSpot's (see the package documentation's sources).
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "HubSpot", DefaultScopes: DefaultScopes,
		Transport: func(base http.RoundTripper) http.RoundTripper { return tokenInPath{base} },
		BaseURL:   DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretPost, DisablePKCE: true,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth/authorize",
			TokenURL:      DefaultAPIURL + "/oauth/v1/token",
			UserinfoURL:   DefaultAPIURL + accessTokens,
			RevocationURL: DefaultAPIURL + refreshTokens,
		},
	},
	OAuth2: catalog.OAuth2Hooks{Profile: profile, Revoke: revoke},
}

// Config configures the HubSpot provider: the app's client id and secret
// (required); BaseURL is the app and APIURL the API (see
// provider.AppConfig).
type Config = provider.AppConfig

// Provider is the HubSpot provider: a provider.Refresher and a
// provider.Revoker (of refresh tokens). It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the HubSpot provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) {
	return catalog.NewOAuth2[Provider](spec, catalog.App(cfg))
}

// tokenInPath is the transport of the provider's client: a request to
// accessTokens or refreshTokens with a Bearer token leaves without the
// Authorization header and with the token as the last path segment, as
// HubSpot documents. Other requests go to base as they are.
type tokenInPath struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t tokenInPath) RoundTrip(r *http.Request) (*http.Response, error) {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer || !(strings.HasSuffix(r.URL.Path, accessTokens) || strings.HasSuffix(r.URL.Path, refreshTokens)) {
		return t.base.RoundTrip(r)
	}
	out := r.Clone(r.Context())
	out.Header.Del("Authorization")
	out.URL.RawPath = out.URL.EscapedPath() + "/" + url.PathEscape(token)
	out.URL.Path += "/" + token
	return t.base.RoundTrip(out)
}

// profile reads the access token's metadata (see the package
// documentation).
func profile(ctx context.Context, api *catalog.API, tok *provider.Token) (*provider.Identity, error) {
	var meta map[string]any
	if err := api.GetJSON(ctx, api.UserinfoURL(), &meta); err != nil {
		return nil, err
	}
	delete(meta, "token")
	if granted := catalog.Scopes(meta["scopes"]); granted != nil {
		tok.Scopes = granted
	}
	return &provider.Identity{Claims: meta, ProviderUserID: catalog.ID(meta, "user_id"), EmailAddress: catalog.String(meta, "user")}, nil
}

// revoke deletes a refresh token.
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	c, endpoint, token, hint := r.Client, r.Endpoint, r.Token, r.Hint
	if hint != "refresh_token" {
		return fmt.Errorf("hubspot: HubSpot deletes refresh tokens only (%w)", provider.ErrRevocationUnsupported)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, endpoint, nil)
	if err != nil {
		return fmt.Errorf("hubspot: revocation request: %w", catalog.Sanitize(err))
	}
	req.Header.Set("Authorization", "Bearer "+token) // into the path, by tokenInPath
	if _, _, err := catalog.Do(c, req); err != nil {
		return fmt.Errorf("hubspot: revocation failed: %w", err)
	}
	return nil
}
