package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/tetherauth/tether/verification"
)

// The embedded default: a SQLite file, migrated at start-up, used as every
// store of the account Service.
func ExampleOpen() {
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
