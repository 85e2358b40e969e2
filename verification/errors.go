package verification

import (
	"encoding/json"
	"errors"
	"maps"
)

// Error is the one API error type of Tether. Its shape is Clerk's: a stable
// machine-readable Code, a short Message, a LongMessage meant for people and
// optional Meta (for form errors, meta.param_name names the offending
// parameter).
//
// Errors are matched by code: errors.Is(err, verification.ErrConflict) is true
// for every *Error whose Code is "conflict", whatever its messages or cause.
// Use [Error.WithParam], [Error.WithLongMessage] and [Error.Wrap] to derive a
// specific error from a sentinel; they return copies and never modify the
// sentinel.
//
// The cause of a wrapped error is reachable through errors.Unwrap and
// errors.As but is not part of Error() or of the JSON form, so a driver
// message never reaches an API client. Causes must still never contain
// secrets: callers wrap sanitized errors only.
type Error struct {
	Code        string            `json:"code"`
	Message     string            `json:"message"`
	LongMessage string            `json:"long_message"`
	Meta        map[string]string `json:"meta"`

	cause error
}

// Error returns "code: long message" (or the short message when there is no
// long one). It never includes the wrapped cause.
func (e *Error) Error() string {
	msg := e.LongMessage
	if msg == "" {
		msg = e.Message
	}
	if msg == "" {
		return e.Code
	}
	return e.Code + ": " + msg
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code
}

// Unwrap returns the wrapped cause, if any. A nil *Error (a verification
// without an error, passed to errors.Is) unwraps to nil.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.cause
}

func (e *Error) clone() *Error {
	c := *e
	c.Meta = maps.Clone(e.Meta)
	return &c
}

// WithParam returns a copy of e whose meta.param_name is name.
func (e *Error) WithParam(name string) *Error {
	c := e.clone()
	if c.Meta == nil {
		c.Meta = make(map[string]string, 1)
	}
	c.Meta["param_name"] = name
	return c
}

// WithMeta returns a copy of e with meta[key] set to value.
func (e *Error) WithMeta(key, value string) *Error {
	c := e.clone()
	if c.Meta == nil {
		c.Meta = make(map[string]string, 1)
	}
	c.Meta[key] = value
	return c
}

// WithLongMessage returns a copy of e with its long message replaced.
func (e *Error) WithLongMessage(msg string) *Error {
	c := e.clone()
	c.LongMessage = msg
	return c
}

// Wrap returns a copy of e whose cause is err, so that errors.Is and
// errors.As see both the code and the cause.
func (e *Error) Wrap(err error) *Error {
	c := e.clone()
	c.cause = err
	return c
}

// Code returns the code of the first *Error in err's chain, or "" when there
// is none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// AsError returns the first *Error in err's chain. An error that carries no
// *Error (a bug, or an unexpected failure) becomes ErrInternal wrapping it,
// so callers always have a code to answer with.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal.Wrap(err)
}

func newError(code, msg, long string) *Error {
	return &Error{Code: code, Message: msg, LongMessage: long}
}

// Sentinels, matched with errors.Is. Their HTTP statuses are assigned by
// httpadapter in one table.
var (
	// Accounts and identities.
	ErrExternalAccountNotFound = newError("external_account_not_found", "External account not found", "No external account was found with this id for the signed-in user.")
	ErrExternalAccountExists   = newError("external_account_exists", "External account exists", "This account is already connected to another user. Sign in as that user, or connect another account.")
	ErrAlreadyConnected        = newError("oauth_account_already_connected", "Account already connected", "This account is already connected to your user; reauthorize that account instead of connecting it again.")
	ErrIdentityMismatch        = newError("external_account_identity_mismatch", "Identity mismatch", "The provider returned a different account than the one being reauthorized.")
	ErrMissingRefreshToken     = newError("external_account_missing_refresh_token", "Missing refresh token", "The external account has no refresh token; reauthorize it to get a new one.")
	ErrResourceNotFound        = newError("resource_not_found", "Not found", "The requested resource was not found.")
	ErrAccountLimit            = newError("external_account_limit_exceeded", "Too many external accounts", "You have reached the limit of external accounts, or of connections in progress. Remove an account, or finish or wait out a connection in progress, then try again.")

	// The OAuth exchange with the provider.
	ErrAccessDenied       = newError("oauth_access_denied", "Access denied", "You did not grant access to your account at the provider.")
	ErrTokenExchange      = newError("oauth_token_exchange_error", "Token exchange failed", "The provider did not exchange the authorization code for tokens. Try again.")
	ErrFetchUser          = newError("oauth_fetch_user_error", "Fetching the user failed", "The provider did not return the account's profile. Try again.")
	ErrIDTokenInvalid     = newError("oauth_id_token_invalid", "Invalid ID token", "The provider's ID token did not pass validation. Try again; if it keeps failing, check the provider's configuration.")
	ErrCallbackInvalid    = newError("oauth_callback_invalid", "Invalid callback", "The OAuth callback is invalid, was already used or has expired. Start connecting the account again.")
	ErrProviderNotEnabled = newError("oauth_provider_not_enabled", "Provider not enabled", "This OAuth provider is not enabled.")
	ErrTokenRetrieval     = newError("oauth_token_retrieval_error", "Token retrieval failed", "A valid access token could not be obtained from the provider.")

	// The verification state machine.
	ErrVerificationExpired = newError("verification_expired", "Verification expired", "This verification has expired. Start a new one.")
	ErrVerificationFailed  = newError("verification_failed", "Verification failed", "This verification has failed. Start a new one.")
	ErrAlreadyVerified     = newError("verification_already_verified", "Already verified", "This verification has already been completed.")
	ErrStrategyInvalid     = newError("verification_strategy_invalid", "Invalid strategy", "The verification strategy is not valid.")

	// Requests.
	ErrFormParamInvalid      = newError("form_param_invalid", "Invalid parameter", "A request parameter is invalid.")
	ErrFormParamMissing      = newError("form_param_missing", "Missing parameter", "A required request parameter is missing.")
	ErrRedirectURLNotAllowed = newError("redirect_url_not_allowed", "Redirect URL not allowed", "The redirect URL is not on the list of allowed origins.")
	ErrAuthenticationInvalid = newError("authentication_invalid", "Not signed in", "The request is not authenticated.")

	// Infrastructure.
	ErrConflict         = newError("conflict", "Conflict", "The resource was modified concurrently. Retry the request.")
	ErrStoreUnavailable = newError("store_unavailable", "Store unavailable", "The storage backend is unavailable. Retry later.")
	ErrInternal         = newError("internal_error", "Internal error", "An unexpected error occurred.")
)

type wireError struct {
	Code        string            `json:"code"`
	Message     string            `json:"message"`
	LongMessage string            `json:"long_message"`
	Meta        map[string]string `json:"meta"`
}

// MarshalJSON writes Clerk's error object; meta is always an object.
func (e *Error) MarshalJSON() ([]byte, error) {
	w := wireError{Code: e.Code, Message: e.Message, LongMessage: e.LongMessage, Meta: e.Meta}
	if w.Meta == nil {
		w.Meta = map[string]string{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Clerk's error object. An empty meta reads as nil.
func (e *Error) UnmarshalJSON(b []byte) error {
	var w wireError
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Error{Code: w.Code, Message: w.Message, LongMessage: w.LongMessage}
	if len(w.Meta) > 0 {
		e.Meta = w.Meta
	}
	return nil
}
