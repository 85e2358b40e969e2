package redisstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// recordFields are the fields of an account record that a read needs.
var recordFields = []string{"v", "d", "x"}

// recordState is what a read found at an account key.
type recordState int

const (
	recordMissing recordState = iota
	recordTombstone
	recordLive
)

// parseRecord reads the values of recordFields.
func parseRecord(vals []any) (*account.ExternalAccount, recordState, error) {
	if len(vals) != len(recordFields) {
		return nil, recordMissing, corrupt("account", nil)
	}
	v, _ := vals[0].(string)
	d, _ := vals[1].(string)
	if vals[0] == nil {
		if vals[2] != nil {
			return nil, recordTombstone, nil
		}
		return nil, recordMissing, nil
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, recordMissing, corrupt("account", err)
	}
	a, err := decodeAccount([]byte(d), version)
	if err != nil {
		return nil, recordMissing, err
	}
	return a, recordLive, nil
}

// CreateAccount implements account.AccountStore. It writes the identity
// index (when a has an identity), then the user index, then the record;
// see the package documentation for why in this order. It costs two round
// trips, three with an identity.
func (s *Store) CreateAccount(ctx context.Context, a *account.ExternalAccount) error {
	if a.Version != 0 {
		return verification.ErrConflict.WithLongMessage("A new account must have version 0.")
	}
	if a.ID == "" {
		return verification.ErrInternal.WithLongMessage("redisstore: an account needs an id.")
	}
	data, err := encodeAccount(a)
	if err != nil {
		return err
	}
	ident := identityOf(a.Provider, a.ProviderUserID)
	if ident != "" {
		if _, err := s.claimIdentity(ctx, ident, a.ID, 0); err != nil {
			return err
		}
	}
	// The user index and the cross-user indexes in one round trip.
	pipe := s.rdb.Pipeline()
	pipe.HSet(ctx, s.userKey(a.UserID), a.ID, formatInt(ms(s.now())))
	pipe.ZAdd(ctx, s.allKey(), redis.Z{Score: float64(ms(a.CreatedAt)), Member: a.ID})
	if ident == "" {
		pipe.ZAdd(ctx, s.pendingKey(), redis.Z{Score: float64(ms(a.Verification.ExpireAt)), Member: a.ID})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return storeErr(err)
	}
	r, err := replyOf(createScript.Run(ctx, s.rdb, []string{s.accountKey(a.ID)}, a.UserID, ident, data, newNonce()))
	if err != nil {
		return err
	}
	switch r.status() {
	case "OK":
		a.Version = 1
		s.cache.setOwner(ident, a.ID)
		return nil
	case "EXISTS":
		return verification.ErrConflict.WithLongMessage("An account with this id exists.")
	case "FENCED":
		if ident != "" {
			// Repaired as abandoned while in flight: the identity may have
			// gone to another account meanwhile.
			return verification.ErrExternalAccountExists
		}
		return verification.ErrConflict.WithLongMessage("An account with this id existed or was abandoned.")
	}
	return corrupt("create reply", nil)
}

// GetAccount implements account.AccountStore in one round trip.
func (s *Store) GetAccount(ctx context.Context, id string) (*account.ExternalAccount, error) {
	if id == "" {
		return nil, verification.ErrExternalAccountNotFound
	}
	vals, err := s.rdb.HMGet(ctx, s.accountKey(id), recordFields...).Result()
	if err != nil {
		return nil, storeErr(err)
	}
	a, st, err := parseRecord(vals)
	if err != nil {
		return nil, err
	}
	if st != recordLive {
		return nil, verification.ErrExternalAccountNotFound
	}
	s.cache.setOwner(identityOf(a.Provider, a.ProviderUserID), a.ID)
	return a, nil
}

