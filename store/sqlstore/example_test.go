package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/verification"
)

// A host that already has a *bun.DB passes it to New. For SQLite, open it
// as sqlite.Open does: WAL, a busy timeout and one writing connection.
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
	db, err := sqlite.Open(filepath.Join(dir, "tether.db"), sqlite.Options{})
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
