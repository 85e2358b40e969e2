package postgres_test

import (
	"context"
	"log"

	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
)

// PostgreSQL: a DSN, with search_path to keep Tether's tables in a schema
// of their own (created beforehand).
func ExampleOpen() {
	db, err := postgres.Open("postgres://tether:secret@db.internal:5432/app?sslmode=verify-full&search_path=tether")
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
