package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/uptrace/bun"
)

// One refresh per grant across processes (issue 12): each Service opens
// its own pools on the same SQLite file, or its own pool on the same
// PostgreSQL schema.
func TestRefreshStampede(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "stampede.db")
		testkit.RefreshStampede(t, func(t *testing.T) testkit.Stores {
			db, err := sqlite.Open(path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return sqlStores(t, db)
		})
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := postgresDSN(t)
		schema := "tether_stampede_" + randomHex(4)
		admin, err := postgres.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
		testkit.RefreshStampede(t, func(t *testing.T) testkit.Stores {
			db, err := postgres.Open(withSearchPath(dsn, schema))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return sqlStores(t, db)
		})
	})
}

func sqlStores(t *testing.T, db *bun.DB) testkit.Stores {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return testkit.Stores{Accounts: s, Tokens: s, Flows: s}
}
