//go:build !postgres

package main

import (
	"context"
	"fmt"
)

// postgresSupport says whether this build can use PostgreSQL: built with
// -tags postgres.
//
// PostgreSQL is left out of the default build because pgx is large: the
// demo must start within a minute of a fresh clone, and a binary that
// never talks to PostgreSQL should not carry its driver.
const postgresSupport = false

// openPostgres refuses a PostgreSQL URL and says how to get a build that
// takes it.
func openPostgres(_ context.Context, _, describe string) (*stores, error) {
	return nil, fmt.Errorf("-store %s: this build has no PostgreSQL support; build the demo with it: go run -tags postgres ./examples/monolith", describe)
}
