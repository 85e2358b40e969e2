package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/verification"
)

// Benchmarks. See BENCHMARKS.md for the commands and the figures.
//
// Sizes are 1e3 accounts and, with TETHER_BENCH_LARGE=1, 1e6. Seeded
// databases are kept between runs (SQLite: a file in os.TempDir(); PostgreSQL:
// a schema tether_bench_<digest>_<n> in TETHER_POSTGRES_DSN's database),
// keyed by a digest of the migrations, so only the first run after a schema
// change pays for seeding; remove them to reseed.

const largeBenchVar = "TETHER_BENCH_LARGE"

func benchSizes() []int {
	if os.Getenv(largeBenchVar) == "1" {
		return []int{1_000, 1_000_000}
	}
	return []int{1_000}
}

// benchDB returns a migrated database holding exactly n seeded accounts,
// reusing the one a previous run seeded.
func benchDB(b *testing.B, backend string, n int) *bun.DB {
	b.Helper()
	ctx := context.Background()
	var db *bun.DB
	switch backend {
	case "SQLite":
		path := filepath.Join(os.TempDir(), fmt.Sprintf("tether-sqlstore-bench-%s-%d.db", sqlstore.MigrationsDigest(), n))
		var err error
		if db, err = sqlite.Open(path, sqlite.Options{}); err != nil {
			b.Fatal(err)
		}
		if !seeded(ctx, db, n) {
			db.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
			if db, err = sqlite.Open(path, sqlite.Options{}); err != nil {
				b.Fatal(err)
			}
			seed(b, db, n)
		}
	case "PostgreSQL":
		dsn := postgresDSN(b)
		schema := fmt.Sprintf("tether_bench_%s_%d", sqlstore.MigrationsDigest(), n)
		var err error
		if db, err = postgres.Open(withSearchPath(dsn, schema)); err != nil {
			b.Fatal(err)
		}
		if !seeded(ctx, db, n) {
			for _, q := range []string{"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			seed(b, db, n)
		}
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func seeded(ctx context.Context, db *bun.DB, n int) bool {
	var count int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM tether_external_accounts").Scan(&count)
	return err == nil && count == n
}

func seed(b *testing.B, db *bun.DB, n int) {
	b.Helper()
	migrate(b, db)
	began := time.Now()
	if err := sqlstore.SeedAccounts(context.Background(), db, 0, n); err != nil {
		b.Fatalf("seed: %v", err)
	}
	b.Logf("seeded %d accounts in %v", n, time.Since(began).Round(time.Millisecond))
}

// BenchmarkStore measures the indexed reads and the Complete-path writes
// at each size: BenchmarkStore/<backend>/<operation>/accounts=<n>. The sizes
// are innermost so that the runs being compared are adjacent in time.
// Keys are drawn uniformly from all seeded accounts, so the large size
// does not enjoy a hot subset.
func BenchmarkStore(b *testing.B) {
	for _, backend := range []string{"SQLite", "PostgreSQL"} {
		b.Run(backend, func(b *testing.B) {
			type sized struct {
				n  int
				db *bun.DB
				s  *sqlstore.Store
			}
			var dbs []sized
			for _, n := range benchSizes() {
				db := benchDB(b, backend, n)
				dbs = append(dbs, sized{n, db, newStore(b, db, nil)})
			}
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			reads := []struct {
				name string
				op   func(s *sqlstore.Store, n int) error
			}{
				{"Get", func(s *sqlstore.Store, n int) error {
					_, err := s.GetAccount(ctx, sqlstore.SeedID(rng.IntN(n)))
					return err
				}},
				{"ListByUser", func(s *sqlstore.Store, n int) error {
					as, err := s.ListAccounts(ctx, account.Query{UserID: sqlstore.SeedUser(rng.IntN(n / 2))})
					if err == nil && len(as) != 2 {
						err = fmt.Errorf("%d accounts, want 2", len(as))
					}
					return err
				}},
				{"FindByIdentity", func(s *sqlstore.Store, n int) error {
					i := rng.IntN(n)
					_, err := s.FindAccountByIdentity(ctx, verification.MustParseStrategy(sqlstore.SeedProvider(i)), sqlstore.SeedSub(i))
					return err
				}},
			}
			for _, r := range reads {
				b.Run(r.name, func(b *testing.B) {
					for _, d := range dbs {
						b.Run(fmt.Sprintf("accounts=%d", d.n), func(b *testing.B) {
							b.ReportAllocs()
							for b.Loop() {
								if err := r.op(d.s, d.n); err != nil {
									b.Fatal(err)
								}
							}
						})
					}
				})
			}
			b.Run("CompletePath", func(b *testing.B) {
				for _, d := range dbs {
					b.Run(fmt.Sprintf("accounts=%d", d.n), func(b *testing.B) { benchCompletePath(b, d.s, d.db, d.n) })
				}
			})
		})
	}
}

// benchCompletePath measures one callback's store writes: TakeFlow,
// GetAccount, UpdateAccount with sealed tokens (one transaction). The flows
// are seeded in bulk before the timer starts, on random accounts.
func benchCompletePath(b *testing.B, s *sqlstore.Store, db *bun.DB, n int) {
	ctx := context.Background()
	// Operation i completes account perm[i%n] with a flow of its own (a
	// reauthorization when b.N > n).
	perm := rand.New(rand.NewPCG(3, 4)).Perm(n)
	prefix := randomHex(4)
	round := func(i int) string { return fmt.Sprintf("%s-r%d", prefix, i/n) }
	for r := 0; r*n < b.N; r++ {
		if err := sqlstore.SeedFlows(ctx, db, round(r*n), perm[:min(n, b.N-r*n)], time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := completePath(ctx, s, sqlstore.SeedFlowKey(round(i), perm[i%n]), now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSQLiteWriterPolicy runs the Complete path from 50 goroutines on
// SQLite under several connection policies and reports the errors each
// produces (errors/op) next to its throughput: OpenSQLite's against the
// usual alternatives.
func BenchmarkSQLiteWriterPolicy(b *testing.B) {
	wal := url.Values{"_journal_mode": {"WAL"}, "_synchronous": {"NORMAL"}, "_foreign_keys": {"1"}}
	with := func(extra url.Values) url.Values {
		v := url.Values{}
		for k, vs := range wal {
			v[k] = vs
		}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	policies := []struct {
		name   string
		params url.Values // nil: OpenSQLite
	}{
		{"OpenSQLite", nil},
		{"pool+busy_timeout", with(url.Values{"_busy_timeout": {"10000"}})},
		{"pool+busy_timeout+immediate", with(url.Values{"_busy_timeout": {"10000"}, "_txlock": {"immediate"}})},
		{"pool-no_busy_timeout", wal},
	}
	for _, p := range policies {
		b.Run(p.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "policy.db")
			var db *bun.DB
			if p.params == nil {
				var err error
				if db, err = sqlite.Open(path, sqlite.Options{}); err != nil {
					b.Fatal(err)
				}
			} else {
				sqldb, err := sql.Open("sqlite", "file:"+path+"?"+p.params.Encode())
				if err != nil {
					b.Fatal(err)
				}
				db = bun.NewDB(sqldb, sqlitedialect.New())
			}
			defer db.Close()
			migrate(b, db)
			// One account and one flow per operation, so that every error
			// is the policy's, never a lost compare-and-swap.
			n := max(1000, b.N)
			if err := sqlstore.SeedAccounts(context.Background(), db, 0, n); err != nil {
				b.Fatal(err)
			}
			accounts := make([]int, b.N)
			for i := range accounts {
				accounts[i] = i
			}
			prefix := randomHex(4)
			if err := sqlstore.SeedFlows(context.Background(), db, prefix, accounts, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
			s := newStore(b, db, nil)
			var failed, locked atomic.Int64
			latency := make([]time.Duration, b.N)
			b.ResetTimer()
			runConcurrently(50, b.N, func(i int) {
				began := time.Now()
				defer func() { latency[i] = time.Since(began) }()
				if err := completePath(context.Background(), s, sqlstore.SeedFlowKey(prefix, i), time.Now()); err != nil {
					if failed.Add(1) == 1 {
						b.Logf("first error: %v (%v)", err, errors.Unwrap(err))
					}
					if isBusy(err) {
						locked.Add(1)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(failed.Load())/float64(b.N), "errors/op")
			b.ReportMetric(float64(locked.Load())/float64(b.N), "locked/op")
			slices.Sort(latency)
			b.ReportMetric(float64(latency[b.N/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(latency[b.N*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(latency[b.N-1].Microseconds())/1000, "max-ms")
		})
	}
}

// runConcurrently runs fn(0..n-1) on g goroutines.
func runConcurrently(g, n int, fn func(i int)) {
	var next atomic.Int64
	done := make(chan struct{})
	for range g {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	for range g {
		<-done
	}
}

func isBusy(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := strings.ToLower(e.Error())
		if strings.Contains(msg, "locked") || strings.Contains(msg, "busy") {
			return true
		}
	}
	return false
}
