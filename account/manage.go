package account

import (
	"context"
	"errors"
	"log/slog"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// maxCASRetries bounds how often a write is retried after losing a
// compare-and-swap to a concurrent writer.
const maxCASRetries = 5

const (
	levelInfo  = slog.LevelInfo
	levelWarn  = slog.LevelWarn
	levelError = slog.LevelError
)

// List returns the user's external accounts in creation order. Unverified
// verifications past their expiry read as expired.
func (s *Service) List(ctx context.Context, userID string) ([]*ExternalAccount, error) {
	if userID == "" {
		return nil, verification.ErrAuthenticationInvalid
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
func (s *Service) Get(ctx context.Context, userID, id string) (*ExternalAccount, error) {
	a, err := s.get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	a.Verification = s.policy.Observe(a.Verification, s.clock())
	return a, nil
}

// get reads an account scoped to its user.
func (s *Service) get(ctx context.Context, userID, id string) (*ExternalAccount, error) {
	if userID == "" {
		return nil, verification.ErrAuthenticationInvalid
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

// Destroy deletes the user's external account and its tokens, then revokes
// the tokens at the provider where it supports revocation. Revocation is
// best effort: a provider that fails to revoke is logged, and the account is
// gone either way.
func (s *Service) Destroy(ctx context.Context, userID, id string) error {
	a, err := s.get(ctx, userID, id)
	if err != nil {
		return err
	}
	tok, tokErr := s.openTokens(ctx, a.ID)
	if err := s.accounts.DeleteAccount(ctx, a.ID); err != nil {
		return err
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: account destroyed", accountAttrs(a)...)
	if tokErr != nil {
		if !errors.Is(tokErr, verification.ErrResourceNotFound) {
			s.log.LogAttrs(ctx, levelWarn, "tether: tokens unreadable, not revoked", append(accountAttrs(a), errAttr(tokErr))...)
		}
		return nil
	}
	prov, err := s.providers.Lookup(a.Provider)
	if err != nil {
		return nil
	}
	rev, ok := prov.(provider.Revoker)
	if !ok {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.writeTimeout)
	defer cancel()
	// Revoking the refresh token revokes the grant at most providers
	// (RFC 7009 section 2.1); the access token is revoked too for those
	// that treat them separately.
	for _, t := range []struct{ token, hint string }{{tok.RefreshToken, "refresh_token"}, {tok.AccessToken, "access_token"}} {
		if t.token == "" {
			continue
		}
		err := rev.Revoke(rctx, t.token, t.hint)
		if errors.Is(err, provider.ErrRevocationUnsupported) {
			continue // nothing to revoke for this kind of token at this provider
		}
		if err != nil {
			s.log.LogAttrs(ctx, levelWarn, "tether: revocation failed", append(accountAttrs(a), slog.String("token_type_hint", t.hint), errAttr(err))...)
		}
	}
	return nil
}

func isConflict(err error) bool { return errors.Is(err, verification.ErrConflict) }

// accountAttrs are what a log line may say about an account: ids, provider
// and verification outcome. Never a token, state, code, verifier or nonce,
// and no personal data (email, names).
func accountAttrs(a *ExternalAccount) []slog.Attr {
	attrs := []slog.Attr{
		slog.String("account_id", a.ID),
		slog.String("user_id", a.UserID),
		slog.String("provider", a.Provider.String()),
		slog.String("status", string(a.Verification.Status)),
		slog.Int("attempts", a.Verification.Attempts),
	}
	if a.Verification.Error != nil {
		attrs = append(attrs, slog.String("verification_error", a.Verification.Error.Code))
	}
	return attrs
}

// errAttr logs an error by its code only: causes may come from drivers or
// providers and are not logged.
func errAttr(err error) slog.Attr {
	return slog.String("error", verification.AsError(err).Code)
}
