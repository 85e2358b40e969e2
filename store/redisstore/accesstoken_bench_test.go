package redisstore_test

import (
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/redisstore"
)

// BenchmarkAccessToken measures AccessToken on a real server and on the
// cluster: a token that is not due is one round trip (the account and its
// tokens share a slot: one pipeline); a refresh takes the lease, calls the
// provider and writes (issue 12).
func BenchmarkAccessToken(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func() redis.UniversalClient
	}{
		{"redis", func() redis.UniversalClient {
			addr := os.Getenv(envAddr)
			if addr == "" {
				b.Skip(envAddr + " is not set")
			}
			return redis.NewClient(&redis.Options{Addr: addr})
		}},
		{"cluster", func() redis.UniversalClient {
			addrs := os.Getenv(envClusterAddrs)
			if addrs == "" {
				b.Skip(envClusterAddrs + " is not set")
			}
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rdb := tc.open()
			b.Cleanup(func() { rdb.Close() })
			rt := &roundTrips{}
			rdb.AddHook(rt)
			s := mustNew(rdb, redisstore.Options{Prefix: testPrefix(b, rdb)})
			if err := redisstore.LoadScripts(b.Context(), s); err != nil {
				b.Fatal(err)
			}
			testkit.BenchmarkAccessToken(b, testkit.Stores{Accounts: s, Tokens: s, Flows: s}, rt.n.Load)
		})
	}
}
