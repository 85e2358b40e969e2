package account

import (
	"context"
	"errors"

	"github.com/tetherauth/tether/verification"
)

// maxCASRetries bounds how often a write is retried after losing a
// compare-and-swap to a concurrent writer.
const maxCASRetries = 5

// List returns the user's external accounts in creation order. Unverified
// verifications past their expiry read as expired.
func (s *Service) List(ctx context.Context, userID string) (_ []*ExternalAccount, err error) {
	ctx, end := s.operation(ctx, "List")
	defer func() { end(err) }()
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	as, err := s.accounts.ListAccounts(ctx, Query{UserID: userID})
	if err != nil {
		return nil, err
	}
	now := s.clock()
	for _, a := range as {
		a.Verification = s.policy.Observe(a.Verification, now)
	}
	return as, nil
}

// Get returns the user's external account with id. An account of another
// user is external_account_not_found, never "forbidden": ids do not leak.
func (s *Service) Get(ctx context.Context, userID, id string) (_ *ExternalAccount, err error) {
	ctx, end := s.operation(ctx, "Get")
	defer func() { end(err) }()
	a, err := s.get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	a.Verification = s.policy.Observe(a.Verification, s.clock())
	return a, nil
}

// Destroy deletes the user's external account and its tokens, then revokes
// the tokens at the provider where it supports revocation. Revocation is
// best effort: a provider that fails to revoke is logged, and the account is
// gone either way.
func (s *Service) Destroy(ctx context.Context, userID, id string) (err error) {
	ctx, end := s.operation(ctx, "Destroy")
	defer func() { end(err) }()
	a, err := s.get(ctx, userID, id)
	if err != nil {
		return err
	}
	return s.destroy(ctx, a)
}

// destroy deletes a with its tokens and revokes them.
func (s *Service) destroy(ctx context.Context, a *ExternalAccount) error {
	tok, tokErr := s.openTokens(ctx, a.ID)
	if err := s.accounts.DeleteAccount(ctx, a.ID); err != nil {
		return err
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: account destroyed", accountAttrs(a)...)
	if s.onEvent != nil {
		e := s.eventOf(EventAccountDestroyed, a)
		e.ID, e.Status, e.Error, e.Version = "evt_"+a.ID+"_destroyed", "", "", 0
		s.emit(ctx, e)
	}
	if tokErr != nil {
		if !errors.Is(tokErr, verification.ErrResourceNotFound) {
			s.log.LogAttrs(ctx, levelWarn, "tether: tokens unreadable, not revoked", append(accountAttrs(a), errAttr(tokErr))...)
		}
		return nil
	}
	s.revoke(ctx, a, tok)
	return nil
}
