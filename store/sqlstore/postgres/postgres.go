// Package postgres opens Tether's PostgreSQL database through pgx's
// database/sql driver. It is the one package of the SQL store that links
// pgx; the store itself, store/sqlstore, links no driver.
//
//	db, err := postgres.Open("postgres://tether@db:5432/app?sslmode=verify-full&search_path=tether")
//	if err != nil { ... }
//	defer db.Close()
//	store, err := sqlstore.New(db, sqlstore.Options{})
//	if err := store.Migrate(ctx); err != nil { ... }
package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Open returns a bun DB on PostgreSQL through pgx's database/sql
// driver, for a DSN in any form pgx.ParseConfig accepts
// ("postgres://user:pass@host:5432/db?sslmode=verify-full&search_path=tether").
// It does no I/O: a server that is down shows at the first query.
//
// Unless the DSN sets default_query_exec_mode, queries run in pgx's "exec"
// mode: bun formats its arguments into the SQL text, so pgx's default of
// preparing and caching a statement per distinct text would cost a round
// trip and a server-side statement for every query. The pool allows
// max(10, 4×GOMAXPROCS) connections; tune it on the returned DB's *sql.DB.
func Open(dsn string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN with the password redacted only on
		// a best-effort basis: say what failed without it.
		return nil, errors.New("postgres: the PostgreSQL DSN does not parse")
	}
	// bun writes values into the SQL text, escaping quotes by doubling
	// them: with standard_conforming_strings off, a backslash in a value
	// would escape the closing quote. Every connection of this pool sets
	// it on, whatever the server, database, role or DSN says.
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["standard_conforming_strings"] = "on"
	if !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	sqldb := stdlib.OpenDB(*cfg,
		stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			if !conforming(c) {
				return fmt.Errorf("postgres: a new connection has %w", sqlstore.ErrUnsafeStrings)
			}
			return nil
		}),
		// A connection on which someone ran SET standard_conforming_strings
		// = off is not handed out again.
		stdlib.OptionResetSession(func(_ context.Context, c *pgx.Conn) error {
			if !conforming(c) {
				return driver.ErrBadConn // database/sql discards it and takes another
			}
			return nil
		}),
	)
	n := max(10, 4*runtime.GOMAXPROCS(0))
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// conforming reports whether standard_conforming_strings is on, as the
// server last reported it: the setting is GUC_REPORT, so the server sends
// its value at connection start and after every change, at no round trip.
func conforming(c *pgx.Conn) bool {
	return c.PgConn().ParameterStatus("standard_conforming_strings") == "on"
}
