// Package providertest is a real, spec-following OpenID Connect provider (an
// OAuth 2.0 authorization server) for tests and demos, with a plain OAuth
// 2.0 mode ([NewOAuth2]) for providers without OpenID Connect and a mode
// that serves it under a real provider's paths ([NewMounted]).
//
// # Testing a host's own HTTP path
//
// A host that mounts httpadapter tests its routes end to end with
// providertest: start the host's server with httptest.NewUnstartedServer so
// that its URL (and so the callback URL to register with the provider and
// the Service) is known before it serves; give the Service a provider/oidc
// provider on [Server.Issuer]; then play the browser with an http.Client
// that has a cookie jar (the binding cookie) and does not follow redirects,
// so each hop (the connect route, the provider's /authorize, the callback)
// can be checked. [Authorize] does the provider hop for a signed-in user
// ([Handler.SetLogin]) and returns the callback URL the provider redirected
// to. [Server.Held] and [Server.Stats] say what the provider keeps and saw.
//
// [New] starts one on an [httptest.Server] bound to 127.0.0.1; [NewHandler]
// returns the same provider as an [http.Handler] to mount under a path prefix
// of another server, which is how a demo offers an offline "dev" provider.
// Everything a test controls (users, the signed-in user, faults, signing
// keys) and everything it inspects (issued tokens, revocations, request
// counts) is a method of [Handler], which [Server] embeds.
//
// The provider follows OpenID Connect Core 1.0 (authorization code flow),
// OpenID Connect Discovery 1.0, RFC 6749 (OAuth 2.0), RFC 7636 (PKCE, S256
// only), RFC 7009 (token revocation) and RFC 9207 (the "iss" authorization
// response parameter). It serves:
//
//	GET       /.well-known/openid-configuration  discovery
//	GET, POST /authorize                         authorization endpoint
//	POST      /token                             authorization_code and refresh_token grants
//	GET, POST /userinfo                          UserInfo endpoint (Bearer access token)
//	GET       /jwks                              current and previous signing keys
//	POST      /revoke                            RFC 7009 revocation
//
// It has one client ([Config.ClientID], [Config.ClientSecret]) that
// authenticates with client_secret_basic or client_secret_post. Codes are
// single use and live one minute; replaying a code revokes the tokens issued
// from it (RFC 6749 section 4.1.2). Refresh tokens rotate, and reusing a
// rotated refresh token revokes its whole grant (RFC 9700 section 4.14.2).
// ID tokens are signed with RS256 under a "kid" published in the JWKS.
//
// # Signing in
//
// An authorization request is approved automatically as the user set with
// [Handler.SetLogin]. When nobody is signed in, or when [Config.Interactive]
// is set, the authorization endpoint shows an HTML form (sub, email,
// email_verified, name, picture, and approve / deny buttons) that posts back
// to the authorization endpoint and then redirects to the client. Tests use
// [Authorize] instead of a browser: it performs the authorization request and
// returns the callback URL the provider redirected to.
//
// # Faults
//
// [Handler.SetFaults] makes the provider misbehave in one of the ways a
// client must survive: an error on the callback, a token endpoint error,
// ID tokens that fail one validation check each, a wrong or missing "iss"
// callback parameter, a userinfo response for another subject, a slow or an
// oversized response. Faults can be changed while the provider serves.
//
// # Secrets
//
// The provider keeps all state in memory and never logs. Tokens, codes and
// client secrets only leave it in protocol responses and through
// [Handler.Tokens], which exists for tests. It is meant for tests and local
// demos, never for real users.
package providertest
