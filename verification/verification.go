package verification

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is the state of a verification.
type Status string

// The statuses of DESIGN.md's state machine.
const (
	StatusUnverified   Status = "unverified"
	StatusVerified     Status = "verified"
	StatusTransferable Status = "transferable"
	StatusFailed       Status = "failed"
	StatusExpired      Status = "expired"
)

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusUnverified, StatusVerified, StatusTransferable, StatusFailed, StatusExpired:
		return true
	}
	return false
}

// Terminal reports whether no event changes s any more. Only a new start
// (connecting again, reauthorizing) replaces a terminal verification.
func (s Status) Terminal() bool {
	return s == StatusVerified || s == StatusFailed || s == StatusExpired
}

// Defaults of a zero Policy.
const (
	DefaultMaxAttempts = 3
	DefaultTTL         = 10 * time.Minute
)

// Verification is the state of one attempt to prove that a user controls an
// account at a provider: Clerk's verification_oauth object.
//
// A Verification is a value; its methods on [Policy] are pure functions of
// the value and a time, and storage and HTTP live elsewhere.
type Verification struct {
	Status   Status
	Strategy Strategy
	// Attempts counts the callbacks that consumed a flow of this
	// verification.
	Attempts int
	// ExpireAt is when an unverified verification stops accepting callbacks
	// (millisecond precision on the wire). Zero means none.
	ExpireAt time.Time
	// Error is why the last callback did not verify, or nil.
	Error *Error
	// ExternalVerificationRedirectURL is the provider's authorization URL
	// while the verification is unverified, "" otherwise.
	ExternalVerificationRedirectURL string
	// FlowKey identifies the one flow allowed to complete this verification
	// (the hash of its state, never the state). It is not on the wire;
	// stores persist it.
	FlowKey string
}

// Policy holds the state machine's parameters. Its zero value uses
// DefaultMaxAttempts and DefaultTTL.
type Policy struct {
	// MaxAttempts is how many callbacks a verification accepts before a
	// retryable failure becomes final.
	MaxAttempts int
	// TTL is how long a started verification accepts callbacks.
	TTL time.Duration
}

