// Package oidc is a provider.Provider for any OpenID Connect provider.
//
// [New] reads the provider's discovery document; the [Provider] it returns
// builds authorization URLs (PKCE S256 and a nonce on every request),
// exchanges codes with golang.org/x/oauth2, validates ID tokens with
// github.com/coreos/go-oidc/v3 plus the checks go-oidc leaves to its callers,
// fetches the userinfo endpoint, and maps the claims to a provider.Identity.
// It also refreshes tokens ([Provider.Refresh]) and revokes them at the
// RFC 7009 revocation endpoint ([Provider.Revoke]).
//
// # ID token validation
//
// Following OpenID Connect Core section 3.1.3.7, an ID token is accepted only
// when it is a JWS signed with an allowed algorithm ("none" never is) by a
// key of the provider's JWKS (refetched when an unknown key id appears, so
// key rotation works), its "iss" is the issuer, its "aud" contains the client
// id, it has not expired, its "iat" is present and not in the future, its
// "sub" is not empty, its "nonce" equals the authorization request's
// (compared in constant time), its "azp", when present, is the client id and
// is present when "aud" has several values, and its "at_hash", when present,
// matches the access token. Clock checks allow Config.ClockSkew.
//
// # Network
//
// Every request to the provider goes through Config.HTTPClient (or a default
// client), with Config.Timeout per request even when the host's client has
// none, and fails when the response is larger than Config.MaxResponseBytes.
// Redirects are never followed, so a code or a client secret is never sent
// anywhere but to the endpoint discovery named. The client secret is sent the
// way Config.AuthStyle says, once: never x/oauth2's auto-detection, which
// retries a failed request, single-use code included, the other way.
//
// # Errors
//
// Exchange reports verification.ErrTokenExchange when the token endpoint
// does not issue tokens, verification.ErrIDTokenInvalid when the ID token is
// missing or fails a check (its long message names the check), and
// verification.ErrFetchUser when the userinfo endpoint fails or answers for
// another subject. Refresh reports verification.ErrMissingRefreshToken,
// verification.ErrTokenRetrieval and verification.ErrIDTokenInvalid. Revoke
// reports [ErrNoRevocationEndpoint] when the provider has none. A response
// over the size limit wraps [ErrResponseTooLarge]; a timeout wraps
// context.DeadlineExceeded.
//
// No error, long message or wrapped cause carries the authorization code,
// the PKCE verifier, the nonce, a token, the client secret, or any part of a
// provider's response other than its HTTP status and its OAuth "error" code.
package oidc
