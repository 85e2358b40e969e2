package sqlstore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/sqlstore"
)

// queryCounter is a bun query hook that counts statements.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *queryCounter) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	if ev.Operation() != "" {
		c.n.Add(1)
	}
}

// BenchmarkAccessToken measures AccessToken on SQLite and PostgreSQL: a
// token that is not due is one query (account JOIN tokens); a refresh takes
// the lease, calls the provider and writes (issue 12).
func BenchmarkAccessToken(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend.name, func(b *testing.B) {
			db := backend.open(b)
			var qc queryCounter
			db.AddQueryHook(&qc)
			s, err := sqlstore.New(db, sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			testkit.BenchmarkAccessToken(b, testkit.Stores{Accounts: s, Tokens: s, Flows: s}, qc.n.Load)
		})
	}
}
