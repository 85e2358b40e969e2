package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	modernc "modernc.org/sqlite"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/verification"
)

func TestMigrateIsIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t) // migrated once
			s := newStore(t, db, nil)
			a := &account.ExternalAccount{ID: account.NewID(account.AccountIDPrefix), UserID: "u", Provider: benchStrategy,
				Verification: verification.Verification{Status: verification.StatusUnverified, Strategy: benchStrategy},
				CreatedAt:    time.Now(), UpdatedAt: time.Now()}
			if err := s.CreateAccount(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("Migrate again: %v", err)
				}
			}
			if _, err := s.GetAccount(t.Context(), a.ID); err != nil {
				t.Fatalf("data gone after re-running Migrate: %v", err)
			}
			var versions []int
			if err := db.NewSelect().Table("tether_schema_migrations").Column("version").Order("version").Scan(t.Context(), &versions); err != nil {
				t.Fatal(err)
			}
			if len(versions) != sqlstore.SchemaVersion || versions[len(versions)-1] != sqlstore.SchemaVersion {
				t.Fatalf("recorded versions %v, want 1..%d", versions, sqlstore.SchemaVersion)
			}
		})
	}
}

func TestMigrateConcurrently(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(t testing.TB) *bun.DB
	}{
		{"SQLite", func(t testing.TB) *bun.DB {
			db, err := sqlite.Open(filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
		{"PostgreSQL", func(t testing.TB) *bun.DB {
			dsn := postgresDSN(t)
			admin, err := postgres.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Close() })
			schema := "tether_test_" + randomHex(6)
			if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
			db, err := postgres.Open(withSearchPath(dsn, schema))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t) // not migrated
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() { errs[i] = newStore(t, db, nil).Migrate(context.Background()) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Migrate %d: %v", i, err)
				}
			}
		})
	}
}

func TestMigrateRefusesANewerSchema(t *testing.T) {
	db := openSQLite(t)
	if _, err := db.ExecContext(t.Context(), "INSERT INTO tether_schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)", sqlstore.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if err := newStore(t, db, nil).Migrate(t.Context()); err == nil {
		t.Fatal("Migrate accepted a schema newer than it knows")
	}
}

func TestWithoutMigrateIsInternalError(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "empty.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = newStore(t, db, nil).GetAccount(t.Context(), "eac_x")
	if !errors.Is(err, verification.ErrInternal) {
		t.Fatalf("GetAccount on an unmigrated database: %v, want internal_error", err)
	}
}

func TestOpenSQLiteSettings(t *testing.T) {
	db := openSQLite(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "1", // NORMAL
		"foreign_keys": "1",
		"busy_timeout": fmt.Sprint(sqlite.BusyTimeout.Milliseconds()),
	} {
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if n := db.DB.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	// A path that needs escaping in a file: URI.
	odd := filepath.Join(t.TempDir(), "a dir #1?", "t%20.db")
	if err := os.MkdirAll(filepath.Dir(odd), 0o700); err != nil {
		t.Fatal(err)
	}
	oddDB, err := sqlite.Open(odd, sqlite.Options{})
	if err != nil {
		t.Fatalf("OpenSQLite(%q): %v", odd, err)
	}
	migrate(t, oddDB)
	oddDB.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Fatalf("the database is not at %q: %v", odd, err)
	}
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if db, err := sqlite.Open(path, sqlite.Options{}); err == nil {
			db.Close()
			t.Errorf("OpenSQLite(%q) accepted", path)
		}
	}
}

// TestSQLiteReadsUseReaderPool checks that bun SELECTs outside a transaction
// go to the read-only pool: a write smuggled into a SELECT fails there.
func TestSQLiteReadsUseReaderPool(t *testing.T) {
	db := openSQLite(t)
	var only int
	if err := db.NewSelect().ColumnExpr("1").Scan(t.Context(), &only); err != nil {
		t.Fatal(err)
	}
	var queryOnly int
	// NewRaw runs on the writer, NewSelect on a reader.
	if err := db.NewRaw("PRAGMA query_only").Scan(t.Context(), &queryOnly); err != nil || queryOnly != 0 {
		t.Fatalf("writer query_only = %d, %v; want 0", queryOnly, err)
	}
	if err := db.NewSelect().ColumnExpr("query_only").TableExpr("pragma_query_only").Scan(t.Context(), &queryOnly); err != nil || queryOnly != 1 {
		t.Fatalf("reader query_only = %d, %v; want 1", queryOnly, err)
	}
}

func TestErrorsWrapDriverErrors(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			ctx := t.Context()
			a := verifiedAccount()
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			dup := verifiedAccount()
			dup.ProviderUserID = a.ProviderUserID
			err := s.CreateAccount(ctx, dup)
			if !errors.Is(err, verification.ErrExternalAccountExists) {
				t.Fatalf("duplicate identity: %v", err)
			}
			var se *modernc.Error
			var pe *pgconn.PgError
			if !errors.As(err, &se) && !errors.As(err, &pe) {
				t.Fatalf("duplicate identity error does not wrap the driver's: %#v", err)
			}
			if pe != nil && (pe.Code != "23505" || pe.ConstraintName != "tether_external_accounts_identity_key") {
				t.Fatalf("wrapped %s on %s", pe.Code, pe.ConstraintName)
			}

			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err = s.GetAccount(cancelled, a.ID)
			if !errors.Is(err, verification.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled context: %v, want store_unavailable wrapping context.Canceled", err)
			}
		})
	}
}

