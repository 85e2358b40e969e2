package account

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// tokenLeeway is how long before its expiry an access token is refreshed, so
// that a token handed out does not expire on its way to the provider.
const tokenLeeway = time.Minute

// AccessToken returns a valid access token of the user's account, for calling
// the provider's API. A token that expires within a minute is refreshed
// first, transparently: the new tokens are sealed and stored with a
// compare-and-swap, and a rotated refresh token replaces the old one.
//
// Concurrent calls for one account in one process share one refresh
// (single-flight). Across processes the compare-and-swap keeps the store
// consistent: a process that loses the race returns the winner's token.
// Providers that detect refresh-token reuse may still revoke a grant that
// two processes refresh at the same instant; hosts running many processes
// against such a provider call AccessToken from one of them.
//
// The returned Token is the caller's; it is a secret and must not be
// logged.
//
// # Errors
//
// external_account_not_found for an account that does not exist or belongs
// to another user; external_account_missing_refresh_token when the token
// expired and there is no refresh token (reauthorize the account);
// oauth_token_retrieval_error when the provider cannot refresh or refuses,
// wrapping the provider's error (a *provider.OAuthError with Code
// "invalid_grant" means the grant is gone: reauthorize).
func (s *Service) AccessToken(ctx context.Context, userID, accountID string) (_ *provider.Token, err error) {
	ctx, end := s.operation(ctx, "AccessToken")
	defer func() { end(err) }()
	a, err := s.get(ctx, userID, accountID)
	if err != nil {
		return nil, err
	}
	if !a.HasIdentity() {
		return nil, verification.ErrTokenRetrieval.WithLongMessage("The account was never verified, so it has no tokens.")
	}
	return s.refreshes.do(ctx, a.ID, func(ctx context.Context) (*provider.Token, error) {
		return s.freshToken(ctx, a)
	})
}

// freshToken returns the stored token of a, refreshed when it is about to
// expire.
func (s *Service) freshToken(ctx context.Context, a *ExternalAccount) (*provider.Token, error) {
	st, tok, err := s.loadTokens(ctx, a.ID)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, verification.ErrTokenRetrieval.WithLongMessage("The account has no tokens; reauthorize it.")
	}
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if tok.Expiry.IsZero() || tok.Expiry.After(now.Add(tokenLeeway)) {
		return tok, nil
	}
	if tok.RefreshToken == "" {
		return nil, verification.ErrMissingRefreshToken
	}
	prov, err := s.providers.Lookup(a.Provider)
	if err != nil {
		return nil, err
	}
	ref, ok := prov.(provider.Refresher)
	if !ok {
		return nil, verification.ErrTokenRetrieval.WithLongMessage("The provider does not refresh access tokens; reauthorize the account.")
	}
	fresh, err := ref.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		s.log.LogAttrs(ctx, levelWarn, "tether: token refresh failed", append(accountAttrs(a), errAttr(err))...)
		s.countRefresh(ctx, a.Provider, verification.ErrTokenRetrieval.Code)
		if s.onEvent != nil {
			e := s.eventOf(EventTokenRefreshFailed, a)
			e.ID, e.Version, e.Error = NewID("evt_"), 0, verification.ErrTokenRetrieval.Code
			var verr *verification.Error
			if errors.As(err, &verr) {
				e.Error = verr.Code
			}
			s.emit(ctx, e)
		}
		var verr *verification.Error
		if errors.As(err, &verr) {
			return nil, err
		}
		return nil, verification.ErrTokenRetrieval.Wrap(err)
	}
	// What the provider did not send again stays as it was.
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = tok.RefreshToken
	}
	if fresh.IDToken == "" {
		fresh.IDToken = tok.IDToken
	}
	if fresh.Scopes == nil {
		fresh.Scopes = tok.Scopes
	}
	sealed, err := s.sealTokens(a.ID, tokenRecordFrom(fresh))
	if err != nil {
		return nil, err
	}
	sealed.Version = st.Version
	err = s.tokens.SwapTokens(ctx, sealed)
	if errors.Is(err, verification.ErrConflict) {
		// Another process refreshed (or the account was reauthorized)
		// meanwhile: its tokens are newer than ours.
		_, theirs, err := s.loadTokens(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		return theirs, nil
	}
	if err != nil {
		return nil, err
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: access token refreshed", accountAttrs(a)...)
	s.countRefresh(ctx, a.Provider, "refreshed")
	if s.onEvent != nil {
		e := s.eventOf(EventTokensRefreshed, a)
		e.ID, e.Version = "evt_"+a.ID+"_t"+strconv.FormatInt(sealed.Version, 10), sealed.Version
		s.emit(ctx, e)
	}
	return fresh, nil
}
