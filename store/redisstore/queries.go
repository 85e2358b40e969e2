package redisstore

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// ListAccounts implements account.AccountStore. A user's accounts come from
// the user index (bounded by the Service's per-user limit), filtered and
// paged in Go. Across users, the creation index is read in pages from the
// cursor on, one pipeline of records per page: a filter that matches few
// accounts reads more pages, each bounded.
func (s *Store) ListAccounts(ctx context.Context, q account.Query) ([]*account.ExternalAccount, error) {
	if q.UserID != "" {
		as, err := s.listUser(ctx, q.UserID)
		if err != nil {
			return nil, err
		}
		out := as[:0]
		for _, a := range as {
			if q.Matches(a) {
				out = append(out, a)
			}
		}
		if q.Limit > 0 && len(out) > q.Limit {
			out = out[:q.Limit]
		}
		return out, nil
	}
	return s.listAll(ctx, q)
}

// listPage is how many index entries listAll reads per round trip.
const listPage = 100

func (s *Store) listAll(ctx context.Context, q account.Query) ([]*account.ExternalAccount, error) {
	out := []*account.ExternalAccount{}
	min := "-inf"
	var after *account.Cursor
	if q.After != nil {
		after = q.After
		min = strconv.FormatInt(ms(q.After.CreatedAt), 10)
	}
	for {
		page := listPage
		if q.Limit > 0 {
			page = max(page, 2*(q.Limit-len(out)))
		}
		entries, err := s.rdb.ZRangeByScoreWithScores(ctx, s.allKey(), &redis.ZRangeBy{Min: min, Max: "+inf", Count: int64(page)}).Result()
		if err != nil {
			return nil, storeErr(err)
		}
		// Entries at the cursor's millisecond that the cursor passed.
		entries = slices.DeleteFunc(entries, func(z redis.Z) bool {
			id, _ := z.Member.(string)
			return after != nil && !after.Before(time.UnixMilli(int64(z.Score)).UTC(), id)
		})
		full := len(entries) == page
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.SliceCmd, len(entries))
		for i, z := range entries {
			cmds[i] = pipe.HMGet(ctx, s.accountKey(z.Member.(string)), recordFields...)
		}
		if len(entries) > 0 {
			if _, err := pipe.Exec(ctx); err != nil {
				return nil, storeErr(err)
			}
		}
		var last *account.Cursor
		for i, z := range entries {
			id := z.Member.(string)
			last = &account.Cursor{CreatedAt: time.UnixMilli(int64(z.Score)).UTC(), ID: id}
			a, st, err := parseRecord(cmds[i].Val())
			if err != nil {
				return nil, err
			}
			if st != recordLive || a.ID != id || !q.Matches(a) {
				continue // deleted, in flight, or filtered out
			}
			out = append(out, a)
			if q.Limit > 0 && len(out) == q.Limit {
				return out, nil
			}
		}
		if !full || last == nil {
			slices.SortFunc(out, func(a, b *account.ExternalAccount) int {
				return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
			})
			return out, nil
		}
		after = last
		min = strconv.FormatInt(ms(last.CreatedAt), 10)
	}
}

// DeleteAbandoned implements account.AccountStore through the pending
// index: candidates whose expiry (as created) is before before are read
// and checked against their records; each deletion is a script that
// re-checks the record's version and identity, so an account verified
// meanwhile is kept. Entries of accounts that gained an identity or were
// deleted leave the index; an account whose verification was extended is
// re-scored.
func (s *Store) DeleteAbandoned(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	deleted := 0
	seen := map[string]bool{}
	for deleted < limit {
		ids, err := s.rdb.ZRangeByScore(ctx, s.pendingKey(), &redis.ZRangeBy{
			Min: "-inf", Max: "(" + strconv.FormatInt(ms(before), 10), Count: int64(2 * limit),
		}).Result()
		if err != nil {
			return deleted, storeErr(err)
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return seen[id] })
		if len(ids) == 0 {
			return deleted, nil
		}
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.SliceCmd, len(ids))
		for i, id := range ids {
			seen[id] = true
			cmds[i] = pipe.HMGet(ctx, s.accountKey(id), recordFields...)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return deleted, storeErr(err)
		}
		for i, id := range ids {
			a, st, err := parseRecord(cmds[i].Val())
			if err != nil {
				return deleted, err
			}
			switch {
			case st != recordLive || a.HasIdentity():
				if err := s.rdb.ZRem(ctx, s.pendingKey(), id).Err(); err != nil {
					return deleted, storeErr(err)
				}
			case !account.Abandoned(a, before):
				// Retried since: its verification expires later.
				if err := s.rdb.ZAddXX(ctx, s.pendingKey(), redis.Z{Score: float64(ms(a.Verification.ExpireAt)), Member: id}).Err(); err != nil {
					return deleted, storeErr(err)
				}
			case deleted < limit:
				r, err := replyOf(deleteAbandonedScript.Run(ctx, s.rdb, []string{s.accountKey(id), s.tokensKey(id), s.leaseKey(id)},
					s.tombstoneTTL.Milliseconds(), formatInt(a.Version)))
				if err != nil {
					return deleted, err
				}
				if r.status() != "DELETED" {
					continue // changed since we read it: the next sweep decides
				}
				deleted++
				if err := s.unindex(ctx, id, r.str(1), ""); err != nil {
					return deleted, err
				}
			}
		}
	}
	return deleted, nil
}

// GetFlow implements account.FlowStore in one round trip.
func (s *Store) GetFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	return s.liveFlow(stateHash, s.rdb.Get(ctx, s.flowKey(stateHash)))
}

// DeleteExpired implements account.FlowStore: Redis expires flows by their
// TTL, so there is nothing to delete.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, verification.ErrStoreUnavailable.Wrap(err)
	}
	return 0, nil
}

// LeaseTokens implements account.TokenStore with one script on the
// account's slot: the lease is a key with a TTL (Redis's clock decides
// its expiry; now is not used).
func (s *Store) LeaseTokens(ctx context.Context, accountID, holder string, _ time.Time, ttl time.Duration) (bool, error) {
	n, err := leaseScript.Run(ctx, s.rdb, []string{s.tokensKey(accountID), s.leaseKey(accountID)}, holder, max(ttl.Milliseconds(), 1)).Int()
	if err != nil {
		return false, storeErr(err)
	}
	switch n {
	case 1:
		return true, nil
	case 0:
		return false, nil
	default:
		return false, verification.ErrResourceNotFound
	}
}

// ReleaseTokens implements account.TokenStore.
func (s *Store) ReleaseTokens(ctx context.Context, accountID, holder string) error {
	if err := releaseLeaseScript.Run(ctx, s.rdb, []string{s.leaseKey(accountID)}, holder).Err(); err != nil {
		return storeErr(err)
	}
	return nil
}
