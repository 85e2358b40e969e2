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
//     endpoints live on.
//  3. Config: provider.AppConfig (type Config = provider.AppConfig) unless
//     the provider needs settings of its own; then a struct with
//     provider.Credentials embedded (never a String method of its own:
//     Credentials hides the secret), Scopes, a BaseURL per host, HTTP
//     provider.HTTPSettings, ClockSkew for OpenID Connect, then its own.
//  4. Provider: a struct embedding provider.Provider and exactly the
//     capability interfaces the provider has (provider.Refresher,
//     provider.Revoker, provider.IDTokenVerifier), no methods, no other
//     field. That is where capabilities are declared: a provider without
//     revocation is no Revoker, and NewOAuth2 or NewOIDC refuse a Spec
//     whose endpoints or hooks say otherwise.
//  5. spec, a package variable: the [OAuth2] or [OIDC] with the [Spec]
//     (documented absolute URLs in Endpoint, Spec.BaseURL and APIURL the
//     Default*URL they start with) and the quirks; and New(cfg Config)
//     (*Provider, error), one line: NewOAuth2[Provider] or
//     NewOIDC[Provider] of spec and [App](cfg). It does no I/O; errors
//     start with "<slug>: ".
//  6. The quirks, and only them, with the kit of this package (kit.go):
//     MapProfile (OAuth 2.0; read ids with [ID] so large numbers keep
//     every digit), the hooks ([OAuth2Hooks]: Profile for profiles over
//     several requests, AuthParams, Revoke for a revocation that is not
//     RFC 7009, which gets the client's credentials in its
//     [RevokeRequest]; [OIDCHooks]: CheckClaims, MapIdentity,
//     AllowMissingNonce, ClientSecretHS256), and Spec.Transport for a wire
//     format x/oauth2 cannot speak. A hook's error carries no secret and
//     no response body. A catalogue package imports provider,
//     verification and this package, and nothing else of Tether.
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
