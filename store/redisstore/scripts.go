package redisstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts. Each touches the keys of one hash slot only (all its
// KEYS share a hash tag), so each runs atomically on Redis Cluster too.
// redis.NewScript sends EVALSHA and falls back to EVAL once per server when
// the script is not cached.
//
// An account record is a hash:
//
//	v  version (absent in a tombstone)
//	u  user id
//	i  identity "<provider>:<provider user id>", "" when none
//	d  the account's JSON, without the version
//	w  id of the write that produced this version (makes retries idempotent)
//	x  "1" in a tombstone only
//
// An identity index entry is the string "<version>|<ms>|<nonce>|<account id>":
// the account that claimed the identity, the version its claiming write
// expects, when the claim was made (store clock) and a nonce.

// claimScript sets the identity entry KEYS[1] to ARGV[2] when it is free,
// already owned by account ARGV[1], or equal to ARGV[3] (a dead claim the
// caller has fenced). It returns "OK", or the entry that is in the way.
var claimScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local _, _, owner = string.find(cur, '^[^|]*|[^|]*|[^|]*|(.*)$')
  if owner ~= ARGV[1] and cur ~= ARGV[3] then
    return cur
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return 'OK'
`)

// checkScript decides whether the claim of identity ARGV[1] by the account
// whose record is KEYS[1] is OWNED (the record carries the identity: it is
// returned), PENDING (the claiming write may still land) or FREE (it never
// will). ARGV[2] is the version the claiming write expects (0 for a
// create), ARGV[3] "1" when the claim is older than the claim timeout,
// ARGV[4] the tombstone TTL in ms.
//
// Before answering FREE for a record that could still take the identity it
// fences the record, so that the claiming write, if it is still in flight,
// fails: a live record without an identity has its version bumped (any
// compare-and-swap expecting the old version fails), a missing record
// becomes a tombstone (a create fails).
var checkScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'i', 'x', 'd')
if not r[1] and not r[3] then
  if ARGV[2] == '0' and ARGV[3] ~= '1' then return {'PENDING'} end
  redis.call('HSET', KEYS[1], 'x', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'FREE'}
end
if not r[1] then return {'FREE'} end
if r[2] == ARGV[1] then return {'OWNED', r[1], r[4]} end
if r[2] and r[2] ~= '' then return {'FREE'} end
if r[1] == ARGV[2] and ARGV[3] ~= '1' then return {'PENDING'} end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'FREE'}
`)

// releaseScript deletes the identity entry KEYS[1] when it equals ARGV[2]
// or, with ARGV[2] empty, when account ARGV[1] owns it.
var releaseScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if ARGV[2] ~= '' then
  if cur == ARGV[2] then return redis.call('DEL', KEYS[1]) end
  return 0
end
local _, _, owner = string.find(cur, '^[^|]*|[^|]*|[^|]*|(.*)$')
if owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// createScript creates the record KEYS[1] at version 1 with user ARGV[1],
// identity ARGV[2], JSON ARGV[3] and write id ARGV[4]. It returns "OK"
// (also when this very write already landed: a retry), "EXISTS" or
// "FENCED" (a tombstone is there).
var createScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'x', 'w')
if r[3] == ARGV[4] then return 'OK' end
if r[2] then return 'FENCED' end
if r[1] then return 'EXISTS' end
redis.call('HSET', KEYS[1], 'v', 1, 'u', ARGV[1], 'i', ARGV[2], 'd', ARGV[3], 'w', ARGV[4])
return 'OK'
`)

// commitScript is UpdateAccount's compare-and-swap of the record KEYS[1]
// and, when ARGV[7] is "1", the tokens KEYS[2], in one atomic write.
//
//	ARGV[1] expected version    ARGV[5] JSON
//	ARGV[2] user id             ARGV[6] write id
//	ARGV[3] identity            ARGV[7] "1" to write tokens
//	ARGV[4] "1" when claimed    ARGV[8] sealed blob, ARGV[9] tokens' ms
//
// It returns {"OK", version, token version}, {"NOTFOUND"}, {"CONFLICT"},
// {"IMMUTABLE", stored identity} when the user or identity would change, or
// {"CLAIM"} when the write sets an identity the caller has not claimed.
var commitScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'u', 'i', 'w')
if not r[1] then return {'NOTFOUND'} end
if r[4] == ARGV[6] then
  return {'OK', r[1], redis.call('HGET', KEYS[2], 'v') or '0'}
end
if r[1] ~= ARGV[1] then return {'CONFLICT'} end
if r[2] ~= ARGV[2] or (r[3] ~= '' and r[3] ~= ARGV[3]) then return {'IMMUTABLE', r[3]} end
if r[3] == '' and ARGV[3] ~= '' and ARGV[4] ~= '1' then return {'CLAIM'} end
local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'i', ARGV[3], 'd', ARGV[5], 'w', ARGV[6])
local tv = 0
if ARGV[7] == '1' then
  tv = redis.call('HINCRBY', KEYS[2], 'v', 1)
  redis.call('HSET', KEYS[2], 'b', ARGV[8], 't', ARGV[9], 'w', ARGV[6])
end
return {'OK', v, tv}
`)

