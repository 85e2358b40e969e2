// Package oauth2 is a provider.Provider for OAuth 2.0 providers without
// OpenID Connect (GitHub, Discord, X, Facebook, and any the host defines):
// endpoints, scopes, and a mapping from the provider's profile JSON to the
// normalized provider.Identity.
//
// [New] checks its [Config] and does no I/O. The [Provider] it returns
// builds authorization URLs (state, and PKCE S256 unless
// [Config.DisablePKCE]), exchanges codes with golang.org/x/oauth2 with the
// client authentication [Config.AuthStyle] says (never x/oauth2's
// auto-detection, which re-sends a single-use code the other way on
// failure), fetches the profile with the access token ([Endpoint.UserinfoURL]
// and [Config.MapProfile], or [Config.Profile] for profiles that take
// several requests), and reads the granted scopes from the token response,
// space- or comma-separated. It refreshes tokens ([Provider.Refresh]) and
// revokes them at an RFC 7009 endpoint or through [Config.Revoke].
//
// # Profiles
//
// A profile is decoded with numbers as json.Number, so that a numeric id
// beyond 2^53 keeps every digit: a mapping turns it into a decimal string,
// never a float64. The provider user id must be the provider's stable
// account id, never an email address or a login name, which can change
// hands.
//
// # Network
//
// Every request goes through Config.HTTP.Client (or a default client), with
// Config.HTTP.Timeout per request even when the host's client has none, and
// fails when the response is larger than Config.HTTP.MaxResponseBytes. Redirects are
// never followed, so a code, a token or a client secret is never sent
// anywhere but to the endpoint configured for it.
//
// # Errors
//
// Exchange reports verification.ErrTokenExchange when the request has no
// code (or no PKCE verifier) or the token endpoint does not issue a token,
// HTTP 200 responses with an "error" member included (GitHub), and
// verification.ErrFetchUser when the profile cannot be fetched or has no
// account id. Refresh reports verification.ErrMissingRefreshToken and
// verification.ErrTokenRetrieval. Revoke reports an error wrapping
// provider.ErrRevocationUnsupported when there is no revocation endpoint.
// A provider's error response is wrapped as a *provider.OAuthError (HTTP
// status and OAuth error code only); a response over the size limit wraps
// provider.ErrResponseTooLarge; a timeout wraps context.DeadlineExceeded.
//
// No error, long message or wrapped cause carries the authorization code,
// the PKCE verifier, a token, the client secret, or any part of a provider's
// response other than its HTTP status and its OAuth "error" code.
package oauth2
