package oauthclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// ErrMalformedResponse stands for any response that could not be parsed;
// the parsers' own messages may quote the body, so they are dropped.
var ErrMalformedResponse = errors.New("provider: malformed response")

// oauthCodePattern is what an OAuth "error" code must look like to be
// repeated in an error message: a plain token, never free text.
var oauthCodePattern = regexp.MustCompile(`^[a-z_]{1,64}$`)

// NewOAuthError returns the error of a provider's error response, dropping
// a code that is not a plain token.
func NewOAuthError(status int, code string) *provider.OAuthError {
	if !oauthCodePattern.MatchString(code) {
		code = ""
	}
	return &provider.OAuthError{Status: status, Code: code}
}

// Sanitize reduces an error of x/oauth2, go-oidc or net/http to one that is
// safe to wrap: a context error, provider.ErrResponseTooLarge, a
// *provider.OAuthError, a *url.Error (method, endpoint URL without query and
// network error: no body, no credentials), or ErrMalformedResponse.
func Sanitize(err error) error {
	var re *oauth2.RetrieveError
	var ue *url.Error
	var oe *provider.OAuthError
	switch {
	case errors.As(err, &oe):
		return oe
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, provider.ErrResponseTooLarge):
		return provider.ErrResponseTooLarge
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return NewOAuthError(status, re.ErrorCode)
	case errors.As(err, &ue):
		return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
	}
	return ErrMalformedResponse
}

// RedactURL drops a URL's query, fragment and user information, the parts
// that could carry credentials.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

// Describe says what a sanitized error means, in a clause for a long
// message; timeout is the per-request timeout, named when it expired.
func Describe(err error, timeout fmt.Stringer) string {
	var oe *provider.OAuthError
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "it did not answer in time (" + timeout.String() + ")"
	case errors.Is(err, context.Canceled):
		return "the request was canceled"
	case errors.Is(err, provider.ErrResponseTooLarge):
		return "its response was too large"
	case errors.As(err, &oe):
		if oe.Code == "" {
			return fmt.Sprintf("it answered HTTP %d", oe.Status)
		}
		return fmt.Sprintf("it answered HTTP %d with error %s", oe.Status, oe.Code)
	case errors.As(err, &ue):
		return "it could not be reached"
	}
	return "its response could not be read"
}

// Failure derives the error of a failed call from sentinel: a long message
// saying what the provider did not do and why, wrapping the sanitized
// cause. what completes "The provider did not ...".
func Failure(sentinel *verification.Error, what string, err error, timeout fmt.Stringer) *verification.Error {
	cause := Sanitize(err)
	return sentinel.
		WithLongMessage(fmt.Sprintf("The provider did not %s: %s.", what, Describe(cause, timeout))).
		Wrap(cause)
}
