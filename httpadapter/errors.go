package httpadapter

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/tetherauth/tether/verification"
)

// Errors of the HTTP layer itself. They are *verification.Error values like
// every other Tether error, so errors.Is matches them by code; their codes
// exist only here because only HTTP produces them.
var (
	// ErrOriginInvalid (403) refuses a state-changing request that a browser
	// sent from another origin (net/http.CrossOriginProtection).
	ErrOriginInvalid = &verification.Error{Code: "origin_invalid", Message: "Invalid origin", LongMessage: "Cross-origin requests that change state are not allowed."}
	// ErrMethodNotAllowed (405) answers a known route with another method;
	// the Allow header lists the methods the route accepts.
	// ErrSignUpUnavailable answers a sign-up when the host creates no users
	// (SignInOptions.CreateUser is nil).
	ErrSignUpUnavailable = &verification.Error{Code: "sign_up_unavailable", Message: "Sign-up unavailable", LongMessage: "Signing up is not available here."}
	ErrMethodNotAllowed  = &verification.Error{Code: "method_not_allowed", Message: "Method not allowed", LongMessage: "This route does not accept this HTTP method."}
	// ErrRequestBodyTooLarge (413) refuses a body over Options.MaxBodyBytes.
	ErrRequestBodyTooLarge = &verification.Error{Code: "request_body_too_large", Message: "Request body too large", LongMessage: "The request body is larger than this server accepts."}
	// ErrUnsupportedMediaType (415) refuses a body that is neither
	// application/x-www-form-urlencoded nor application/json.
	ErrUnsupportedMediaType = &verification.Error{Code: "unsupported_media_type", Message: "Unsupported media type", LongMessage: "The request body must be application/x-www-form-urlencoded or application/json."}
)

// statusByCode is THE code -> HTTP status table. A code that is not listed
// is a 500.
var statusByCode = map[string]int{
	// 400: the request is wrong as sent.
	verification.ErrFormParamInvalid.Code:      http.StatusBadRequest,
	verification.ErrFormParamMissing.Code:      http.StatusBadRequest,
	verification.ErrStrategyInvalid.Code:       http.StatusBadRequest,
	verification.ErrRedirectURLNotAllowed.Code: http.StatusBadRequest,
	verification.ErrCallbackInvalid.Code:       http.StatusBadRequest,
	verification.ErrExternalAccountExists.Code: http.StatusBadRequest,
	verification.ErrAlreadyConnected.Code:      http.StatusBadRequest,
	verification.ErrIdentityMismatch.Code:      http.StatusBadRequest,

	// 401, 403: who is asking.
	verification.ErrAuthenticationInvalid.Code: http.StatusUnauthorized,
	verification.ErrAccessDenied.Code:          http.StatusForbidden,
	verification.ErrAccountLimit.Code:          http.StatusForbidden,
	ErrOriginInvalid.Code:                      http.StatusForbidden,
	ErrSignUpUnavailable.Code:                  http.StatusForbidden,
	ErrForbidden.Code:                          http.StatusForbidden,
	ErrPreconditionFailed.Code:                 http.StatusPreconditionFailed,
	ErrTooManyRequests.Code:                    http.StatusTooManyRequests,

	// 404, 405.
	verification.ErrExternalAccountNotFound.Code: http.StatusNotFound,
	verification.ErrResourceNotFound.Code:        http.StatusNotFound,
	ErrMethodNotAllowed.Code:                     http.StatusMethodNotAllowed,

	// 409, 413, 415.
	verification.ErrConflict.Code: http.StatusConflict,
	ErrRequestBodyTooLarge.Code:   http.StatusRequestEntityTooLarge,
	ErrUnsupportedMediaType.Code:  http.StatusUnsupportedMediaType,

	// 422: well-formed, but the account or provider is not in a state that
	// allows it.
	verification.ErrProviderNotEnabled.Code:  http.StatusUnprocessableEntity,
	verification.ErrVerificationExpired.Code: http.StatusUnprocessableEntity,
	verification.ErrVerificationFailed.Code:  http.StatusUnprocessableEntity,
	verification.ErrAlreadyVerified.Code:     http.StatusUnprocessableEntity,
	verification.ErrMissingRefreshToken.Code: http.StatusUnprocessableEntity,

	// 502: the provider failed us.
	verification.ErrTokenExchange.Code:  http.StatusBadGateway,
	verification.ErrFetchUser.Code:      http.StatusBadGateway,
	verification.ErrIDTokenInvalid.Code: http.StatusBadGateway,
	verification.ErrTokenRetrieval.Code: http.StatusBadGateway,

	// 500, 503: we failed.
	verification.ErrInternal.Code:         http.StatusInternalServerError,
	verification.ErrStoreUnavailable.Code: http.StatusServiceUnavailable,
}

