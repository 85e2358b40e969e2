package realflow

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
)

// sqlCounter is a bun query hook that counts statements and commits: a
// COMMIT, or a write outside a transaction (which commits by itself).
type sqlCounter struct {
	mu         sync.Mutex
	inTx       bool
	statements int
	commits    int
	log        []string
}

func (c *sqlCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (c *sqlCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	verb, _, _ := strings.Cut(strings.TrimSpace(e.Query), " ")
	verb = strings.ToUpper(verb)
	c.log = append(c.log, verb)
	switch verb {
	case "BEGIN":
		c.inTx = true
	case "COMMIT":
		c.inTx = false
		c.commits++
	case "ROLLBACK":
		c.inTx = false
	default:
		c.statements++
		if !c.inTx && verb != "SELECT" {
			c.commits++
		}
	}
}

func (c *sqlCounter) reset() (statements, commits int, log []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	statements, commits, log = c.statements, c.commits, c.log
	c.statements, c.commits, c.log = 0, 0, nil
	return
}

// redisCounter is a go-redis hook that counts round trips: a command or a
// pipeline.
type redisCounter struct {
	mu   sync.Mutex
	n    int
	cmds []string
}

func (c *redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.mu.Lock()
		c.n++
		c.cmds = append(c.cmds, cmd.Name())
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (c *redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.mu.Lock()
		c.n++
		c.cmds = append(c.cmds, "pipeline")
		c.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (c *redisCounter) reset() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, cmds := c.n, c.cmds
	c.n, c.cmds = 0, nil
	return n, cmds
}

// TestStoreWorkPerFlow counts what one connect flow asks of each store,
// flow after flow: at most two commits on SQL (Connect's and the
// callback's), so that a change cannot quietly add a third; and the round
// trips on Redis. The counts are logged for the record.
func TestStoreWorkPerFlow(t *testing.T) {
	for _, kind := range []string{"SQLite", "PostgreSQL"} {
		t.Run(kind, func(t *testing.T) {
			be := newBackend(t, kind)
			idp := newIDP(t)
			h := newHost(t, be, idp, newKeyring(t), nil)
			br := newBrowser()
			tetherFlow(t, h, idp, br, -1) // a running host: discovery and keys fetched
			c := &sqlCounter{}
			be.db.AddQueryHook(c)
			for i := range 5 {
				c.reset()
				tetherFlow(t, h, idp, br, i)
				statements, commits, log := c.reset()
				if commits > 2 {
					t.Fatalf("flow %d: %d commits (%d statements: %v), want at most 2", i, commits, statements, log)
				}
				if commits != 2 {
					t.Fatalf("flow %d: %d commits: the counter missed a write (%v)", i, commits, log)
				}
				if i == 0 {
					t.Logf("%s: %d statements, %d commits per flow: %s", kind, statements, commits, strings.Join(log, " "))
				}
			}
		})
	}
	t.Run("Redis", func(t *testing.T) {
		be := newBackend(t, "Redis")
		idp := newIDP(t)
		h := newHost(t, be, idp, newKeyring(t), nil)
		br := newBrowser()
		tetherFlow(t, h, idp, br, -1)
		c := &redisCounter{}
		be.rdb.AddHook(c)
		for i := range 5 {
			c.reset()
			tetherFlow(t, h, idp, br, i)
			n, cmds := c.reset()
			if n > 8 {
				t.Fatalf("flow %d: %d round trips (%v), want at most 8", i, n, cmds)
			}
			if i == 0 {
				t.Logf("Redis: %d round trips per flow: %s", n, strings.Join(cmds, " "))
			}
		}
	})
}