// TestPostgresUnreachable points a store at a port where nothing listens.
func TestPostgresUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	db, err := postgres.Open("postgres://tether@" + addr + "/tether?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := newStore(t, db, nil)
	if _, err := s.GetAccount(t.Context(), "eac_x"); !errors.Is(err, verification.ErrStoreUnavailable) {
		t.Fatalf("GetAccount with the server down: %v, want store_unavailable", err)
	}
	if err := s.Migrate(t.Context()); !errors.Is(err, verification.ErrStoreUnavailable) {
		t.Fatalf("Migrate with the server down: %v, want store_unavailable", err)
	}
}

func TestOpenPostgresRejectsABadDSN(t *testing.T) {
	_, err := postgres.Open("postgres://user:s3cret@host:notaport/db")
	if err == nil {
		t.Fatal("accepted")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %s", err)
	}
}

func TestNewRefusesOtherDialects(t *testing.T) {
	if _, err := sqlstore.New(nil, sqlstore.Options{}); err == nil {
		t.Fatal("New(nil) accepted")
	}
	db := bun.NewDB(nil, sqlitedialect.New())
	if _, err := sqlstore.New(db, sqlstore.Options{}); err != nil {
		t.Fatalf("New on SQLite: %v", err)
	}
}

func TestTimesAreUTCWithMillisecondsAtLeast(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, b.open(t), nil)
			a := verifiedAccount()
			paris := time.FixedZone("Paris", 3600)
			a.CreatedAt = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, paris)
			a.UpdatedAt = a.CreatedAt.Add(1500 * time.Microsecond)
			a.Verification.ExpireAt = time.Time{}
			if err := s.CreateAccount(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetAccount(t.Context(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(a.CreatedAt) {
				t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, a.CreatedAt)
			}
			if d := a.UpdatedAt.Sub(got.UpdatedAt); d < 0 || d >= time.Millisecond {
				t.Errorf("UpdatedAt = %v, want %v to the millisecond", got.UpdatedAt, a.UpdatedAt)
			}
			if !got.Verification.ExpireAt.IsZero() {
				t.Errorf("zero ExpireAt read back as %v", got.Verification.ExpireAt)
			}
		})
	}
}

func TestFlows(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			clock := newClock()
			s := newStore(t, db, clock.Now)
			ctx := t.Context()
			flow := func(key string, ttl time.Duration) *account.Flow {
				return &account.Flow{StateHash: key, Kind: account.FlowConnect, UserID: "u", AccountID: "eac_1",
					Strategy: benchStrategy, Secrets: []byte("sealed"), CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(ttl)}
			}

			t.Run("SaveReplacesAnExpiredFlow", func(t *testing.T) {
				if err := s.SaveFlow(ctx, flow("replace", time.Minute)); err != nil {
					t.Fatal(err)
				}
				clock.Advance(2 * time.Minute)
				f := flow("replace", time.Minute)
				f.UserID = "second"
				if err := s.SaveFlow(ctx, f); err != nil {
					t.Fatalf("SaveFlow over an expired flow: %v", err)
				}
				got, err := s.TakeFlow(ctx, "replace")
				if err != nil || got.UserID != "second" {
					t.Fatalf("TakeFlow = %+v, %v; want the second flow", got, err)
				}
			})

			t.Run("DeleteExpiredInBatches", func(t *testing.T) {
				keys := make([]int, 2500)
				for i := range keys {
					keys[i] = i
				}
				if err := sqlstore.SeedFlows(ctx, db, "old", keys, clock.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				if err := s.SaveFlow(ctx, flow("young", time.Hour)); err != nil {
					t.Fatal(err)
				}
				clock.Advance(2 * time.Minute)
				n, err := s.DeleteExpired(ctx)
				if err != nil || n != len(keys) {
					t.Fatalf("DeleteExpired = %d, %v; want %d", n, err, len(keys))
				}
				if _, err := s.TakeFlow(ctx, "young"); err != nil {
					t.Fatalf("unexpired flow gone: %v", err)
				}
				if n, err := s.DeleteExpired(ctx); err != nil || n != 0 {
					t.Fatalf("DeleteExpired again = %d, %v", n, err)
				}
			})

			t.Run("ExpiredIsNotTakenButStays", func(t *testing.T) {
				if err := s.SaveFlow(ctx, flow("late", time.Minute)); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Minute) // expiry is exclusive: at ExpiresAt it is gone
				if _, err := s.TakeFlow(ctx, "late"); !errors.Is(err, verification.ErrResourceNotFound) {
					t.Fatalf("TakeFlow at expiry: %v", err)
				}
				if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
					t.Fatalf("DeleteExpired = %d, %v; want the expired flow", n, err)
				}
			})
		})
	}
}

// TestDeleteAccountDeletesTokensWithoutForeignKeys shows the store keeps "tokens go with their
// account" on a SQLite connection where foreign keys are off (a host's own
// *bun.DB), by deleting them explicitly.
func TestDeleteAccountDeletesTokensWithoutForeignKeys(t *testing.T) {
	db := openSQLite(t)
	if _, err := db.ExecContext(t.Context(), "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, db, nil)
	a := verifiedAccount()
	if err := s.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if err := s.SwapTokens(t.Context(), &account.SealedTokens{AccountID: a.ID, Blob: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM tether_external_account_tokens WHERE account_id = ?", a.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d token rows left, %v", n, err)
	}
}

func verifiedAccount() *account.ExternalAccount {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &account.ExternalAccount{
		ID: account.NewID(account.AccountIDPrefix), UserID: account.NewID("user_"),
		IdentificationID: account.NewID(account.IdentificationIDPrefix),
		Provider:         benchStrategy, ProviderUserID: account.NewID("sub_"),
		Verification: verification.Verification{Status: verification.StatusVerified, Strategy: benchStrategy, Attempts: 1,
			ExpireAt: now.Add(time.Minute)},
		CreatedAt: now, UpdatedAt: now,
	}
}
