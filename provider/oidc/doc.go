// Package oidc is a provider.Provider for any OpenID Connect provider.
//
// [New] reads the provider's discovery document, or takes the endpoints from
// [Config.Endpoints] without any I/O (how catalogue providers use it). The
// [Provider] it returns builds authorization URLs (PKCE S256 and a nonce on
// every request), exchanges codes with golang.org/x/oauth2, validates ID
// tokens (signatures with the key set of github.com/coreos/go-oidc/v3,
// every claim check here, the token parsed and verified once), fetches the
// userinfo endpoint, and maps the claims to a provider.Identity.
// It also refreshes tokens ([Provider.Refresh]) and revokes them at the
// RFC 7009 revocation endpoint ([Provider.Revoke]).
//
// # ID token validation
//
// Following OpenID Connect Core section 3.1.3.7, an ID token is accepted only
// when it is a JWS signed with an allowed algorithm ("none" never is) by a
// key of the provider's JWKS (refetched when an unknown key id appears, so
// key rotation works), its "iss" is the issuer (or the issuer template's
// expansion for the token's tenant), its "aud" contains the client
// id, it has not expired, its "iat" is present and not in the future, its
// "sub" is not empty, its "nonce" equals the authorization request's
// (compared in constant time), its "azp", when present, is the client id and
// is present when "aud" has several values, and its "at_hash", when present,
// matches the access token. Clock checks allow Config.ClockSkew.
//
// An issuer template serves multi-tenant providers (Microsoft's
// "https://login.microsoftonline.com/{tenantid}/v2.0", checked against the
// token's "tid") without weakening any of this. Catalogue providers
// (provider/google, provider/apple, ...) are built on this package through
// provider/internal/catalog, which adds what only they need (one more claim
// check, a client secret that is a short-lived JWT, their own authorization
// parameters and revocation, LinkedIn's missing nonce) without a Config
// field a host would have to read past. Exchange always requires the
// authorization request's nonce.

// # Network
//
// Every request to the provider goes through Config.HTTP.Client (or a
// default client), with Config.HTTP.Timeout per request even when the
// host's client has none, and fails when the response is larger than
// Config.HTTP.MaxResponseBytes.
// Redirects are never followed, so a code or a client secret is never sent
// anywhere but to the endpoint discovery (or Config.Endpoints) named. The client secret is sent the
// way Config.AuthStyle says, once: never x/oauth2's auto-detection, which
// retries a failed request, single-use code included, the other way.
//
// # Errors
//
// Exchange reports verification.ErrTokenExchange when the request has no
// code or no nonce, or the token endpoint does not issue tokens,
// verification.ErrIDTokenInvalid when the ID token is missing or fails a
// check (its long message names the check), and verification.ErrFetchUser
// when the userinfo endpoint fails or answers for another subject. Refresh
// reports verification.ErrMissingRefreshToken, verification.ErrTokenRetrieval
// and verification.ErrIDTokenInvalid. Revoke reports
// [ErrNoRevocationEndpoint], which matches provider.ErrRevocationUnsupported,
// when the provider has none. A provider's error response is wrapped as a
// *provider.OAuthError (HTTP status and OAuth error code), so that callers
// can tell an invalid_grant from a temporary failure with errors.As. A
// response over the size limit wraps [ErrResponseTooLarge]
// (provider.ErrResponseTooLarge); a timeout wraps context.DeadlineExceeded.
//
// No error, long message or wrapped cause carries the authorization code,
// the PKCE verifier, the nonce, a token, the client secret, or any part of a
// provider's response other than its HTTP status and its OAuth "error" code.
package oidc
