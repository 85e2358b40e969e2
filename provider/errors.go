package provider

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrRevocationUnsupported is wrapped by the errors of Revoke when the
// provider cannot revoke the token it was given: it has no revocation
// endpoint, or its API revokes only another kind of token (GitHub revokes a
// grant by its access token, never by its refresh token). Match it with
// errors.Is; it means "nothing was attempted", never "the provider failed".
var ErrRevocationUnsupported = errors.New("provider: revocation is not supported for this token")

// ErrResponseTooLarge is wrapped by the errors of requests whose response
// exceeded the provider's size limit.
var ErrResponseTooLarge = errors.New("provider: response body too large")

// OAuthError is a provider's error response reduced to what is safe to
// repeat: its HTTP status and its OAuth "error" code (RFC 6749 section 5.2,
// RFC 6750 section 3.1). It never holds the response body or the
// error_description, which are the provider's free text. Providers wrap it
// in their errors, so that callers can tell, with errors.As, a grant the
// provider no longer honours (invalid_grant: reauthorize) from a failure
// worth retrying later ([OAuthError.Temporary]).
type OAuthError struct {
	// Status is the HTTP status of the response. Some providers answer
	// HTTP 200 with an "error" member (GitHub's token endpoint).
	Status int
	// Code is the OAuth "error" code, such as "invalid_grant", or "" when
	// the response had none or had one that is not a plain code.
	Code string
}

// Error says what the provider answered, without any of its free text.
func (e *OAuthError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("provider answered HTTP %d", e.Status)
	}
	return fmt.Sprintf("provider answered HTTP %d with error %s", e.Status, e.Code)
}

// Temporary reports whether the failure is on the provider's side and may go
// away by itself: an HTTP 5xx or 429, or the codes server_error,
// temporarily_unavailable and slow_down. An invalid_grant, invalid_client or
// invalid_token is not temporary: retrying the same request fails again.
func (e *OAuthError) Temporary() bool {
	switch e.Code {
	case "server_error", "temporarily_unavailable", "slow_down":
		return true
	}
	return e.Status >= http.StatusInternalServerError || e.Status == http.StatusTooManyRequests
}
