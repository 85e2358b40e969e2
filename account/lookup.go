package account

import (
	"context"
	"errors"

	"github.com/tetherauth/tether/verification"
)

// get reads an account scoped to its user.
func (s *Service) get(ctx context.Context, userID, id string) (*ExternalAccount, error) {
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 128 {
		return nil, verification.ErrExternalAccountNotFound
	}
	a, err := s.accounts.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.UserID != userID {
		return nil, verification.ErrExternalAccountNotFound
	}
	return a, nil
}

func isConflict(err error) bool { return errors.Is(err, verification.ErrConflict) }

// ofProvider lists the user's accounts of one provider (up to limit when
// positive), in creation order.
func (s *Service) ofProvider(ctx context.Context, userID, strategy string, limit int) ([]*ExternalAccount, error) {
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	st, err := verification.ParseStrategy(strategy)
	if err != nil {
		return nil, err
	}
	return s.accounts.ListAccounts(ctx, Query{UserID: userID, Provider: st, Limit: limit})
}
