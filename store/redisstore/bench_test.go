package redisstore_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/redisstore"
)

// The benchmarks measure the store's reads and the writes of Complete, and
// count round trips with a go-redis hook (rt/op: a command or a pipeline is
// one; on a cluster a pipeline's per-node batches run in parallel). On a
// cluster they also count the requests the nodes served (node-req/op),
// which shows the fan-out of a pipeline. See BENCHMARKS.md for how to run
// them and for figures.
//
//	go test -run '^$' -bench . ./store/redisstore/                       # miniredis
//	TETHER_REDIS_ADDR=127.0.0.1:6379 go test -run '^$' -bench . ./store/redisstore/
//	TETHER_REDIS_CLUSTER_ADDRS=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002 go test ...

func BenchmarkMiniredis(b *testing.B) {
	_, rdb := startMiniredis(b)
	benchStore(b, rdb, nil)
}

func BenchmarkRedis(b *testing.B) {
	addr := os.Getenv(envAddr)
	if addr == "" {
		b.Skip(envAddr + " is not set (host:port of a redis-server)")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { rdb.Close() })
	benchStore(b, rdb, nil)
}

func BenchmarkCluster(b *testing.B) {
	addrs := os.Getenv(envClusterAddrs)
	if addrs == "" {
		b.Skip(envClusterAddrs + " is not set (comma-separated masters of a Redis Cluster)")
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	b.Cleanup(func() { rdb.Close() })
	var nodeReqs atomic.Int64
	rdb.OnNewNode(func(c *redis.Client) { c.AddHook(&nodeCounter{n: &nodeReqs}) })
	benchStore(b, rdb, &nodeReqs)
}

// nodeCounter counts the requests one cluster node serves.
type nodeCounter struct{ n *atomic.Int64 }

func (h *nodeCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *nodeCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !connSetup(cmd) {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *nodeCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !connSetup(cmds...) {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// benchFixture is data for the read benchmarks: users with three verified
// accounts each.
type benchFixture struct {
	users    []string
	accounts []*account.ExternalAccount
}

const (
	benchUsers           = 200
	benchAccountsPerUser = 3
)

func benchStore(b *testing.B, rdb redis.UniversalClient, nodeReqs *atomic.Int64) {
	ctx := context.Background()
	rt := &roundTrips{}
	rdb.AddHook(rt)
	opts := redisstore.Options{Prefix: testPrefix(b, rdb)}
	s := mustNew(rdb, opts)
	if err := redisstore.LoadScripts(ctx, s); err != nil {
		b.Fatal(err)
	}
	var fx benchFixture
	now := time.Now()
	for range benchUsers {
		user := account.NewID("user_")
		fx.users = append(fx.users, user)
		for range benchAccountsPerUser {
			a := unverifiedAccount(user, now)
			if err := s.CreateAccount(ctx, a); err != nil {
				b.Fatal(err)
			}
			v := verify(a, account.NewID("sub_"))
			if err := s.UpdateAccount(ctx, v, sealed(v)); err != nil {
				b.Fatal(err)
			}
			fx.accounts = append(fx.accounts, v)
		}
	}
	cold := mustNew(rdb, redisstore.Options{Prefix: opts.Prefix, CacheSize: -1})

	// measure runs op b.N times and reports round trips per op.
	measure := func(b *testing.B, setup func(b *testing.B, n int), op func(i int) error) {
		b.Helper()
		if setup != nil {
			setup(b, b.N)
		}
		start := rt.n.Load()
		var nodeStart int64
		if nodeReqs != nil {
			nodeStart = nodeReqs.Load()
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := op(i); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(rt.n.Load()-start)/float64(b.N), "rt/op")
		if nodeReqs != nil {
			b.ReportMetric(float64(nodeReqs.Load()-nodeStart)/float64(b.N), "node-req/op")
		}
	}
	pick := func(i int) *account.ExternalAccount { return fx.accounts[i%len(fx.accounts)] }

	b.Run("GetAccount", func(b *testing.B) {
		measure(b, nil, func(i int) error { _, err := s.GetAccount(ctx, pick(i).ID); return err })
	})
	b.Run("ListAccounts/3accounts", func(b *testing.B) {
		warm := func(b *testing.B, _ int) {
			for _, u := range fx.users {
				if _, err := s.ListAccounts(ctx, account.Query{UserID: u}); err != nil {
					b.Fatal(err)
				}
			}
		}
		measure(b, warm, func(i int) error {
			_, err := s.ListAccounts(ctx, account.Query{UserID: fx.users[i%len(fx.users)]})
			return err
		})
	})
	b.Run("ListAccounts/3accounts/fresh", func(b *testing.B) {
		measure(b, nil, func(i int) error {
			_, err := cold.ListAccounts(ctx, account.Query{UserID: fx.users[i%len(fx.users)]})
			return err
		})
	})
	b.Run("FindAccountByIdentity", func(b *testing.B) {
		measure(b, nil, func(i int) error {
			a := pick(i)
			_, err := s.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
			return err
		})
	})
	b.Run("FindAccountByIdentity/fresh", func(b *testing.B) {
		measure(b, nil, func(i int) error {
			a := pick(i)
			_, err := cold.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
			return err
		})
	})

	// The Complete benchmarks need a fresh flow and unverified account per
	// operation, made before the timer starts.
	var flows []*account.Flow
	var accts []*account.ExternalAccount
	prepare := func(b *testing.B, n int) {
		flows, accts = flows[:0], accts[:0]
		for range n {
			a := unverifiedAccount(account.NewID("user_"), now)
			if err := s.CreateAccount(ctx, a); err != nil {
				b.Fatal(err)
			}
			f := flowFor(a, time.Now())
			if err := s.SaveFlow(ctx, f); err != nil {
				b.Fatal(err)
			}
			accts, flows = append(accts, a), append(flows, f)
		}
	}
	b.Run("TakeFlow", func(b *testing.B) {
		measure(b, prepare, func(i int) error { _, err := s.TakeFlow(ctx, flows[i].StateHash); return err })
	})
	b.Run("CompleteWrites", func(b *testing.B) {
		// TakeFlow, then UpdateAccount verifying the account: claims the
		// identity and writes the account with its tokens.
		measure(b, prepare, func(i int) error {
			if _, err := s.TakeFlow(ctx, flows[i].StateHash); err != nil {
				return err
			}
			v := verify(accts[i], account.NewID("sub_"))
			return s.UpdateAccount(ctx, v, sealed(v))
		})
	})
	b.Run("CompleteStoreCalls", func(b *testing.B) {
		// All of Complete's store calls: TakeFlow, GetAccount, UpdateAccount.
		measure(b, prepare, func(i int) error {
			if _, err := s.TakeFlow(ctx, flows[i].StateHash); err != nil {
				return err
			}
			a, err := s.GetAccount(ctx, accts[i].ID)
			if err != nil {
				return err
			}
			v := verify(a, account.NewID("sub_"))
			return s.UpdateAccount(ctx, v, sealed(v))
		})
	})
	b.Run("ConnectWrites", func(b *testing.B) {
		// Connect: SaveFlow, then CreateAccount.
		measure(b, nil, func(i int) error {
			a := unverifiedAccount(account.NewID("user_"), now)
			if err := s.SaveFlow(ctx, flowFor(a, now)); err != nil {
				return err
			}
			return s.CreateAccount(ctx, a)
		})
	})
}
