package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
)

// postgresDSNVar names the variable that enables the PostgreSQL tests.
const postgresDSNVar = "TETHER_POSTGRES_DSN"

// backend is one database under test.
type backend struct {
	name string
	// open returns a migrated, empty database of this backend for t,
	// closed when t ends.
	open func(t testing.TB) *bun.DB
}

// backends are SQLite (always) and PostgreSQL (when TETHER_POSTGRES_DSN
// is set).
var backends = []backend{
	{"SQLite", openSQLite},
	{"PostgreSQL", openPostgres},
}

// openSQLite opens a fresh SQLite file in t's temporary directory.
func openSQLite(t testing.TB) *bun.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "tether.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

// openPostgres opens the database of TETHER_POSTGRES_DSN in a schema of its
// own, dropped when t ends, so runs are repeatable and independent. It
// skips t when the variable is not set.
func openPostgres(t testing.TB) *bun.DB {
	t.Helper()
	dsn := postgresDSN(t)
	schema := "tether_test_" + randomHex(6)
	admin, err := postgres.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	db, err := postgres.Open(withSearchPath(dsn, schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(postgresDSNVar)
	if dsn == "" {
		t.Skip(postgresDSNVar + " is not set: PostgreSQL tests skipped (.ci/run starts a server and sets it)")
	}
	return dsn
}

// withSearchPath adds search_path to a URL or key=value DSN.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			panic(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func migrate(t testing.TB, db *bun.DB) {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
}

func newStore(t testing.TB, db *bun.DB, now func() time.Time) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type fakeClock = testkit.Clock

func newClock() *fakeClock { return testkit.NewClockAt(time.Now().UTC().Truncate(time.Millisecond)) }
