package redisstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Defaults of a zero Options.
const (
	DefaultPrefix       = "tether:"
	DefaultClaimTimeout = 30 * time.Second
	DefaultTombstoneTTL = 24 * time.Hour
	DefaultCacheSize    = 4096
)

// Options configure a Store. The zero value is the default.
type Options struct {
	// Prefix starts every key, so that several applications (or tests)
	// share one Redis. It must not contain '{' or '}', which would change
	// the keys' hash slots. Default: DefaultPrefix, "tether:".
	Prefix string

	// Now is the clock used to expire flows and to date index entries.
	// Default: time.Now.
	Now func() time.Time

	// ClaimTimeout is how long an index entry whose account write has not
	// landed (an identity claimed by an UpdateAccount or a CreateAccount
	// still in flight, or one that crashed) is presumed to be in progress.
	// Past it, readers and writers repair the entry. It only decides when
	// an abandoned entry is cleaned up; safety never depends on it or on
	// clocks. Default: DefaultClaimTimeout, 30s (three times the account
	// Service's default write timeout).
	ClaimTimeout time.Duration

	// TombstoneTTL is how long a deleted account leaves a tombstone, the
	// marker that lets a retried DeleteAccount finish its index cleanup and
	// tells readers at once that index entries pointing to it are dead.
	// Default: DefaultTombstoneTTL, 24h.
	TombstoneTTL time.Duration

	// CacheSize bounds the per-Store memory of which account ids an
	// identity and a user pointed to last time (a few hundred bytes per
	// entry), which lets FindAccountByIdentity and ListAccounts read the
	// index and the accounts in one round trip. Every cached location is
	// checked against Redis in the same round trip, so the cache makes a
	// read faster, never wrong. Default: DefaultCacheSize; negative
	// disables it.
	CacheSize int
}

// Store implements account.AccountStore, account.TokenStore and
// account.FlowStore on a go-redis UniversalClient. It is safe for
// concurrent use and starts no goroutine.
type Store struct {
	rdb          redis.UniversalClient
	prefix       string
	now          func() time.Time
	claimTimeout time.Duration
	tombstoneTTL time.Duration
	cache        *locations
}

var (
	_ account.AccountStore = (*Store)(nil)
	_ account.TokenStore   = (*Store)(nil)
	_ account.FlowStore    = (*Store)(nil)

	_ account.AccountTokensReader = (*Store)(nil)
)

// New returns a Store on client: a *redis.Client, a Sentinel client from
// redis.NewFailoverClient or a *redis.ClusterClient, as
// redis.NewUniversalClient makes them. The Store never closes client. It
// does no I/O.
//
// It fails on a nil client, on a Prefix with '{' or '}' (which would move
// keys to other hash slots) and on negative durations.
//
// Reads must see the latest writes: do not point a Store at replicas
// (ClusterOptions.ReadOnly, RouteByLatency or RouteRandomly).
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	switch {
	case client == nil:
		return nil, errors.New("redisstore: New with a nil client")
	case strings.ContainsAny(opts.Prefix, "{}"):
		return nil, fmt.Errorf("redisstore: Options.Prefix %q must not contain '{' or '}': they would move keys to other hash slots", opts.Prefix)
	case opts.ClaimTimeout < 0:
		return nil, errors.New("redisstore: Options.ClaimTimeout must not be negative")
	case opts.TombstoneTTL < 0:
		return nil, errors.New("redisstore: Options.TombstoneTTL must not be negative")
	}
	s := &Store{
		rdb:          client,
		prefix:       opts.Prefix,
		now:          opts.Now,
		claimTimeout: opts.ClaimTimeout,
		tombstoneTTL: opts.TombstoneTTL,
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.claimTimeout <= 0 {
		s.claimTimeout = DefaultClaimTimeout
	}
	if s.tombstoneTTL <= 0 {
		s.tombstoneTTL = DefaultTombstoneTTL
	}
	switch {
	case opts.CacheSize == 0:
		s.cache = newLocations(DefaultCacheSize)
	case opts.CacheSize > 0:
		s.cache = newLocations(opts.CacheSize)
	}
	return s, nil
}

// Keys (see the package documentation for the layout). Every part that comes from a caller is escaped so that it cannot
// end or open a hash tag; see the package documentation for the layout.

func (s *Store) accountKey(id string) string  { return s.prefix + "account:{" + tag(id) + "}" }
func (s *Store) tokensKey(id string) string   { return s.prefix + "tokens:{" + tag(id) + "}" }
func (s *Store) identityKey(id string) string { return s.prefix + "identity:{" + tag(id) + "}" }
func (s *Store) userKey(userID string) string { return s.prefix + "user:{" + tag(userID) + "}" }
func (s *Store) flowKey(hash string) string   { return s.prefix + "flow:" + tag(hash) }
func (s *Store) leaseKey(id string) string    { return s.prefix + "lease:{" + tag(id) + "}" }

// The cross-user indexes live in one slot each: allKey orders every account
// by creation (score: created ms, member: id), pendingKey holds the accounts
// created without an identity by the expiry of their verification (score:
// expire ms), for DeleteAbandoned. Like the user index, their entries are
// pointers that readers verify against the records.
func (s *Store) allKey() string     { return s.prefix + "accounts:{all}" }
func (s *Store) pendingKey() string { return s.prefix + "accounts:{pending}" }

// tag escapes '%', '{' and '}' so that a caller's string is always the
// whole hash tag: account and tokens keys of one id share a slot whatever
// the id contains. The escaping is injective.
func tag(s string) string {
	if !strings.ContainsAny(s, "%{}") {
		return s
	}
	r := strings.NewReplacer("%", "%25", "{", "%7B", "}", "%7D")
	return r.Replace(s)
}

// identityOf returns the identity string of (provider, providerUserID):
// "oauth_google:1234". A strategy never contains ':', so it parses one way.
func identityOf(p verification.Strategy, providerUserID string) string {
	if providerUserID == "" {
		return ""
	}
	return p.String() + ":" + providerUserID
}

// newNonce returns 16 random hex characters, which tell apart writes and
// index entries.
func newNonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ms is t in epoch milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// storeErr maps a go-redis error: nil stays nil, a Tether error passes
// through, a server reply that says our data or our script is wrong is
// internal_error, and everything else (connection refused, timeouts, a
// closed client, a cancelled context, LOADING, CLUSTERDOWN, READONLY, ...)
// is store_unavailable. Both wrap the go-redis error.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	var verr *verification.Error
	if errors.As(err, &verr) {
		return err
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		if strings.HasPrefix(msg, "WRONGTYPE") || strings.HasPrefix(msg, "CROSSSLOT") ||
			strings.Contains(strings.ToLower(msg), "script") {
			return verification.ErrInternal.Wrap(err)
		}
	}
	return verification.ErrStoreUnavailable.Wrap(err)
}

// corrupt reports a value this package cannot read.
func corrupt(what string, err error) error {
	e := verification.ErrInternal.WithLongMessage("redisstore: a stored " + what + " cannot be read.")
	if err != nil {
		return e.Wrap(err)
	}
	return e
}
