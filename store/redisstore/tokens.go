package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// GetTokens implements account.TokenStore in one round trip.
func (s *Store) GetTokens(ctx context.Context, accountID string) (*account.SealedTokens, error) {
	if accountID == "" {
		return nil, verification.ErrResourceNotFound
	}
	vals, err := s.rdb.HMGet(ctx, s.tokensKey(accountID), "v", "b", "t").Result()
	if err != nil {
		return nil, storeErr(err)
	}
	t, err := parseTokens(accountID, vals)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, verification.ErrResourceNotFound
	}
	return t, nil
}

// parseTokens reads a token record's fields v, b and t; nil when there is
// none.
func parseTokens(accountID string, vals []any) (*account.SealedTokens, error) {
	if len(vals) != 3 || vals[0] == nil {
		return nil, nil
	}
	var err error
	v, _ := vals[0].(string)
	b, _ := vals[1].(string)
	t := &account.SealedTokens{AccountID: accountID, Blob: []byte(b)}
	if t.Version, err = strconv.ParseInt(v, 10, 64); err != nil {
		return nil, corrupt("token version", err)
	}
	if at, _ := vals[2].(string); at != "" {
		n, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return nil, corrupt("token time", err)
		}
		t.UpdatedAt = time.UnixMilli(n).UTC()
	}
	return t, nil
}

// SwapTokens implements account.TokenStore with one script, in one round
// trip: the account's existence and the token version are checked and the
// tokens written atomically, in the account's hash slot.
func (s *Store) SwapTokens(ctx context.Context, t *account.SealedTokens) error {
	if t.AccountID == "" {
		return verification.ErrExternalAccountNotFound
	}
	r, err := replyOf(swapTokensScript.Run(ctx, s.rdb,
		[]string{s.accountKey(t.AccountID), s.tokensKey(t.AccountID)},
		t.Version, t.Blob, timeField(t.UpdatedAt), newNonce()))
	if err != nil {
		return err
	}
	switch r.status() {
	case "OK":
		v, err := r.int(1)
		if err != nil {
			return err
		}
		t.Version = v
		return nil
	case "NOTFOUND":
		return verification.ErrExternalAccountNotFound
	case "CONFLICT":
		return verification.ErrConflict
	}
	return corrupt("swap reply", nil)
}

// GetAccountTokens implements account.AccountTokensReader: the account's
// record and its tokens share a slot, so one pipeline reads both, in one
// round trip on every topology.
func (s *Store) GetAccountTokens(ctx context.Context, id string) (*account.ExternalAccount, *account.SealedTokens, error) {
	if id == "" {
		return nil, nil, verification.ErrExternalAccountNotFound
	}
	pipe := s.rdb.Pipeline()
	rec := pipe.HMGet(ctx, s.accountKey(id), recordFields...)
	tok := pipe.HMGet(ctx, s.tokensKey(id), "v", "b", "t")
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, storeErr(err)
	}
	a, st, err := parseRecord(rec.Val())
	if err != nil {
		return nil, nil, err
	}
	if st != recordLive {
		return nil, nil, verification.ErrExternalAccountNotFound
	}
	t, err := parseTokens(id, tok.Val())
	if err != nil {
		return nil, nil, err
	}
	return a, t, nil
}
