package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/redisstore"
)

// One refresh per grant across processes (issue 12): each Service has its
// own client (its own connections) to the same server or cluster, and the
// lease is a key with a TTL in the account's slot.
func TestRefreshStampede(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t testing.TB) redis.UniversalClient
	}{
		{"redis", func(t testing.TB) redis.UniversalClient { return standalone(t) }},
		{"cluster", func(t testing.TB) redis.UniversalClient { return cluster(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prefix := testPrefix(t, tc.open(t))
			testkit.RefreshStampede(t, func(t *testing.T) testkit.Stores {
				s := mustNew(tc.open(t), redisstore.Options{Prefix: prefix})
				return testkit.Stores{Accounts: s, Tokens: s, Flows: s}
			})
		})
	}
}
