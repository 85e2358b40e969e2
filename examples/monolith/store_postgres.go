//go:build postgres

package main

import (
	"context"
	"fmt"

	"github.com/tetherauth/tether/store/sqlstore/postgres"
)

// postgresSupport says whether this build can use PostgreSQL: built with
// -tags postgres.
const postgresSupport = true

// openPostgres opens and migrates the PostgreSQL database of dsn.
func openPostgres(ctx context.Context, dsn, describe string) (*stores, error) {
	db, err := postgres.Open(dsn)
	if err != nil {
		return nil, fmt.Errorf("-store %s: %w", describe, err)
	}
	return sqlStores(ctx, db, "PostgreSQL "+describe)
}
