// Package redisstore implements the store interfaces of package account
// (AccountStore, TokenStore and FlowStore) on Redis with
// github.com/redis/go-redis/v9.
//
// [New] takes a redis.UniversalClient, so one code path serves a single
// server, Sentinel (redis.NewFailoverClient) and Redis Cluster
// (redis.NewClusterClient): no command, transaction or script touches keys
// of two hash slots. A host may keep everything in Redis, or only its flows
// (short-lived, expired by Redis) next to accounts in SQL:
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
//	flows := redisstore.New(rdb, redisstore.Options{})
//	svc, err := account.New(account.Config{Accounts: sqlStore, Flows: flows, ...})
//
// Redis 6.2 or later is required (GETDEL). Reads must see the latest
// writes: do not route reads to replicas.
//
// # Keys
//
// Under Options.Prefix ("tether:" by default); the part in braces is the
// hash tag, which decides the slot. Ids and other caller strings are
// escaped so that they cannot close or open a tag ('%', '{' and '}' become
// %25, %7B and %7D).
//
//	account:{<account id>}           hash   the account record (below)
//	tokens:{<account id>}            hash   v version, b sealed blob (raw bytes), t updated ms, w write id
//	identity:{<provider>:<user id>}  string the identity index: which account claimed the identity
//	user:{<user id>}                 hash   the user index: account id -> ms when the entry was added
//	flow:<state hash>                string a flow's JSON, with a TTL equal to its remaining lifetime
//
// An account and its tokens share the {<account id>} slot, so that an
// update with tokens and a delete with tokens are one script each. The
// identity index and the user index live in slots of their own.
//
// An account record has the fields v (version), u (user id), i (identity,
// "" when none), d (the account's JSON) and w (the id of the write that
// made this version, so that a write go-redis resends after losing its
// reply is recognized instead of reported as a conflict). A deleted account
// becomes a tombstone for Options.TombstoneTTL, with the fields x, u and i
// only; a missing record fenced by a repair becomes one with x only.
// An identity index entry is "<version>|<ms>|<nonce>|<account id>": the
// account that claimed the identity, the version its claiming write
// expects (0 for a create) and when the claim was made.
//
// # Encoding
//
// Accounts and flows are compact JSON: short field names, empty fields
// left out, times in epoch milliseconds; about 490 bytes for a verified
// Google account with a profile, where the wire JSON takes 840. JSON
// because PublicMetadata is JSON by contract and must come back as
// encoding/json returns it, because it needs nothing outside the standard
// library, and because an operator can read it with redis-cli. The
// fields Lua scripts compare (version, user, identity) are hash fields of
// their own, so no script decodes JSON; sealed token blobs are raw bytes,
// not base64. The verification's error (code, messages, meta) and its
// FlowKey, which the wire form leaves out, are stored.
//
// # Write order and repair
//
// Three operations write to more than one slot. Creates and updates write
// the index entries first and the account record last; a delete removes the
// record first and the index entries last. Either way the record, written
// by one atomic script, is the truth, and an index entry is only ever a
// pointer that a reader verifies:
//
//	CreateAccount  1 claim the identity (if any)  2 add to the user index  3 create the record
//	UpdateAccount  1 claim the identity (when the write sets it)  2 compare-and-swap record and tokens
//	DeleteAccount  1 record -> tombstone, tokens deleted  2 release the identity and the user index entry
//
// A crash between two steps leaves index entries that point to an account
// that does not carry them. Reads treat those as absent and writers take
// them over; the rules:
//
//   - An identity is owned by an account if and only if the account's record
//     carries it. FindAccountByIdentity returns the record an entry points
//     to only when it carries the identity; otherwise the identity belongs
//     to nobody.
//   - A claim is in the way of another account only while its claiming
//     write can still land: while the record is at the version the claim
//     expects (or, for a create, is missing) and the claim is younger than
//     Options.ClaimTimeout. A rival claim then looks again for up to 15ms
//     (the pending write normally lands or fails within a round trip), and
//     fails with external_account_exists if it is still pending, as if the
//     first writer had won.
//   - A claim that is dead (the record moved on without the identity, is a
//     tombstone, carries another identity, or the claim timed out) is taken
//     over, or removed by a reader, only after its account, if it could
//     still take the identity, is fenced in the account's own slot,
//     atomically with the check: a record without an identity has its
//     version bumped, a missing record becomes a tombstone. A claiming write still in flight then fails (conflict, or
//     external_account_exists for a create) instead of landing after the
//     takeover. This is why no clock, timeout or crash can ever give one
//     identity two accounts: the timeout only decides when an abandoned
//     claim is cleaned up.
//   - A user index entry whose record is a tombstone or another user's is
//     skipped by ListAccounts and pruned; one whose record is missing is
//     skipped, and once older than the claim timeout the record is fenced
//     (made a tombstone, so a create in flight fails) and the entry pruned.
//   - A retried operation finishes the job: a retried create or update
//     re-claims its own entry, a retried delete finds the tombstone, which
//     keeps the user and identity, and releases both.
//
// The record and the tokens of an update are one script, so an account is
// never verified without the tokens of that verification, whatever fails.
//
// # Round trips
//
// A round trip is a command, a script or a pipeline (on a cluster, a
// pipeline's per-node batches go out in parallel).
//
//	GetAccount, GetTokens, SwapTokens, SaveFlow, TakeFlow   1
//	UpdateAccount                                          1; 2 when it claims the identity (*)
//	Complete (GetFlow, UpdateAccount verifying, TakeFlow)  4; 3 re-verifying an account
//	  or on a Store that has seen the account (*)
//	CreateAccount                                          2; 3 with an identity
//	DeleteAccount                                          2
//	FindAccountByIdentity                                  1 when the Store knows the owner, else 2
//	ListAccounts                                           1 when the Store knows the user's ids, else 2
//
// (*) An UpdateAccount of an account that already carries its identity, on
// a Store that has not seen it carry it, claims it again: a harmless no-op
// that costs the second round trip. Reauthorize reads the account first,
// so it never pays it; Complete takes the account from the flow (written
// by the Store that started it), and pays it only on another process.
//
// The Service writes a callback's outcome to Redis in this order: the
// account and its tokens (one script, the compare-and-swap that lets one
// callback of a flow through), then the deletion of the flow; a crash in
// between leaves the flow, which a callback delivered again finds spent.
//
// FindAccountByIdentity and ListAccounts must read an index and then the
// records it names, which live in other slots: in general two round trips,
// since no single command or script may read across slots. Each Store
// remembers (Options.CacheSize) the owner of an identity and the ids of a
// user it has seen, and sends the index read and the record reads it
// expects in one pipeline; the index read in that same pipeline (for a
// user) or the record itself (an identity is owned by the account that
// carries it) tells whether the guess was right, so a stale cache costs a
// round trip, never a wrong answer. On a cluster the records of one user
// are spread over slots: the second pipeline fans out to up to one request
// per master, in parallel. Storing copies of the records next to the
// indexes would make the first read of each process one round trip too, at
// the cost of an extra write round trip on every update and reads that a
// crash can leave stale; this package does not.
//
// # Expiry
//
// A flow is saved with SET NX PX, its TTL the remaining time to ExpiresAt
// by Options.Now, and taken with GETDEL, which is atomic on every topology;
// TakeFlow checks ExpiresAt again with Options.Now. Tombstones expire after
// Options.TombstoneTTL. Nothing else expires, and the Store starts no
// goroutine.
//
// # Differences from memstore
//
// Two behaviours differ from the reference implementation, both because a
// write must be recognizable when it arrives twice or late:
//
//   - CreateAccount of an id whose account was deleted less than
//     Options.TombstoneTTL ago is a conflict: the tombstone stands for the
//     account. The account Service never reuses an id (they are random).
//   - SaveFlow of the very flow already stored (same state hash, same
//     contents, random verifier included) succeeds: that is go-redis
//     resending a SET whose reply it lost. Another flow with the same state
//     hash is a conflict, as the contract says.
//
// # Errors
//
// Not found is the contract's sentinel (redis.Nil never escapes). A Redis
// that is down, times out, refuses the connection or answers LOADING,
// CLUSTERDOWN, READONLY and the like, a closed client and a cancelled
// context are verification.ErrStoreUnavailable wrapping the go-redis error.
// A reply that says the data or a script is wrong (WRONGTYPE, a script
// error) and a value that does not decode are verification.ErrInternal.
package redisstore
