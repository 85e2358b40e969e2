// Package catalog is the shared base of the catalogue providers
// (provider/google, provider/github, provider/spotify, ...): a provider is
// a [Spec] (data: endpoints, default scopes, title, client authentication,
// PKCE) plus its quirks (a profile mapping, hooks), built by [NewOAuth2] or
// [NewOIDC] on provider/oauth2 or provider/oidc.
//
// # How to add a catalogue provider
//
// provider/spotify is the model. A package provider/<slug> contains:
//
//  1. A package doc comment naming the strategy (oauth_<slug>, as Clerk
//     spells it), the protocol, and every documentation page an endpoint,
//     scope, field or behaviour comes from (nothing here was checked
//     against a live provider): the provider user id and why it is stable
//     (never an email or a login name), which email is verified (nil when
//     the provider does not say), refresh and its rotation, revocation, PKCE.
//  2. Strategy, DefaultScopes and the Default*URL constants of the hosts the
//     endpoints live on, and an unexported endpoint [Endpoint] with the
//     documented absolute URLs.
//  3. Config: provider.Credentials embedded (never a String method of its
//     own: Credentials hides the secret), Scopes, a BaseURL per host (tests
//     point them at providertest), HTTP provider.HTTPSettings, ClockSkew for
//     OpenID Connect, then the provider's own settings.
//  4. Provider: a struct embedding provider.Provider and exactly the
//     capability interfaces the provider has (provider.Refresher,
//     provider.Revoker, provider.IDTokenVerifier), no methods, no other
//     field. That is where capabilities are
//     declared: a provider without revocation is no Revoker, and NewOAuth2
//     or NewOIDC refuse a Spec whose endpoints or hooks say otherwise.
//  5. New(cfg Config) (*Provider, error): check and apply the base URLs
//     with [Endpoint.Configure], and return NewOAuth2[Provider] or
//     NewOIDC[Provider] of the Spec and a [Host] made of the Config. It does
//     no I/O; errors start with "<slug>: ".
//  6. The quirks, and only them: MapProfile (OAuth 2.0; read ids with
//     claims.ID so large numbers keep every digit), or the hooks of
//     provider/internal/hooks (Profile for profiles over several requests,
//     AuthParams, CheckClaims, MapIdentity, AllowMissingNonce, Revoke for a
//     revocation that is not RFC 7009). A hook's error carries no secret
//     and no response body; provider/internal/oauthclient has the helpers.
//  7. Tests: a conformance harness in this package's table
//     (conformance_test.go), which states the documented shapes (authorize
//     parameters, token response, profile routes, refresh, revocation,
//     error bodies) and runs the flow on the fixtures (no email, unverified
//     email, no names, an id past 2^53); an entry in the builders table
//     (catalog_test.go) with its capabilities; and, in the package, tests
//     only for quirks the suite cannot state.
//
// The strategy joins provider.Catalogue, the provider table in the provider
// package's documentation and the README when the lead merges it.
package catalog
