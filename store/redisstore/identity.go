package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// maxPendingWait bounds the pause between looks at a pending claim
// (1, 2, 4 and 8ms: at most 15ms in all).
const maxPendingWait = 8 * time.Millisecond

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return storeErr(ctx.Err())
	}
}

// maxClaimRounds bounds how often claimIdentity fences a dead entry and
// then loses the swap to another claimer before it gives up.
const maxClaimRounds = 4

// claimState is checkScript's verdict on an identity index entry.
type claimState int

const (
	claimOwned   claimState = iota // the account carries the identity
	claimPending                   // the claiming write may still land
	claimFree                      // it never will; the account is fenced
)

// claimEntry is a parsed identity index entry.
type claimEntry struct {
	version   int64
	at        time.Time
	accountID string
}

// parseClaimEntry parses "<version>|<ms>|<nonce>|<account id>".
func parseClaimEntry(raw string) (claimEntry, bool) {
	parts := strings.SplitN(raw, "|", 4)
	if len(parts) != 4 {
		return claimEntry{}, false
	}
	v, err1 := strconv.ParseInt(parts[0], 10, 64)
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return claimEntry{}, false
	}
	return claimEntry{version: v, at: time.UnixMilli(at), accountID: parts[3]}, true
}

// claimIdentity makes accountID the owner of ident in the identity index,
// for a write that expects the account at version (0 for a create). It
// returns the entry it wrote. It fails with ErrExternalAccountExists when
// another account carries the identity or is still in the middle of
// claiming it after a few looks (claims are pending for one round trip
// normally, for Options.ClaimTimeout after a crash).
//
// An entry in the way whose claim is dead (its account can no longer take
// the identity) is replaced: checkClaim fences that account first, so that
// a write of it still in flight cannot land afterwards.
func (s *Store) claimIdentity(ctx context.Context, ident, accountID string, version int64) (string, error) {
	key := []string{s.identityKey(ident)}
	entry := fmt.Sprintf("%d|%d|%s|%s", version, ms(s.now()), newNonce(), accountID)
	expect := ""
	for range maxClaimRounds {
		r, err := replyOf(claimScript.Run(ctx, s.rdb, key, accountID, entry, expect))
		if err != nil {
			return "", err
		}
		cur := r.status()
		if cur == "OK" {
			return entry, nil
		}
		st, owner, err := s.checkClaim(ctx, ident, cur)
		// A pending claim is usually one round trip from landing (or from
		// failing): look again a few times before answering for it, so that
		// the caller learns who won rather than that someone is trying.
		for wait := time.Millisecond; err == nil && st == claimPending && wait <= maxPendingWait; wait *= 2 {
			if err = sleep(ctx, wait); err == nil {
				st, owner, err = s.checkClaim(ctx, ident, cur)
			}
		}
		if err != nil {
			return "", err
		}
		switch st {
		case claimOwned:
			s.cache.setOwner(ident, owner.ID)
			return "", verification.ErrExternalAccountExists
		case claimPending:
			return "", verification.ErrExternalAccountExists
		}
		expect = cur
	}
	return "", verification.ErrExternalAccountExists
}

// checkClaim runs checkScript on the account an identity index entry
// names. An entry that does not parse is garbage: free.
func (s *Store) checkClaim(ctx context.Context, ident, raw string) (claimState, *account.ExternalAccount, error) {
	c, ok := parseClaimEntry(raw)
	if !ok || c.accountID == "" {
		return claimFree, nil, nil
	}
	expired := "0"
	if s.now().Sub(c.at) > s.claimTimeout {
		expired = "1"
	}
	r, err := replyOf(checkScript.Run(ctx, s.rdb, []string{s.accountKey(c.accountID)},
		ident, c.version, expired, s.tombstoneTTL.Milliseconds()))
	if err != nil {
		return 0, nil, err
	}
	switch r.status() {
	case "OWNED":
		v, err := r.int(1)
		if err != nil {
			return 0, nil, err
		}
		a, err := decodeAccount([]byte(r.str(2)), v)
		if err != nil {
			return 0, nil, err
		}
		return claimOwned, a, nil
	case "PENDING":
		return claimPending, nil, nil
	case "FREE":
		return claimFree, nil, nil
	}
	return 0, nil, corrupt("check reply", nil)
}
