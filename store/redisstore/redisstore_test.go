package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/store/storetest"
)

func TestConformanceMiniredis(t *testing.T) {
	mr, rdb := startMiniredis(t)
	guard := &slotGuard{t: t}
	rdb.AddHook(guard)
	clock := newClock()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := mustNew(rdb, redisstore.Options{Now: clock.Now})
		return storetest.Stores{
			Accounts: s, Tokens: s, Flows: s,
			Now: clock.Now,
			Advance: func(d time.Duration) {
				clock.Advance(d)
				mr.FastForward(d)
			},
			Unavailable: unavailable,
		}
	})
	if guard.evals.Load() == 0 {
		t.Fatal("the slot guard saw no script")
	}
}

func TestConformanceRedis(t *testing.T) {
	rdb := standalone(t)
	prefix := testPrefix(t, rdb)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := mustNew(rdb, redisstore.Options{Prefix: prefix})
		return storetest.Stores{Accounts: s, Tokens: s, Flows: s, Unavailable: unavailable}
	})
}

func TestConformanceCluster(t *testing.T) {
	rdb := cluster(t)
	prefix := testPrefix(t, rdb)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := mustNew(rdb, redisstore.Options{Prefix: prefix})
		return storetest.Stores{Accounts: s, Tokens: s, Flows: s, Unavailable: unavailableCluster}
	})
}

// TestConformanceFlowsOnly is a host that keeps only its flows in Redis.
func TestConformanceFlowsOnly(t *testing.T) {
	_, rdb := startMiniredis(t)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		return storetest.Stores{Flows: mustNew(rdb, redisstore.Options{})}
	})
}

// TestConformanceNoCache runs the suite with the location cache disabled,
// so that every read takes the path a fresh process takes.
func TestConformanceNoCache(t *testing.T) {
	mr, rdb := startMiniredis(t)
	clock := newClock()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := mustNew(rdb, redisstore.Options{CacheSize: -1, Now: clock.Now})
		return storetest.Stores{
			Accounts: s, Tokens: s, Flows: s, Now: clock.Now,
			// miniredis expires keys only when told to.
			Advance: func(d time.Duration) { clock.Advance(d); mr.FastForward(d) },
		}
	})
}

// unavailable returns stores on a port nobody listens on.
func unavailable(t *testing.T) storetest.Stores {
	s := mustNew(closedPortClient(t), redisstore.Options{})
	return storetest.Stores{Accounts: s, Tokens: s, Flows: s}
}

// unavailableCluster returns stores on a cluster client whose only seed is
// a closed port.
func unavailableCluster(t *testing.T) storetest.Stores {
	addr := closedPortClient(t).Options().Addr
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	s := mustNew(rdb, redisstore.Options{})
	return storetest.Stores{Accounts: s, Tokens: s, Flows: s}
}

func TestUnavailableClosedClient(t *testing.T) {
	_, rdb := startMiniredis(t)
	rdb.Close()
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		return storetest.Stores{Unavailable: func(t *testing.T) storetest.Stores {
			s := mustNew(rdb, redisstore.Options{})
			return storetest.Stores{Accounts: s, Tokens: s, Flows: s}
		}}
	})
}

// slotGuard fails the test when a script's keys do not share one hash tag,
// which Redis Cluster would refuse (CROSSSLOT). miniredis does not check.
type slotGuard struct {
	t     *testing.T
	evals atomicInt
}

func (g *slotGuard) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *slotGuard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		g.check(cmd)
		return next(ctx, cmd)
	}
}

func (g *slotGuard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			g.check(c)
		}
		return next(ctx, cmds)
	}
}

func (g *slotGuard) check(cmd redis.Cmder) {
	name := strings.ToLower(cmd.Name())
	if name != "eval" && name != "evalsha" {
		return
	}
	g.evals.Add(1)
	args := cmd.Args()
	n, err := strconv.Atoi(fmt.Sprint(args[2]))
	if err != nil {
		g.t.Errorf("%s: numkeys %v", name, args[2])
		return
	}
	var first string
	for i := range n {
		key := fmt.Sprint(args[3+i])
		tag := hashTag(key)
		if tag == "" {
			g.t.Errorf("%s: key %q has no hash tag", name, key)
		}
		if i == 0 {
			first = tag
		} else if tag != first {
			g.t.Errorf("%s: keys in different slots: %v", name, args[3:3+n])
		}
	}
}

// hashTag returns what Redis Cluster hashes of key: the part between the
// first '{' and the next '}', when not empty.
func hashTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return ""
	}
	return key[i+1 : i+1+j]
}
