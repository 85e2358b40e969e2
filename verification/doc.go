// Package verification holds the verification of an external account: the
// [Verification] value, its state machine, the [Strategy] that names a
// provider, and [Error], the one API error type of Tether.
//
// The state machine is pure: every transition is a method of [Policy] that
// takes a Verification and the current time and returns the next
// Verification. Storage, HTTP and providers live elsewhere, so the machine is
// tested with a fake clock and nothing else.
//
//	from          event                                     to
//	(none)        start (connect, reauthorize, sign-in)     unverified
//	unverified    callback after expire_at                  expired
//	unverified    callback succeeds                         verified
//	unverified    retryable failure, attempts left          unverified (error, fresh flow)
//	unverified    retryable failure at the last attempt     failed
//	unverified    identity conflict                         failed
//	unverified    sign-in callback, identity unknown        transferable
//	transferable  the host transfers it                     verified
//
// Each callback counts one attempt. Terminal statuses (verified, failed,
// expired) never change; only a new start replaces them.
//
// # Errors
//
// Errors carry Clerk's shape (code, message, long_message, meta) and are
// matched by code with errors.Is against the sentinels of this package, such
// as [ErrVerificationExpired] or [ErrFormParamInvalid]. A sentinel is never
// modified: [Error.WithParam], [Error.WithLongMessage] and [Error.Wrap]
// return copies. The wrapped cause of an error is for errors.Is/As only and
// never part of Error() or JSON.
package verification
