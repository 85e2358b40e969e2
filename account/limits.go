package account

import (
	"context"
	"time"

	"github.com/tetherauth/tether/verification"
)

// Limits bound what one user can make the Service store. The zero value
// means the defaults; a negative field means no limit.
type Limits struct {
	// MaxAccounts is how many external accounts a user may have, verified
	// or not. Default: 50.
	MaxAccounts int
	// MaxPending is how many accounts of a user may wait for their first
	// callback at once (unverified and not expired). Default: 5.
	MaxPending int
}

// Default limits.
const (
	DefaultMaxAccounts = 50
	DefaultMaxPending  = 5
)

func (l Limits) withDefaults() Limits {
	if l.MaxAccounts == 0 {
		l.MaxAccounts = DefaultMaxAccounts
	}
	if l.MaxPending == 0 {
		l.MaxPending = DefaultMaxPending
	}
	return l
}

// checkLimits refuses a new account for a user at a limit, with
// external_account_limit_exceeded. The check reads the user's accounts
// (one indexed query, at most MaxAccounts rows) before the write, so
// requests racing at the limit may overshoot it by their number: the limit
// bounds growth, it is not a quota to the unit.
func (s *Service) checkLimits(ctx context.Context, userID string, now time.Time) error {
	if s.limits.MaxAccounts < 0 && s.limits.MaxPending < 0 {
		return nil
	}
	q := Query{UserID: userID}
	if s.limits.MaxAccounts > 0 {
		q.Limit = s.limits.MaxAccounts
	}
	as, err := s.accounts.ListAccounts(ctx, q)
	if err != nil {
		return err
	}
	if s.limits.MaxAccounts > 0 && len(as) >= s.limits.MaxAccounts {
		return verification.ErrAccountLimit.WithLongMessage("You have reached the limit of external accounts. Remove one to connect another.")
	}
	pending := 0
	for _, a := range as {
		if !a.HasIdentity() && s.policy.Observe(a.Verification, now).Status == verification.StatusUnverified {
			pending++
		}
	}
	if s.limits.MaxPending > 0 && pending >= s.limits.MaxPending {
		return verification.ErrAccountLimit.WithLongMessage("You have too many connections in progress. Finish one, or wait a few minutes, then try again.")
	}
	return nil
}
