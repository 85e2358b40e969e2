package oidc

import (
	"fmt"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// ErrNoRevocationEndpoint is returned by Revoke when the provider has no
// revocation endpoint (discovery named none, or Config.Endpoints has no
// RevocationURL). It matches provider.ErrRevocationUnsupported with
// errors.Is, so callers need not know which provider they hold.
var ErrNoRevocationEndpoint = fmt.Errorf("oidc: the provider has no revocation endpoint (%w)", provider.ErrRevocationUnsupported)

// ErrResponseTooLarge is wrapped by the errors of requests whose response
// exceeded Config.MaxResponseBytes. It is provider.ErrResponseTooLarge, so
// either matches with errors.Is.
var ErrResponseTooLarge = provider.ErrResponseTooLarge

// errMalformedResponse stands for any response the libraries could not
// parse; their own messages may quote the body, so they are dropped.
var errMalformedResponse = oauthclient.ErrMalformedResponse

// newStatusError is a provider's error response reduced to what is safe to
// repeat: a *provider.OAuthError with its HTTP status and its OAuth "error"
// code when that is a plain token. It never holds the body or the
// error_description.
func newStatusError(status int, code string) *provider.OAuthError {
	return oauthclient.NewOAuthError(status, code)
}

// sanitize reduces an error of x/oauth2, go-oidc or net/http to one that is
// safe to wrap: a context error, ErrResponseTooLarge, a
// *provider.OAuthError, a *url.Error (method, endpoint URL and network
// error: no body, no credentials), or errMalformedResponse.
func sanitize(err error) error { return oauthclient.Sanitize(err) }

// failure derives the error of a failed call from sentinel: a long message
// saying what failed and why, wrapping the sanitized cause.
func (p *Provider) failure(sentinel *verification.Error, what string, err error) *verification.Error {
	return oauthclient.Failure(sentinel, what, err, p.timeout)
}
