package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/verification"
)

// ErrNoRevocationEndpoint is returned by Revoke when the provider's
// discovery document names no revocation_endpoint.
var ErrNoRevocationEndpoint = errors.New("oidc: the provider has no revocation endpoint")

// ErrResponseTooLarge is wrapped by the errors of requests whose response
// exceeded Config.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("oidc: response body too large")

// errMalformedResponse stands for any response the libraries could not
// parse; their own messages may quote the body, so they are dropped.
var errMalformedResponse = errors.New("oidc: malformed response")

// oauthCodePattern is what an OAuth "error" code must look like to be
// repeated in an error message: a plain token, never free text.
var oauthCodePattern = regexp.MustCompile(`^[a-z_]{1,64}$`)

// statusError is a provider's error response, reduced to what is safe to
// repeat: its HTTP status and its OAuth "error" code when that is a plain
// token. It never holds the body or the error_description.
type statusError struct {
	status int
	code   string
}

func newStatusError(status int, code string) *statusError {
	if !oauthCodePattern.MatchString(code) {
		code = ""
	}
	return &statusError{status: status, code: code}
}

func (e *statusError) Error() string {
	if e.code == "" {
		return "oidc: provider answered HTTP " + strconv.Itoa(e.status)
	}
	return fmt.Sprintf("oidc: provider answered HTTP %d with error %s", e.status, e.code)
}

// describe says what happened in a clause for a long message.
func (e *statusError) describe() string {
	if e.code == "" {
		return fmt.Sprintf("it answered HTTP %d", e.status)
	}
	return fmt.Sprintf("it answered HTTP %d with error %s", e.status, e.code)
}

// sanitize reduces an error of x/oauth2, go-oidc or net/http to one that is
// safe to wrap: a context error, ErrResponseTooLarge, a *statusError, a
// *url.Error (method, endpoint URL and network error: no body, no
// credentials), or errMalformedResponse.
func sanitize(err error) error {
	var re *oauth2.RetrieveError
	var ue *url.Error
	var se *statusError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, ErrResponseTooLarge):
		return ErrResponseTooLarge
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return newStatusError(status, re.ErrorCode)
	case errors.As(err, &ue):
		return &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
	}
	return errMalformedResponse
}

// redactURL drops a URL's query, fragment and user information, the parts
// that could carry credentials.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

// describe says what a sanitized error means, in a clause for a long
// message.
func describe(err error, timeout string) string {
	var se *statusError
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "it did not answer in time (" + timeout + ")"
	case errors.Is(err, context.Canceled):
		return "the request was canceled"
	case errors.Is(err, ErrResponseTooLarge):
		return "its response was too large"
	case errors.As(err, &se):
		return se.describe()
	case errors.As(err, &ue):
		return "it could not be reached"
	}
	return "its response could not be read"
}

// failure derives the error of a failed call from sentinel: a long message
// saying what failed and why, wrapping the sanitized cause.
func (p *Provider) failure(sentinel *verification.Error, what string, err error) *verification.Error {
	cause := sanitize(err)
	return sentinel.
		WithLongMessage(fmt.Sprintf("The provider did not %s: %s.", what, describe(cause, p.timeout.String()))).
		Wrap(cause)
}