// swapTokensScript is SwapTokens: it replaces the tokens KEYS[2] of the
// record KEYS[1] when their version is ARGV[1] (0: none). ARGV[2] is the
// blob, ARGV[3] the ms, ARGV[4] the write id. It returns {"OK", version},
// {"NOTFOUND"} or {"CONFLICT"}.
var swapTokensScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'v') == 0 then return {'NOTFOUND'} end
local r = redis.call('HMGET', KEYS[2], 'v', 'w')
if r[2] == ARGV[4] then return {'OK', r[1]} end
if (r[1] or '0') ~= ARGV[1] then return {'CONFLICT'} end
local v = redis.call('HINCRBY', KEYS[2], 'v', 1)
redis.call('HSET', KEYS[2], 'b', ARGV[2], 't', ARGV[3], 'w', ARGV[4])
return {'OK', v}
`)

// deleteScript replaces the record KEYS[1] by a tombstone that keeps its
// user and identity for ARGV[1] ms and deletes its tokens KEYS[2] and
// refresh lease KEYS[3]. It
// returns {"DELETED", user, identity} (also for a tombstone, so that a
// retried delete finishes the cleanup) or {"MISSING"}.
var deleteScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'u', 'i', 'x')
if not r[1] and not r[4] then return {'MISSING'} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'x', '1', 'u', r[2] or '', 'i', r[3] or '')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {'DELETED', r[2] or '', r[3] or ''}
`)

// deleteAbandonedScript is deleteScript for DeleteAbandoned: it deletes the
// record KEYS[1] (with tokens KEYS[2] and lease KEYS[3]) only when it is
// still at version ARGV[2] without an identity, so that an account verified
// since the caller read it is kept. It returns {"DELETED", user} or
// {"KEPT"}.
var deleteAbandonedScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'u', 'i')
if r[1] ~= ARGV[2] or (r[3] and r[3] ~= '') then return {'KEPT'} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'x', '1', 'u', r[2] or '', 'i', '')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {'DELETED', r[2] or ''}
`)

// leaseScript gives the refresh lease KEYS[2] of the tokens KEYS[1] to
// holder ARGV[1] for ARGV[2] ms unless another holder has it. It returns
// 1 (held), 0 (another holder) or -1 (no tokens).
var leaseScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`)

// releaseLeaseScript deletes the lease KEYS[1] when holder ARGV[1] has it.
var releaseLeaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// fenceMissingScript decides whether a user index entry of user ARGV[1]
// that points to the record KEYS[1] may be removed: yes (1) when the
// record is a tombstone or belongs to another user, or when it is missing,
// in which case it becomes a tombstone for ARGV[2] ms so that a create
// still in flight fails; no (0) when the account exists.
var fenceMissingScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'u', 'x')
if not r[1] and not r[3] then
  redis.call('HSET', KEYS[1], 'x', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if r[3] or r[2] ~= ARGV[1] then return 1 end
return 0
`)

// pruneScript removes field ARGV[1] of the user index KEYS[1] when its
// value is still ARGV[2].
var pruneScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
`)

// allScripts are loaded by tests that count round trips from the first
// command on.
var allScripts = []*redis.Script{
	claimScript, checkScript, releaseScript, createScript, commitScript,
	swapTokensScript, deleteScript, fenceMissingScript, pruneScript,
	deleteAbandonedScript, leaseScript, releaseLeaseScript,
}

// loadScripts loads every script on every master, so that no EVALSHA falls
// back to EVAL afterwards.
func (s *Store) loadScripts(ctx context.Context) error {
	for _, sc := range allScripts {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return storeErr(err)
		}
	}
	return nil
}

// reply is a script's array reply.
type reply []any

// replyOf returns a script's reply as an array (a status string becomes an
// array of one), or the mapped error.
func replyOf(cmd *redis.Cmd) (reply, error) {
	v, err := cmd.Result()
	if err != nil {
		return nil, storeErr(err)
	}
	switch r := v.(type) {
	case []any:
		return r, nil
	case string:
		return reply{r}, nil
	}
	return nil, corrupt("script reply", fmt.Errorf("unexpected %T", v))
}

// status is the reply's first element: OK, CONFLICT, ...
func (r reply) status() string { return r.str(0) }

// str returns element i as a string, "" when absent or nil.
func (r reply) str(i int) string {
	if i >= len(r) {
		return ""
	}
	switch v := r[i].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// int returns element i as an integer (a version).
func (r reply) int(i int) (int64, error) {
	if i >= len(r) {
		return 0, corrupt("version", nil)
	}
	switch v := r[i].(type) {
	case int64:
		return v, nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, corrupt("version", err)
		}
		return n, nil
	}
	return 0, corrupt("version", fmt.Errorf("unexpected %T", r[i]))
}

// formatInt formats n in base 10.
func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
