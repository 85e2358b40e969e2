package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/verification"
)

// The embedded default: a SQLite file, migrated at start-up, used as every
// store of the account Service.
func ExampleOpenSQLite() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sqlstore.OpenSQLite(filepath.Join(dir, "tether.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	// account.New(account.Config{Accounts: store, Flows: store, ...})

	google := verification.MustParseStrategy("oauth_google")
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := &account.ExternalAccount{
		ID: "eac_example", UserID: "user_42", IdentificationID: "idn_example",
		Provider: google, ProviderUserID: "1234567890",
		Verification: verification.Verification{Status: verification.StatusVerified, Strategy: google, Attempts: 1},
		CreatedAt:    now, UpdatedAt: now,
	}
	if err := store.CreateAccount(ctx, a); err != nil {
		log.Fatal(err)
	}
	got, err := store.FindAccountByIdentity(ctx, google, "1234567890")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ID, got.UserID, got.Verification.Status, got.Version)

	again := *a
	again.ID, again.Version = "eac_other", 0
	fmt.Println(store.CreateAccount(ctx, &again))
	// Output:
	// eac_example user_42 verified 1
	// external_account_exists: This account is already connected to another user. Sign in as that user, or connect another account.
}

// PostgreSQL: a DSN, with search_path to keep Tether's tables in a schema
// of their own (created beforehand).
func ExampleOpenPostgres() {
	db, err := sqlstore.OpenPostgres("postgres://tether:secret@db.internal:5432/app?sslmode=verify-full&search_path=tether")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err) // store_unavailable while the server is down
	}
}

// A host that already has a *bun.DB passes it to New. For SQLite, open it
// as OpenSQLite does: WAL, a busy timeout and one writing connection.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sqldb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "app.db")+
		"?_journal_mode=WAL&_busy_timeout=10000&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate")
	if err != nil {
		log.Fatal(err)
	}
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()

	store, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.Migrate(context.Background()))
	// Output: <nil>
}

// Expired flows are never returned; DeleteExpired reclaims their rows. A
// host calls it from its own ticker.
func ExampleStore_DeleteExpired() {
	dir, err := os.MkdirTemp("", "tether-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.OpenSQLite(filepath.Join(dir, "tether.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	store, err := sqlstore.New(db, sqlstore.Options{Now: func() time.Time { return now }})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	for i, ttl := range []time.Duration{-time.Minute, 10 * time.Minute} {
		f := &account.Flow{StateHash: fmt.Sprint("state-hash-", i), Kind: account.FlowConnect, UserID: "user_42",
			AccountID: "eac_1", Strategy: verification.MustParseStrategy("oauth_google"), Secrets: []byte("sealed"),
			CreatedAt: now, ExpiresAt: now.Add(ttl)}
		if err := store.SaveFlow(ctx, f); err != nil {
			log.Fatal(err)
		}
	}

	// In the host: for range time.Tick(5 * time.Minute) { store.DeleteExpired(ctx) }
	n, err := store.DeleteExpired(ctx)
	fmt.Println(n, err)
	// Output: 1 <nil>
}
