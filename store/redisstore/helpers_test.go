package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/redisstore"
)

// Environment variables that enable the tests against real servers.
const (
	envAddr         = "TETHER_REDIS_ADDR"          // host:port of a standalone redis-server
	envClusterAddrs = "TETHER_REDIS_CLUSTER_ADDRS" // comma-separated masters of a Redis Cluster
)

// startMiniredis returns a miniredis and a client of it, both closed when
// the test ends.
func startMiniredis(t testing.TB) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return mr, rdb
}

// standalone returns a client of TETHER_REDIS_ADDR, or skips.
func standalone(t testing.TB) *redis.Client {
	t.Helper()
	addr := os.Getenv(envAddr)
	if addr == "" {
		t.Skip(envAddr + " is not set (host:port of a redis-server)")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("%s=%s: %v", envAddr, addr, err)
	}
	return rdb
}

// cluster returns a client of TETHER_REDIS_CLUSTER_ADDRS, or skips.
func cluster(t testing.TB) *redis.ClusterClient {
	t.Helper()
	addrs := os.Getenv(envClusterAddrs)
	if addrs == "" {
		t.Skip(envClusterAddrs + " is not set (comma-separated masters of a Redis Cluster)")
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.ForEachShard(context.Background(), func(ctx context.Context, c *redis.Client) error {
		return c.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("%s=%s: %v", envClusterAddrs, addrs, err)
	}
	return rdb
}

// testPrefix returns a key prefix of its own for one test, and deletes its
// keys when the test ends, so that runs against a shared server neither
// collide nor leave data behind.
func testPrefix(t testing.TB, rdb redis.UniversalClient) string {
	t.Helper()
	prefix := "tethertest:" + account.NewID("") + ":"
	t.Cleanup(func() { deleteKeys(rdb, prefix) })
	return prefix
}

func deleteKeys(rdb redis.UniversalClient, prefix string) {
	ctx := context.Background()
	del := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		return iter.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		_ = cc.ForEachMaster(ctx, del)
		return
	}
	if c, ok := rdb.(*redis.Client); ok {
		_ = del(ctx, c)
	}
}

// keysWithPrefix lists the keys under prefix.
func keysWithPrefix(t testing.TB, rdb redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, strings.TrimPrefix(iter.Val(), prefix))
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, scan)
	case *redis.Client:
		err = scan(ctx, c)
	}
	if err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	return keys
}

// closedPortClient returns a client of a port nobody listens on.
func closedPortClient(t testing.TB) *redis.Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// roundTrips is a go-redis hook that counts round trips: a command is one,
// a pipeline is one (on a cluster its per-node batches run in parallel).
// The commands go-redis sends to set up a new connection (HELLO, CLIENT
// SETINFO, ...) pass through hooks too; they are counted apart, as setup.
type roundTrips struct {
	n, setup atomic.Int64
}

// connSetup reports whether cmds set up a connection rather than serve an
// operation.
func connSetup(cmds ...redis.Cmder) bool {
	for _, c := range cmds {
		switch c.Name() {
		case "hello", "client", "auth", "select", "readonly":
		default:
			return false
		}
	}
	return true
}

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if connSetup(cmd) {
			h.setup.Add(1)
		} else {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if connSetup(cmds...) {
			h.setup.Add(1)
		} else {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// count returns how many round trips fn made.
func (h *roundTrips) count(fn func()) int64 {
	before := h.n.Load()
	fn()
	return h.n.Load() - before
}

// errInjected is the failure a faults hook injects.
var errInjected = errors.New("injected failure: the process crashed here")

// faults is a go-redis hook that lets the first budget round trips through
// and fails every later one without sending it, as if the process died
// after its budget'th write. A negative budget lets everything through.
type faults struct {
	mu     sync.Mutex
	budget int
	n      int
}

func (f *faults) arm(budget int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.budget, f.n = budget, 0
}

func (f *faults) disarm() { f.arm(-1) }

func (f *faults) pass() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.budget < 0 {
		return true
	}
	if f.n >= f.budget {
		return false
	}
	f.n++
	return true
}

func (f *faults) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f *faults) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !connSetup(cmd) && !f.pass() {
			cmd.SetErr(errInjected)
			return errInjected
		}
		return next(ctx, cmd)
	}
}

func (f *faults) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !connSetup(cmds...) && !f.pass() {
			for _, c := range cmds {
				c.SetErr(errInjected)
			}
			return errInjected
		}
		return next(ctx, cmds)
	}
}

type atomicInt = atomic.Int64

// backend is a Redis the tests run against.
type backend struct {
	name string
	rdb  redis.UniversalClient
	// fastForward moves the server's clock (miniredis only); nil for a
	// real server, whose TTLs run in real time.
	fastForward func(time.Duration)
}

// forEachBackend runs fn against miniredis, and against the standalone
// server and the cluster when their variables are set (skipping with the
// reason otherwise). Each run gets its own client, so hooks fn adds stay
// with it.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("miniredis", func(t *testing.T) {
		mr, rdb := startMiniredis(t)
		fn(t, backend{name: "miniredis", rdb: rdb, fastForward: mr.FastForward})
	})
	t.Run("redis", func(t *testing.T) {
		addr := os.Getenv(envAddr)
		if addr == "" {
			t.Skip(envAddr + " is not set (host:port of a redis-server)")
		}
		standalone(t) // checks the server answers
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		fn(t, backend{name: "redis", rdb: rdb})
	})
	t.Run("cluster", func(t *testing.T) {
		if os.Getenv(envClusterAddrs) == "" {
			t.Skip(envClusterAddrs + " is not set (comma-separated masters of a Redis Cluster)")
		}
		cluster(t)
		rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(os.Getenv(envClusterAddrs), ",")})
		t.Cleanup(func() { rdb.Close() })
		fn(t, backend{name: "cluster", rdb: rdb})
	})
}

// gate is a go-redis hook that holds the first command matching match
// until open is called: a write delayed in the network or in a paused
// process. reached is closed when the command arrives at the gate.
type gate struct {
	match   func(cmd redis.Cmder) bool
	reached chan struct{}
	opened  chan struct{}
}

func newGate(match func(redis.Cmder) bool) *gate {
	return &gate{match: match, reached: make(chan struct{}), opened: make(chan struct{})}
}

func (g *gate) open() { close(g.opened) }

func (g *gate) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *gate) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		held := false
		if g.match(cmd) {
			select {
			case <-g.reached:
			default:
				held = true
				close(g.reached)
			}
		}
		if held {
			<-g.opened
		}
		return next(ctx, cmd)
	}
}

func (g *gate) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// evalOn matches a script call whose first key contains s.
func evalOn(s string) func(redis.Cmder) bool {
	return func(cmd redis.Cmder) bool {
		args := cmd.Args()
		return cmd.Name() == "evalsha" && len(args) > 3 && strings.Contains(fmt.Sprint(args[3]), s)
	}
}

// quietLogger drops go-redis's own log lines: the Unavailable and fault
// tests dial closed ports on purpose, and every failed dial would be printed.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietLogger{}) }

// mustNew is redisstore.New for options known to be valid.
func mustNew(rdb redis.UniversalClient, opts redisstore.Options) *redisstore.Store {
	s, err := redisstore.New(rdb, opts)
	if err != nil {
		panic(err)
	}
	return s
}

type fakeClock = testkit.Clock

func newClock() *fakeClock { return testkit.NewClock() }
