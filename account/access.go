package account

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// tokenLeeway is how long before its expiry an access token is refreshed, so
// that a token handed out does not expire on its way to the provider.
const tokenLeeway = time.Minute

// Refresh defaults.
const (
	// DefaultRefreshLease is how long a process may hold an account's
	// refresh lease: the bound on its call to the provider, and how long a
	// grant waits when its holder dies.
	DefaultRefreshLease = 30 * time.Second
	// refreshWriteTries bounds the writes of refreshed tokens.
	refreshWriteTries = 4
)

// OAuthToken is a provider access token for the host's calls to the
// provider's API, in the shape of Clerk's oauth_access_token. It never holds
// the refresh token. It is a secret: do not log it.
type OAuthToken struct {
	// ExternalAccountID and ProviderUserID say which account it is for.
	ExternalAccountID string
	ProviderUserID    string
	Provider          verification.Strategy
	// Token is the access token; TokenType its type ("Bearer").
	Token     string
	TokenType string
	// Expiry is when Token expires; zero when the provider did not say.
	Expiry time.Time
	// Scopes are the scopes granted.
	Scopes []string
	// Label and PublicMetadata are the account's.
	Label          string
	PublicMetadata map[string]any
	// IDToken is the last OpenID Connect ID token, "" when none.
	IDToken string
	// TokenSecret is the secret of an OAuth 1.0a provider's token
	// credentials (oauth_twitter), which signs every request with Token;
	// "" for OAuth 2.0. Clerk's token_secret.
	TokenSecret string
}

// String hides the token.
func (t *OAuthToken) String() string {
	return "account.OAuthToken{ExternalAccountID: " + t.ExternalAccountID + ", Token: REDACTED}"
}

// GoString hides the token from %#v.
func (t *OAuthToken) GoString() string { return t.String() }

func oauthToken(a *ExternalAccount, tok *provider.Token) *OAuthToken {
	return &OAuthToken{
		ExternalAccountID: a.ID,
		ProviderUserID:    a.ProviderUserID,
		Provider:          a.Provider,
		Token:             tok.AccessToken,
		TokenType:         tok.TokenType,
		Expiry:            tok.Expiry,
		Scopes:            tok.Scopes,
		Label:             a.Label,
		PublicMetadata:    cloneMetadata(a.PublicMetadata),
		IDToken:           tok.IDToken,
		TokenSecret:       tok.TokenSecret,
	}
}

// AccessToken returns a valid access token of the user's account, for
// calling the provider's API. A token that expires within a minute is
// refreshed first, transparently.
//
// One refresh per grant, across processes: concurrent callers in one
// process share one refresh, and a process refreshes only while it holds
// the account's lease in the token store, so that every replica on the same
// store waits for the one refresh in flight and returns its token. A holder
// that dies leaves its lease to expire (Config.RefreshLease). The new tokens
// are written with bounded retries even if the caller goes away; if the
// store stays down the caller still gets the fresh token, and the failure is
// logged as an error.
//
// A provider that refuses the grant (invalid_grant: revoked, expired or
// spent) loses it for good: the stored refresh token is dropped and the
// account's verification carries external_account_missing_refresh_token
// until a reauthorization succeeds.
//
// # Errors
//
// external_account_not_found for an account that does not exist or belongs
// to another user; external_account_missing_refresh_token when the token
// expired and there is no refresh token or the grant is gone (reauthorize
// the account); oauth_token_retrieval_error when the provider cannot
// refresh now, wrapping the provider's error.
func (s *Service) AccessToken(ctx context.Context, userID, accountID string) (_ *OAuthToken, err error) {
	ctx, end := s.operation(ctx, "AccessToken")
	defer func() { end(err) }()
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	if accountID == "" || len(accountID) > 128 {
		return nil, verification.ErrExternalAccountNotFound
	}
	// The account and its tokens in one round trip where the store can:
	// a token that is not due needs nothing more.
	a, st, err := s.accounts.(sealingAccounts).getAccountTokens(ctx, s.tokens, accountID)
	if err != nil {
		return nil, err
	}
	if a.UserID != userID {
		return nil, verification.ErrExternalAccountNotFound
	}
	spanAccount(ctx, a)
	if st != nil && a.HasIdentity() {
		tok, err := s.openSealed(st, a.ID)
		if err != nil {
			return nil, err
		}
		if tok.AccessToken != "" && !s.due(tok, s.clock()) {
			return oauthToken(a, tok), nil
		}
	}
	return s.accessToken(ctx, a)
}

