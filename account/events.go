package account

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/tetherauth/tether/verification"
)

// EventType names a change in an external account's life.
type EventType string

// Event types. Each is emitted once per committed change, after the store
// write succeeded; a write that fails emits nothing.
const (
	// EventAccountCreated: Connect stored a new, unverified account.
	EventAccountCreated EventType = "external_account.created"
	// EventAccountVerified: a connect's callback verified the account.
	EventAccountVerified EventType = "external_account.verified"
	// EventAccountReauthorized: a reauthorization's callback succeeded.
	EventAccountReauthorized EventType = "external_account.reauthorized"
	// EventVerificationFailed: a callback failed. Status says whether the
	// user may retry (unverified, with a fresh redirect URL) or the
	// verification ended (failed); Error is the reason's code.
	EventVerificationFailed EventType = "external_account.verification_failed"
	// EventVerificationExpired: a callback came after the verification
	// expired.
	EventVerificationExpired EventType = "external_account.verification_expired"
	// EventAccountUpdated: the host changed the account's label or public
	// metadata (Admin).
	EventAccountUpdated EventType = "external_account.updated"
	// EventAccountDestroyed: the account and its tokens were deleted.
	EventAccountDestroyed EventType = "external_account.destroyed"
	// EventTokensRefreshed: new provider tokens were stored after a
	// refresh.
	EventTokensRefreshed EventType = "external_account.tokens_refreshed"
	// EventTokenRefreshFailed: the provider did not refresh the tokens and
	// nothing was stored; the grant may still be alive.
	EventTokenRefreshFailed EventType = "external_account.token_refresh_failed"
	// EventGrantLost: the provider refused the grant (invalid_grant); the
	// refresh token was dropped and the account needs reauthorization.
	EventGrantLost EventType = "external_account.grant_lost"
	// EventTokensRevoked: the host revoked the account's tokens
	// (RevokeTokens); the account stays, needing reauthorization.
	EventTokensRevoked EventType = "external_account.tokens_revoked"
	// EventSignedIn: a sign-in (or a sign-in by transfer) completed:
	// UserID is to be signed in. AccountID is the account used.
	EventSignedIn EventType = "sign_in.completed"
	// EventSignedUp: a sign-up (or a sign-up by transfer) created the
	// host's user UserID and its account AccountID.
	EventSignedUp EventType = "sign_up.completed"
	// EventAttemptTransferable: a sign-in found no owner for its identity
	// (Error external_account_not_found), or a sign-up found one
	// (external_account_exists). AttemptID names the attempt.
	EventAttemptTransferable EventType = "attempt.transferable"
)

// Event is what a host observes through Config.OnEvent. It carries ids and
// outcomes, never a token, state, code, verifier, nonce or profile data.
type Event struct {
	// ID identifies the change: the same change always has the same ID, so
	// a host that records events (an outbox, a webhook queue, an audit
	// log) can drop duplicates by it.
	ID   string
	Type EventType
	// Time is when the change was committed, by the Service's clock.
	Time      time.Time
	AccountID string
	UserID    string
	Provider  verification.Strategy
	// Status is the account's verification status after the change ("" for
	// EventAccountDestroyed).
	Status verification.Status
	// Error is the code of the error the change recorded, "" if none.
	Error string
	// AttemptID is the sign-in or sign-up of attempt events.
	AttemptID string
	// Version is the account's version after the change (its token
	// version for token events; 0 for EventAccountDestroyed and
	// EventTokenRefreshFailed). (AccountID, Version) orders an account's
	// changes.
	Version int64
}

// eventOf makes the event of a committed change to a.
func (s *Service) eventOf(t EventType, a *ExternalAccount) Event {
	e := Event{
		ID:        "evt_" + a.ID + "_" + strconv.FormatInt(a.Version, 10),
		Type:      t,
		Time:      s.clock(),
		AccountID: a.ID,
		UserID:    a.UserID,
		Provider:  a.Provider,
		Status:    a.Verification.Status,
		Version:   a.Version,
	}
	if a.Verification.Error != nil {
		e.Error = a.Verification.Error.Code
	}
	return e
}

// emit delivers e to the host's observer, on the caller's goroutine and
// after the change committed. A panicking observer is recovered and logged:
// it cannot fail the operation that caused the event.
func (s *Service) emit(ctx context.Context, e Event) {
	if s.onEvent == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.LogAttrs(ctx, levelError, "tether: event observer panicked", slog.String("event", string(e.Type)), slog.String("account_id", e.AccountID))
		}
	}()
	s.onEvent(ctx, e)
}

func (s *Service) emitAccount(ctx context.Context, t EventType, a *ExternalAccount) {
	if s.onEvent != nil {
		s.emit(ctx, s.eventOf(t, a))
	}
}

// outcomeEvent is the event of a callback's recorded outcome.
func outcomeEvent(a *ExternalAccount) EventType {
	if a.Verification.Status == verification.StatusExpired {
		return EventVerificationExpired
	}
	return EventVerificationFailed
}

// emitAttempt emits an attempt's event; acct is the account it signed in
// or created, nil when none.
func (s *Service) emitAttempt(ctx context.Context, t EventType, a *Attempt, acct *ExternalAccount) {
	if s.onEvent == nil {
		return
	}
	e := Event{ID: "evt_" + a.ID + "_" + string(t), Type: t, Time: s.clock(), AttemptID: a.ID, UserID: a.UserID,
		Provider: a.Verification.Strategy, Status: a.Verification.Status}
	if a.Verification.Error != nil {
		e.Error = a.Verification.Error.Code
	}
	if acct != nil {
		e.AccountID, e.Version = acct.ID, acct.Version
	}
	s.emit(ctx, e)
}
