package main

import (
	"context"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/github"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/oidc"
)

// The real providers, enabled by the environment. Register
// <base-url>/identity/oauth_callback as the redirect URI at each.

// newGoogle is oauth_google: provider/google knows Google's endpoints, so
// it does no discovery request at start.
func newGoogle(c credentials) (provider.Provider, error) {
	return google.New(google.Config{Credentials: provider.Credentials{ClientID: c.ID, ClientSecret: c.Secret}})
}

// newGitHub is oauth_github, an OAuth 2.0 app at github.com.
func newGitHub(c credentials) (provider.Provider, error) {
	return github.New(github.Config{Credentials: provider.Credentials{ClientID: c.ID, ClientSecret: c.Secret}})
}

// newGenericOIDC is the OIDC_* provider: any OpenID Connect provider, found
// through discovery at start.
func newGenericOIDC(ctx context.Context, c genericOIDC) (provider.Provider, error) {
	return oidc.New(ctx, oidc.Config{
		Strategy:     c.Strategy,
		Issuer:       c.Issuer,
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Scopes:       c.Scopes,
	})
}