// listUser lists one user's accounts. It reads the user index
// and, in the same pipeline, the records of the ids the index held the
// last time this Store listed the user; records of ids it did not expect
// cost a second pipeline. Index entries pointing to a tombstone or to
// another user's account are skipped and pruned; entries pointing to a
// missing record are skipped, and pruned once older than the claim
// timeout.
func (s *Store) listUser(ctx context.Context, userID string) ([]*account.ExternalAccount, error) {
	hinted := s.cache.get(userLoc(userID))
	recs := make(map[string]*redis.SliceCmd, len(hinted))
	pipe := s.rdb.Pipeline()
	index := pipe.HGetAll(ctx, s.userKey(userID))
	for _, id := range hinted {
		recs[id] = pipe.HMGet(ctx, s.accountKey(id), recordFields...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, storeErr(err)
	}
	entries := index.Val()
	var more []string
	for id := range entries {
		if _, ok := recs[id]; !ok {
			more = append(more, id)
		}
	}
	if len(more) > 0 {
		pipe := s.rdb.Pipeline()
		for _, id := range more {
			recs[id] = pipe.HMGet(ctx, s.accountKey(id), recordFields...)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, storeErr(err)
		}
	}

	now := s.now()
	out := make([]*account.ExternalAccount, 0, len(entries))
	ids := make([]string, 0, len(entries))
	var stale []staleEntry
	for id, added := range entries {
		a, st, err := parseRecord(recs[id].Val())
		if err != nil {
			return nil, err
		}
		switch {
		case st == recordLive && a.UserID == userID:
			out = append(out, a)
			ids = append(ids, id)
			s.cache.setOwner(identityOf(a.Provider, a.ProviderUserID), a.ID)
		case st == recordMissing:
			// A create in flight, or one that crashed.
			if at, err := strconv.ParseInt(added, 10, 64); err != nil || now.Sub(time.UnixMilli(at)) > s.claimTimeout {
				stale = append(stale, staleEntry{id: id, added: added, fence: true})
			} else {
				ids = append(ids, id) // expected to appear
			}
		default:
			// A deleted account, or another user's (a create that found
			// its id taken): never this user's.
			stale = append(stale, staleEntry{id: id, added: added})
		}
	}
	slices.Sort(ids)
	s.cache.put(userLoc(userID), ids)
	s.pruneUserIndex(ctx, userID, stale)
	slices.SortFunc(out, func(a, b *account.ExternalAccount) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// staleEntry is a user index entry that points to no account of the user.
type staleEntry struct {
	id, added string
	// fence: the record is missing and must be made a tombstone first, so
	// that a create still in flight fails instead of producing an account
	// the index no longer lists.
	fence bool
}

// pruneUserIndex removes stale entries of a user index. It is a repair:
// the read that found them has its answer already, so failures are
// ignored and the next read tries again.
func (s *Store) pruneUserIndex(ctx context.Context, userID string, stale []staleEntry) {
	for _, e := range stale {
		if e.fence {
			ok, err := fenceMissingScript.Run(ctx, s.rdb, []string{s.accountKey(e.id)}, userID, s.tombstoneTTL.Milliseconds()).Int()
			if err != nil || ok != 1 {
				continue
			}
		}
		_ = pruneScript.Run(ctx, s.rdb, []string{s.userKey(userID)}, e.id, e.added).Err()
	}
}

// FindAccountByIdentity implements account.AccountStore. When this Store
// has seen the identity's owner before, it reads that record and returns it
// if it carries the identity (one round trip); otherwise it reads the
// identity index, then checks the record it points to (two). An index entry
// whose account does not carry the identity is treated as absent, and
// removed once the claim behind it is known dead.
func (s *Store) FindAccountByIdentity(ctx context.Context, p verification.Strategy, providerUserID string) (*account.ExternalAccount, error) {
	ident := identityOf(p, providerUserID)
	if ident == "" || p.IsZero() {
		return nil, verification.ErrExternalAccountNotFound
	}
	if id := s.cache.owner(ident); id != "" {
		vals, err := s.rdb.HMGet(ctx, s.accountKey(id), recordFields...).Result()
		if err != nil {
			return nil, storeErr(err)
		}
		a, st, err := parseRecord(vals)
		if err != nil {
			return nil, err
		}
		if st == recordLive && a.Provider == p && a.ProviderUserID == providerUserID {
			return a, nil
		}
		s.cache.forget(identityLoc(ident))
	}
	raw, err := s.rdb.Get(ctx, s.identityKey(ident)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, verification.ErrExternalAccountNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	st, owner, err := s.checkClaim(ctx, ident, raw)
	if err != nil {
		return nil, err
	}
	switch st {
	case claimOwned:
		s.cache.setOwner(ident, owner.ID)
		return owner, nil
	case claimFree:
		// Repair: the entry is dead and its account fenced.
		_ = releaseScript.Run(ctx, s.rdb, []string{s.identityKey(ident)}, "", raw).Err()
	}
	return nil, verification.ErrExternalAccountNotFound
}

// UpdateAccount implements account.AccountStore. A write that gives the
// account its identity claims the identity index first, then commits the
// record (and tokens) with one script: two round trips. A write to an
// account that already carries its identity needs no claim when this Store
// knows it (it read the account before): one round trip.
func (s *Store) UpdateAccount(ctx context.Context, a *account.ExternalAccount, tokens *account.SealedTokens) error {
	if tokens != nil && tokens.AccountID != a.ID {
		return verification.ErrInternal.WithLongMessage("Tokens given for another account.")
	}
	if a.ID == "" {
		return verification.ErrExternalAccountNotFound
	}
	data, err := encodeAccount(a)
	if err != nil {
		return err
	}
	ident := identityOf(a.Provider, a.ProviderUserID)
	write := newNonce()
	var entry string // our claim, when we made one
	claim := func() error {
		var err error
		entry, err = s.claimIdentity(ctx, ident, a.ID, a.Version)
		return err
	}
	if ident != "" && s.cache.owner(ident) != a.ID {
		if err := claim(); err != nil {
			return err
		}
	}
	args := []any{a.Version, a.UserID, ident, "0", data, write, "0", "", ""}
	if tokens != nil {
		args[6], args[7], args[8] = "1", tokens.Blob, timeField(tokens.UpdatedAt)
	}
	keys := []string{s.accountKey(a.ID), s.tokensKey(a.ID)}
	for {
		if entry != "" {
			args[3] = "1"
		}
		r, err := replyOf(commitScript.Run(ctx, s.rdb, keys, args...))
		if err != nil {
			return err
		}
		switch r.status() {
		case "OK":
			v, err := r.int(1)
			if err != nil {
				return err
			}
			tv, err := r.int(2)
			if err != nil {
				return err
			}
			a.Version = v
			if tokens != nil {
				tokens.Version = tv
			}
			s.cache.setOwner(ident, a.ID)
			return nil
		case "CLAIM":
			if entry != "" {
				return corrupt("commit reply", nil)
			}
			if err := claim(); err != nil {
				return err
			}
			continue
		case "NOTFOUND":
			return verification.ErrExternalAccountNotFound
		case "CONFLICT":
			return verification.ErrConflict
		case "IMMUTABLE":
			if stored := r.str(1); entry != "" && stored != "" && stored != ident {
				// The account carries another identity and can never take
				// this one: our claim is dead, give it back.
				_ = releaseScript.Run(ctx, s.rdb, []string{s.identityKey(ident)}, "", entry).Err()
			}
			return verification.ErrConflict.WithLongMessage("An account's user and identity never change.")
		}
		return corrupt("commit reply", nil)
	}
}

// DeleteAccount implements account.AccountStore: the record becomes a
// tombstone and the tokens go in one script, then the identity and user
// index entries go in one pipeline (two round trips). A retry after a
// failure in between finishes the cleanup.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	r, err := replyOf(deleteScript.Run(ctx, s.rdb, []string{s.accountKey(id), s.tokensKey(id), s.leaseKey(id)}, s.tombstoneTTL.Milliseconds()))
	if err != nil {
		return err
	}
	if r.status() == "MISSING" {
		return nil
	}
	return s.unindex(ctx, id, r.str(1), r.str(2))
}

// unindex removes a deleted account's entries from the identity, user and
// cross-user indexes, in one round trip.
func (s *Store) unindex(ctx context.Context, id, userID, ident string) error {
	pipe := s.rdb.Pipeline()
	pipe.ZRem(ctx, s.allKey(), id)
	pipe.ZRem(ctx, s.pendingKey(), id)
	if ident != "" {
		// EVAL, not EVALSHA: a pipeline cannot fall back on NOSCRIPT.
		releaseScript.Eval(ctx, pipe, []string{s.identityKey(ident)}, id, "")
		s.cache.forget(identityLoc(ident))
	}
	pipe.HDel(ctx, s.userKey(userID), id)
	if _, err := pipe.Exec(ctx); err != nil {
		return storeErr(err)
	}
	return nil
}