// Attempts returns the effective MaxAttempts.
func (p Policy) Attempts() int {
	if p.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

// Lifetime returns the effective TTL.
func (p Policy) Lifetime() time.Duration {
	if p.TTL <= 0 {
		return DefaultTTL
	}
	return p.TTL
}

// Start begins a verification (connect, reauthorize, sign-in): unverified,
// no attempts, expiring after the TTL, with the provider's authorization URL
// and the key of the flow that may complete it.
func (p Policy) Start(s Strategy, redirectURL, flowKey string, now time.Time) Verification {
	return Verification{
		Status:                          StatusUnverified,
		Strategy:                        s,
		ExpireAt:                        now.Add(p.Lifetime()),
		ExternalVerificationRedirectURL: redirectURL,
		FlowKey:                         flowKey,
	}
}

// consumeAttempt is the common part of every callback transition: it refuses a
// verification that is not unverified, counts the attempt, and turns a late
// callback into an expiry.
//
// It returns ok=false with the verification to store (expired) or the
// unchanged value (terminal) and the error that says why.
func consumeAttempt(v Verification, now time.Time) (Verification, bool, error) {
	switch v.Status {
	case StatusUnverified:
	case StatusVerified, StatusTransferable:
		return v, false, ErrAlreadyVerified
	case StatusExpired:
		return v, false, ErrVerificationExpired
	default:
		return v, false, ErrVerificationFailed
	}
	v.Attempts++
	if !v.ExpireAt.IsZero() && now.After(v.ExpireAt) {
		v.Status = StatusExpired
		v.Error = ErrVerificationExpired
		v.ExternalVerificationRedirectURL = ""
		v.FlowKey = ""
		return v, false, ErrVerificationExpired
	}
	return v, true, nil
}

// Succeed applies a successful callback: unverified -> verified, the error
// and the redirect URL cleared.
//
// It fails with ErrVerificationExpired (returning the expired verification
// to store) when now is past ExpireAt, and with ErrAlreadyVerified,
// ErrVerificationFailed or ErrVerificationExpired (returning v unchanged)
// when v is not unverified.
func (p Policy) Succeed(v Verification, now time.Time) (Verification, error) {
	v, ok, err := consumeAttempt(v, now)
	if !ok {
		return v, err
	}
	v.Status = StatusVerified
	v.Error = nil
	v.ExternalVerificationRedirectURL = ""
	v.FlowKey = ""
	return v, nil
}

// LoseGrant records on a verified verification that the provider no longer
// honours its grant (or its tokens were revoked): the status stays verified
// (the identity is still the user's), and cause, usually
// ErrMissingRefreshToken, tells a front end to offer a reauthorization,
// whose success clears it. Any other status is returned unchanged.
func (p Policy) LoseGrant(v Verification, cause *Error) Verification {
	if v.Status == StatusVerified {
		v.Error = cause
	}
	return v
}

// Retry applies a retryable failure (the provider said access_denied, the
// token exchange or the profile fetch failed): the verification stays
// unverified with cause as its error, a fresh redirect URL and flow, and a
// fresh expiry, unless this was the last allowed attempt, in which case it
// becomes failed with cause as its error. The caller learns which from the
// returned status.
//
// It refuses late and non-unverified verifications as Succeed does.
func (p Policy) Retry(v Verification, now time.Time, cause *Error, redirectURL, flowKey string) (Verification, error) {
	v, ok, err := consumeAttempt(v, now)
	if !ok {
		return v, err
	}
	v.Error = cause
	if v.Attempts >= p.Attempts() {
		v.Status = StatusFailed
		v.ExternalVerificationRedirectURL = ""
		v.FlowKey = ""
		return v, nil
	}
	v.ExternalVerificationRedirectURL = redirectURL
	v.FlowKey = flowKey
	v.ExpireAt = now.Add(p.Lifetime())
	return v, nil
}

// CanRetry reports whether a retryable failure of v at now would leave it
// unverified, so that the caller prepares a fresh flow only when one is
// needed.
func (p Policy) CanRetry(v Verification, now time.Time) bool {
	return v.Status == StatusUnverified &&
		(v.ExpireAt.IsZero() || !now.After(v.ExpireAt)) &&
		v.Attempts+1 < p.Attempts()
}

// Fail applies a final failure (the identity belongs to another user, or a
// reauthorization returned another identity): unverified -> failed with
// cause as its error. It refuses late and non-unverified verifications as
// Succeed does.
func (p Policy) Fail(v Verification, now time.Time, cause *Error) (Verification, error) {
	v, ok, err := consumeAttempt(v, now)
	if !ok {
		return v, err
	}
	v.Status = StatusFailed
	v.Error = cause
	v.ExternalVerificationRedirectURL = ""
	v.FlowKey = ""
	return v, nil
}

// Hold applies a sign-in callback whose identity belongs to no user (cause
// ErrExternalAccountNotFound), or a sign-up callback whose identity belongs
// to a user (cause ErrExternalAccountExists): unverified -> transferable,
// waiting for a transfer until the verification's ExpireAt.
func (p Policy) Hold(v Verification, now time.Time, cause *Error) (Verification, error) {
	v, ok, err := consumeAttempt(v, now)
	if !ok {
		return v, err
	}
	v.Status = StatusTransferable
	v.Error = cause
	v.ExternalVerificationRedirectURL = ""
	v.FlowKey = ""
	return v, nil
}

// Transfer completes a transferable verification: transferable -> verified,
// the error cleared. A transferable verification past its ExpireAt is
// refused with ErrVerificationExpired (and returned expired); any other
// status is refused with v unchanged.
func (p Policy) Transfer(v Verification, now time.Time) (Verification, error) {
	switch v.Status {
	case StatusTransferable:
		if !v.ExpireAt.IsZero() && now.After(v.ExpireAt) {
			v.Status = StatusExpired
			v.Error = ErrVerificationExpired
			return v, ErrVerificationExpired
		}
		v.Status = StatusVerified
		v.Error = nil
		return v, nil
	case StatusVerified:
		return v, ErrAlreadyVerified
	case StatusExpired:
		return v, ErrVerificationExpired
	default:
		return v, ErrVerificationFailed
	}
}

// Observe returns v as it stands at now: an unverified verification past
// its expiry reads as expired, without an attempt being counted. Stored
// values are not changed; readers apply Observe so abandoned flows show as
// expired.
func (p Policy) Observe(v Verification, now time.Time) Verification {
	if v.Status == StatusUnverified && !v.ExpireAt.IsZero() && now.After(v.ExpireAt) {
		v.Status = StatusExpired
		v.Error = ErrVerificationExpired
		v.ExternalVerificationRedirectURL = ""
		v.FlowKey = ""
	}
	return v
}

// wireVerification is Clerk's verification_oauth JSON.
type wireVerification struct {
	Object      string  `json:"object"`
	Status      Status  `json:"status"`
	Strategy    string  `json:"strategy"`
	Attempts    *int    `json:"attempts"`
	ExpireAt    *int64  `json:"expire_at"`
	Error       *Error  `json:"error"`
	RedirectURL *string `json:"external_verification_redirect_url"`
}

// ObjectName is the "object" of a verification on the wire.
const ObjectName = "verification_oauth"

// MarshalJSON writes Clerk's verification_oauth object. FlowKey is not
// written.
func (v Verification) MarshalJSON() ([]byte, error) {
	w := wireVerification{
		Object:   ObjectName,
		Status:   v.Status,
		Strategy: v.Strategy.String(),
		Attempts: &v.Attempts,
		ExpireAt: UnixMilli(v.ExpireAt),
		Error:    v.Error,
	}
	if v.ExternalVerificationRedirectURL != "" {
		w.RedirectURL = &v.ExternalVerificationRedirectURL
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Clerk's verification_oauth object.
func (v *Verification) UnmarshalJSON(b []byte) error {
	var w wireVerification
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.Object != "" && w.Object != ObjectName {
		return fmt.Errorf("verification: object %q is not %s", w.Object, ObjectName)
	}
	if w.Status != "" && !w.Status.Valid() {
		return fmt.Errorf("verification: unknown status %q", w.Status)
	}
	var s Strategy
	if err := s.UnmarshalText([]byte(w.Strategy)); err != nil {
		return err
	}
	*v = Verification{Status: w.Status, Strategy: s, Error: w.Error}
	if w.Attempts != nil {
		v.Attempts = *w.Attempts
	}
	v.ExpireAt = FromUnixMilli(w.ExpireAt)
	if w.RedirectURL != nil {
		v.ExternalVerificationRedirectURL = *w.RedirectURL
	}
	return nil
}

// UnixMilli returns t in epoch milliseconds, or nil for the zero time: the
// wire form of every Tether timestamp.
func UnixMilli(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// FromUnixMilli is the inverse of UnixMilli; nil gives the zero time. Times
// are returned in UTC.
func FromUnixMilli(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}
