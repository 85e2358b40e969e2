package redisstore

import (
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// go-redis resends a command whose reply it lost (a timeout or a dropped
// connection after the write): the scripts recognize their own write by its
// write id and answer as the first run did, instead of reporting a conflict
// for a write that succeeded.
func TestScriptsAreRetrySafe(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	ctx := t.Context()
	s, err := New(rdb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := verification.MustParseStrategy("oauth_custom_retry")
	a := &account.ExternalAccount{ID: "eac_1", UserID: "user_1", Provider: st, CreatedAt: time.Now()}
	data, err := encodeAccount(a)
	if err != nil {
		t.Fatal(err)
	}
	twice := func(what string, run func() *redis.Cmd) (reply, reply) {
		t.Helper()
		first, err := replyOf(run())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		second, err := replyOf(run())
		if err != nil {
			t.Fatalf("%s again: %v", what, err)
		}
		if first.status() != "OK" || second.status() != "OK" {
			t.Fatalf("%s run twice: %v then %v, want OK twice", what, first, second)
		}
		return first, second
	}
	keys := []string{s.accountKey(a.ID), s.tokensKey(a.ID)}

	twice("create", func() *redis.Cmd {
		return createScript.Run(ctx, rdb, keys[:1], a.UserID, "", data, "w1")
	})
	first, second := twice("commit", func() *redis.Cmd {
		return commitScript.Run(ctx, rdb, keys, 1, a.UserID, "", "0", data, "w2", "1", []byte("blob"), "")
	})
	if first.str(1) != "2" || second.str(1) != "2" || first.str(2) != "1" || second.str(2) != "1" {
		t.Fatalf("commit versions %v then %v, want 2/1 twice", first, second)
	}
	first, second = twice("swap tokens", func() *redis.Cmd {
		return swapTokensScript.Run(ctx, rdb, keys, 1, []byte("blob2"), "", "w3")
	})
	if first.str(1) != "2" || second.str(1) != "2" {
		t.Fatalf("token versions %v then %v, want 2 twice", first, second)
	}
	// Another writer's write from the same version is still a conflict.
	r, err := replyOf(commitScript.Run(ctx, rdb, keys, 1, a.UserID, "", "0", data, "w4", "0", "", ""))
	if err != nil || r.status() != "CONFLICT" {
		t.Fatalf("stale commit = %v, %v; want CONFLICT", r, err)
	}

	// SaveFlow resent after its reply was lost finds its own flow.
	f := &account.Flow{StateHash: "h", Kind: account.FlowConnect, Secrets: []byte("v"), ExpiresAt: time.Now().Add(time.Minute)}
	if err := s.SaveFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveFlow(ctx, f); err != nil {
		t.Fatalf("SaveFlow of the same flow again: %v", err)
	}
	other := *f
	other.Secrets = []byte("w")
	if err := s.SaveFlow(ctx, &other); !verification.ErrConflict.Is(err) {
		t.Fatalf("SaveFlow of another flow with the same state: %v, want conflict", err)
	}
}

// Keys always share a slot with their siblings and are never confused,
// whatever the ids contain.
func TestKeysEscapeHashTags(t *testing.T) {
	s := &Store{prefix: DefaultPrefix}
	for _, id := range []string{"eac_1", "a}b", "{x}", "%7D", "}"} {
		ak, tk := s.accountKey(id), s.tokensKey(id)
		if tagOf(ak) == "" || tagOf(ak) != tagOf(tk) {
			t.Errorf("id %q: keys %q and %q do not share a hash tag", id, ak, tk)
		}
	}
	if s.accountKey("a}b") == s.accountKey("a%7Db") || s.accountKey("}") == s.accountKey("%7D") {
		t.Error("escaping is not injective")
	}
	if _, err := New(redis.NewClient(&redis.Options{}), Options{Prefix: "app{1}:"}); err == nil {
		t.Error("New accepted a prefix with a brace")
	}
}

func tagOf(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					return key[i+1 : j]
				}
			}
			return ""
		}
	}
	return ""
}

// New refuses what would make a broken Store, with an error, never a panic.
func TestNewRefusesBadOptions(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{})
	defer rdb.Close()
	for name, tc := range map[string]struct {
		client redis.UniversalClient
		opts   Options
	}{
		"nil client":             {nil, Options{}},
		"brace in prefix":        {rdb, Options{Prefix: "app}"}},
		"negative claim timeout": {rdb, Options{ClaimTimeout: -time.Second}},
		"negative tombstone TTL": {rdb, Options{TombstoneTTL: -time.Second}},
	} {
		if s, err := New(tc.client, tc.opts); err == nil || s != nil {
			t.Errorf("%s: New = %v, %v; want an error", name, s, err)
		} else if !strings.HasPrefix(err.Error(), "redisstore: ") {
			t.Errorf("%s: error %q does not say where it comes from", name, err)
		}
	}
	if _, err := New(rdb, Options{}); err != nil {
		t.Fatalf("New with the zero Options: %v", err)
	}
}