// ProviderTokens returns the access tokens of every verified account the
// user has at one provider, one per account in creation order: Clerk's
// GET /users/{id}/oauth_access_tokens/{provider}. Accounts whose token
// cannot be had now are left out; the error of the first such account is
// returned only when no account gave a token.
func (s *Service) ProviderTokens(ctx context.Context, userID, strategy string) (_ []*OAuthToken, err error) {
	ctx, end := s.operation(ctx, "ProviderTokens")
	defer func() { end(err) }()
	as, err := s.ofProvider(ctx, userID, strategy, 0)
	if err != nil {
		return nil, err
	}
	out := []*OAuthToken{}
	var first error
	for _, a := range as {
		if !a.HasIdentity() {
			continue
		}
		tok, err := s.accessToken(ctx, a)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, tok)
	}
	if len(out) == 0 && first != nil {
		return nil, first
	}
	return out, nil
}

func (s *Service) accessToken(ctx context.Context, a *ExternalAccount) (*OAuthToken, error) {
	if !a.HasIdentity() {
		return nil, verification.ErrTokenRetrieval.WithLongMessage("The account was never verified, so it has no tokens.")
	}
	tok, err := s.refreshes.do(ctx, a.ID, func(ctx context.Context) (*provider.Token, error) {
		return s.freshToken(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return oauthToken(a, tok), nil
}

// due reports whether tok must be refreshed before it is handed out.
func (s *Service) due(tok *provider.Token, now time.Time) bool {
	return !tok.Expiry.IsZero() && !tok.Expiry.After(now.Add(tokenLeeway))
}

// freshToken returns the stored token of a, refreshed under the account's
// lease when it is about to expire.
func (s *Service) freshToken(ctx context.Context, a *ExternalAccount) (*provider.Token, error) {
	st, tok, err := s.loadTokens(ctx, a.ID)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, verification.ErrTokenRetrieval.WithLongMessage("The account has no tokens; reauthorize it.")
	}
	if err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, verification.ErrMissingRefreshToken.WithLongMessage("The account's tokens were revoked; reauthorize it.")
	}
	if !s.due(tok, s.clock()) {
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

	holder := s.holder + "/" + randomToken()[:12]
	deadline := time.Now().Add(2*s.refreshLease + time.Second)
	wait := 20 * time.Millisecond
	for {
		got, err := s.tokens.LeaseTokens(ctx, a.ID, holder, s.clock(), s.refreshLease)
		if errors.Is(err, verification.ErrResourceNotFound) {
			return nil, verification.ErrTokenRetrieval.WithLongMessage("The account's tokens were removed; reauthorize it.")
		}
		if err != nil {
			return nil, err
		}
		if got {
			return s.refreshLeased(ctx, a, ref, holder)
		}
		// Another process is refreshing: wait for its write.
		select {
		case <-ctx.Done():
			return nil, verification.ErrTokenRetrieval.Wrap(ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
		cur, theirs, err := s.loadTokens(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if cur.Version != st.Version {
			if !s.due(theirs, s.clock()) {
				return theirs, nil
			}
			if theirs.RefreshToken == "" {
				return nil, verification.ErrMissingRefreshToken
			}
			st = cur
		}
		if time.Now().After(deadline) {
			return nil, verification.ErrTokenRetrieval.WithLongMessage("Another process holds the account's refresh lease; try again.")
		}
	}
}

// refreshLeased refreshes a's tokens while holder holds the lease.
func (s *Service) refreshLeased(ctx context.Context, a *ExternalAccount, ref provider.Refresher, holder string) (*provider.Token, error) {
	defer func() {
		rctx, cancel := s.detached(ctx)
		defer cancel()
		if err := s.tokens.ReleaseTokens(rctx, a.ID, holder); err != nil {
			s.log.LogAttrs(ctx, levelWarn, "tether: refresh lease not released; it expires by itself", append(accountAttrs(a), errAttr(err))...)
		}
	}()
	// Read again under the lease: the previous holder may have written
	// between our first read and our lease.
	st, tok, err := s.loadTokens(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if !s.due(tok, s.clock()) {
		return tok, nil
	}
	if tok.RefreshToken == "" {
		return nil, verification.ErrMissingRefreshToken
	}
	// The provider call is bounded by the lease and outlives the caller:
	// a refresh token spent at the provider must have its result stored.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.refreshLease*3/4)
	defer cancel()
	fresh, err := ref.Refresh(pctx, provider.RefreshRequest{RefreshToken: tok.RefreshToken, Subject: a.ProviderUserID})
	if err != nil {
		return nil, s.refreshFailed(ctx, a, st, tok, err)
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
	if err := s.writeRefreshed(ctx, a, sealed); err != nil {
		if errors.Is(err, verification.ErrConflict) {
			// The account was reauthorized meanwhile: its tokens are newer.
			_, theirs, err := s.loadTokens(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			return theirs, nil
		}
		// Stored nowhere: the caller still gets the fresh token.
		return fresh, nil
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

// writeRefreshed stores refreshed tokens with bounded retries on a context
// detached from the caller's: a rotating provider already spent the old
// refresh token, so losing the new one loses the grant.
func (s *Service) writeRefreshed(ctx context.Context, a *ExternalAccount, sealed *SealedTokens) error {
	wctx, cancel := s.detached(ctx)
	defer cancel()
	var err error
	backoff := 50 * time.Millisecond
	for try := range refreshWriteTries {
		err = s.tokens.SwapTokens(wctx, sealed)
		if err == nil || !errors.Is(err, verification.ErrStoreUnavailable) {
			break
		}
		if try == refreshWriteTries-1 {
			break
		}
		select {
		case <-wctx.Done():
		case <-time.After(backoff):
		}
		backoff *= 4
	}
	if err != nil && !errors.Is(err, verification.ErrConflict) {
		s.log.LogAttrs(ctx, levelError, "tether: refreshed tokens could not be stored; if the provider rotates refresh tokens, this account's grant is lost and the user must reauthorize",
			append(accountAttrs(a), errAttr(err))...)
	}
	return err
}

// refreshFailed reports a refresh the provider refused. A refused grant
// (invalid_grant) is dropped for good, and the account says so.
func (s *Service) refreshFailed(ctx context.Context, a *ExternalAccount, st *SealedTokens, tok *provider.Token, err error) error {
	s.log.LogAttrs(ctx, levelWarn, "tether: token refresh failed", append(accountAttrs(a), errAttr(err))...)
	var oerr *provider.OAuthError
	if !errors.As(err, &oerr) || oerr.Code != "invalid_grant" {
		s.countRefresh(ctx, a.Provider, verification.ErrTokenRetrieval.Code)
		if s.onEvent != nil {
			e := s.eventOf(EventTokenRefreshFailed, a)
			e.ID, e.Version, e.Error = NewID("evt_"), 0, verification.ErrTokenRetrieval.Code
			s.emit(ctx, e)
		}
		var verr *verification.Error
		if errors.As(err, &verr) {
			return err
		}
		return verification.ErrTokenRetrieval.Wrap(err)
	}
	s.countRefresh(ctx, a.Provider, "grant_lost")
	s.loseGrant(ctx, a, st, tok)
	return verification.ErrMissingRefreshToken.WithLongMessage("The provider no longer honours this account's grant; reauthorize the account.").Wrap(err)
}

// loseGrant drops the refresh token of a dead grant and puts
// external_account_missing_refresh_token on the account's verification, so
// a front end offers to reconnect. Failures are logged: the grant is dead
// either way, and the next refresh finds it so again.
func (s *Service) loseGrant(ctx context.Context, a *ExternalAccount, st *SealedTokens, tok *provider.Token) {
	wctx, cancel := s.detached(ctx)
	defer cancel()
	dead := tokenRecordFrom(tok)
	dead.RefreshToken = ""
	sealed, err := s.sealTokens(a.ID, dead)
	if err == nil {
		sealed.Version = st.Version
		err = s.tokens.SwapTokens(wctx, sealed)
	}
	if err != nil && !errors.Is(err, verification.ErrConflict) {
		s.log.LogAttrs(ctx, levelError, "tether: dead grant not recorded", append(accountAttrs(a), errAttr(err))...)
	}
	for range maxCASRetries {
		cur, err := s.accounts.GetAccount(wctx, a.ID)
		if err != nil {
			return
		}
		if cur.Verification.Status != verification.StatusVerified {
			return // a reauthorization is under way; its outcome decides
		}
		cur.Verification = s.policy.LoseGrant(cur.Verification, verification.ErrMissingRefreshToken)
		cur.UpdatedAt = s.clock()
		err = s.accounts.UpdateAccount(wctx, cur, nil)
		if err == nil {
			s.log.LogAttrs(ctx, levelWarn, "tether: grant lost; the account needs reauthorization", accountAttrs(cur)...)
			s.emitAccount(ctx, EventGrantLost, cur)
			return
		}
		if !isConflict(err) {
			s.log.LogAttrs(ctx, levelError, "tether: lost grant not recorded on the account", append(accountAttrs(a), errAttr(err))...)
			return
		}
	}
}

// RevokeTokens revokes the account's tokens at the provider (RFC 7009,
// where it supports revocation) and drops them from the store; the account
// stays linked and needs a reauthorization before AccessToken works again.
// Clerk's DELETE /me/external_accounts/{id}/tokens.
func (s *Service) RevokeTokens(ctx context.Context, userID, accountID string) (err error) {
	ctx, end := s.operation(ctx, "RevokeTokens")
	defer func() { end(err) }()
	a, err := s.get(ctx, userID, accountID)
	if err != nil {
		return err
	}
	st, tok, err := s.loadTokens(ctx, a.ID)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.revoke(ctx, a, tok)
	sealed, err := s.sealTokens(a.ID, tokenRecord{})
	if err != nil {
		return err
	}
	sealed.Version = st.Version
	if err := s.tokens.SwapTokens(ctx, sealed); err != nil {
		return err
	}
	for range maxCASRetries {
		cur, err := s.accounts.GetAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		if cur.Verification.Status != verification.StatusVerified {
			break
		}
		cur.Verification = s.policy.LoseGrant(cur.Verification, verification.ErrMissingRefreshToken.WithLongMessage("The account's tokens were revoked; reauthorize it."))
		cur.UpdatedAt = s.clock()
		if err = s.accounts.UpdateAccount(ctx, cur, nil); err == nil {
			s.emitAccount(ctx, EventTokensRevoked, cur)
			break
		}
		if !isConflict(err) {
			return err
		}
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: tokens revoked", accountAttrs(a)...)
	return nil
}

// revoke revokes tok at a's provider, best effort: failures are logged.
func (s *Service) revoke(ctx context.Context, a *ExternalAccount, tok *provider.Token) {
	prov, err := s.providers.Lookup(a.Provider)
	if err != nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.writeTimeout)
	defer cancel()
	if o1, ok := prov.(provider.OAuth1); ok {
		// OAuth 1.0a token credentials are revoked as a pair, with their
		// secret; there is no refresh token.
		if tok.AccessToken == "" {
			return
		}
		if err := o1.RevokeCredentials(rctx, tok); err != nil && !errors.Is(err, provider.ErrRevocationUnsupported) {
			s.log.LogAttrs(ctx, levelWarn, "tether: revocation failed", append(accountAttrs(a), errAttr(err))...)
		}
		return
	}
	rev, ok := prov.(provider.Revoker)
	if !ok {
		return
	}
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
}