// HTTPStatus returns the HTTP status Tether answers err with: the status of
// the code of the first *verification.Error in err's chain, or 500 for an
// unknown code or an error that carries none. It is the one code -> status
// table; hosts that write their own handlers around the Service use it too.
func HTTPStatus(err error) int {
	if s, ok := statusByCode[verification.Code(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// envelope is Clerk's error response body.
type envelope struct {
	Errors [1]*verification.Error `json:"errors"`
}

// fail answers r with err in the error envelope, logs it by code and calls
// the error hook. It never writes err's cause, which may come from a driver.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := verification.AsError(err)
	if e == nil {
		e = verification.ErrInternal
	}
	status := HTTPStatus(e)
	h.logError(r, status, e)
	if h.onError != nil {
		h.onError(r, status, e)
	}
	writeEnvelope(w, status, e)
}

// WriteError answers with err in Clerk's error envelope,
// {"errors":[{"code","message","long_message","meta"}]}, and the status
// HTTPStatus gives it, as Tether's own routes do: a host's handlers around
// the Service (or its own errors, as *verification.Error values) answer the
// same way. Only the code, messages and meta are written, never err's
// cause; an error that is not a *verification.Error is internal_error
// (500). The response is not cached.
func WriteError(w http.ResponseWriter, err error) {
	e := verification.AsError(err)
	if e == nil {
		e = verification.ErrInternal
	}
	writeEnvelope(w, HTTPStatus(e), e)
}

func writeEnvelope(w http.ResponseWriter, status int, e *verification.Error) {
	body, merr := json.Marshal(envelope{Errors: [1]*verification.Error{e}})
	if merr != nil {
		body = []byte(`{"errors":[{"code":"internal_error","message":"Internal error","long_message":"An unexpected error occurred.","meta":{}}]}`)
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, body)
}

// logError logs an answered error: the route pattern (never the URL, whose
// query may hold a code or a state), the status and the code. Client errors
// are Debug, server errors Error; causes are for the error hook only.
func (h *Handler) logError(r *http.Request, status int, e *verification.Error) {
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	if !h.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", r.Pattern),
		slog.Int("status", status),
		slog.String("code", e.Code),
	}
	if p := e.Meta["param_name"]; p != "" {
		attrs = append(attrs, slog.String("param", p))
	}
	h.log.LogAttrs(r.Context(), level, "tether/http: request failed", attrs...)
}

// writeJSON writes a JSON body with the headers every response carries.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	setCommonHeaders(hdr)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// setCommonHeaders sets what every response of the handler carries: API
// answers are per user and never cached, and never sniffed as HTML.
func setCommonHeaders(hdr http.Header) {
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
}

// levelFor is the log level of an outcome: Error for server-side failures,
// Info for the rest (a user who declined, a provider that failed).
func levelFor(e *verification.Error) slog.Level {
	if HTTPStatus(e) >= 500 && HTTPStatus(e) != http.StatusBadGateway {
		return slog.LevelError
	}
	return slog.LevelInfo
}
