// Package oauthclient is the client side of OAuth 2.0 shared by
// provider/oidc, provider/oauth2 and the catalogue providers: the bounded
// HTTP client (per-request timeout, response size limit, no redirects),
// errors reduced to what is safe to repeat, token conversion with the
// granted scopes, RFC 7009 revocation, and JSON API requests with the
// access token.
//
// Nothing here logs, and no error it returns carries a request or response
// body, a token, a code or a client secret: only HTTP statuses, OAuth error
// codes, endpoint URLs without their query, and context errors.
package oauthclient
