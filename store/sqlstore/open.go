package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// SQLiteBusyTimeout is how long a SQLite connection waits for a lock held
// by another process before it fails with SQLITE_BUSY. Within one process
// OpenSQLite's single writer never waits on SQLite's lock.
const SQLiteBusyTimeout = 10 * time.Second

// sqliteWriterParams configure the one writing connection:
//   - WAL: readers never block the writer nor the writer readers;
//   - synchronous=NORMAL: in WAL mode a commit survives an application
//     crash; a power loss may lose the last commits but never corrupts;
//   - foreign_keys: tokens belong to an existing account;
//   - _txlock=immediate: BEGIN takes the write lock at once, so a
//     transaction never fails to upgrade a read lock (SQLITE_BUSY that
//     busy_timeout cannot retry) when another process writes too.
var sqliteWriterParams = url.Values{
	"_busy_timeout": {fmt.Sprint(SQLiteBusyTimeout.Milliseconds())},
	"_journal_mode": {"WAL"},
	"_synchronous":  {"NORMAL"},
	"_foreign_keys": {"1"},
	"_txlock":       {"immediate"},
}

// sqliteReaderParams configure the reading connections, which refuse to
// write (query_only) so that a write routed to them by mistake fails loudly
// instead of contending for the lock.
var sqliteReaderParams = url.Values{
	"_busy_timeout": {fmt.Sprint(SQLiteBusyTimeout.Milliseconds())},
	"_foreign_keys": {"1"},
	"_query_only":   {"1"},
}

// OpenSQLite opens (creating it if needed) the SQLite database file at path
// with the modernc.org/sqlite driver (pure Go, no cgo), configured to be
// used by a server:
//
//   - journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout
//     of SQLiteBusyTimeout on every connection;
//   - one writer: the returned DB's own *sql.DB has a single connection,
//     and every write and transaction (and every query that is not a bun
//     SELECT) runs on it, with BEGIN IMMEDIATE. Writers queue in Go, on
//     database/sql's pool, where they honour their context, instead of
//     spinning on SQLite's lock: 50 concurrent writers never see
//     "database is locked";
//   - concurrent readers: bun SELECT queries outside a transaction go to a
//     second pool of max(4, GOMAXPROCS) read-only connections, through
//     bun's ConnResolver. WAL lets them read while the writer writes.
//
// Close the returned DB to close both pools. path must name a file: an
// in-memory database would be one per connection (use store/memstore).
//
// OpenSQLite opens the file and switches it to WAL; it starts no goroutine
// of its own (database/sql runs one per pool until Close).
func OpenSQLite(path string) (*bun.DB, error) {
	return openSQLite(path, func(dsn string) (*sql.DB, error) { return sql.Open("sqlite", dsn) })
}

// openSQLite is OpenSQLite with the function that opens a pool for a DSN,
// which tests replace to put a fault-injecting driver underneath.
func openSQLite(path string, open func(dsn string) (*sql.DB, error)) (*bun.DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlstore: OpenSQLite needs a file path, not %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	writer, err := openSQLitePool(open, abs, sqliteWriterParams, 1)
	if err != nil {
		return nil, err
	}
	// Connect now: the first connection switches the file to WAL before any
	// reader opens it.
	var mode string
	if err := writer.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		writer.Close()
		return nil, fmt.Errorf("sqlstore: %s: journal_mode is %q, WAL is required (is it on a network file system?)", path, mode)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	reader, err := openSQLitePool(open, abs, sqliteReaderParams, readers)
	if err != nil {
		writer.Close()
		return nil, err
	}
	return bun.NewDB(writer, sqlitedialect.New(), bun.WithConnResolver(readResolver{reader})), nil
}

// openSQLitePool opens a pool of n connections that are never recycled:
// a SQLite connection is cheap to keep and its page cache is worth keeping.
func openSQLitePool(open func(string) (*sql.DB, error), path string, params url.Values, n int) (*sql.DB, error) {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: params.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows drive letters: file:///C:/...
	}
	db, err := open(u.String())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// readResolver sends bun's read-only queries (SELECT outside a
// transaction) to the reader pool; everything else goes to the DB's own
// single-connection writer pool.
type readResolver struct{ reader *sql.DB }

func (r readResolver) ResolveConn(_ context.Context, q bun.Query) bun.IConn {
	if bun.IsReadOnlyQuery(q) {
		return r.reader
	}
	return nil
}

func (r readResolver) Close() error { return r.reader.Close() }

// OpenPostgres returns a bun DB on PostgreSQL through pgx's database/sql
// driver, for a DSN in any form pgx.ParseConfig accepts
// ("postgres://user:pass@host:5432/db?sslmode=verify-full&search_path=tether").
// It does no I/O: a server that is down shows at the first query.
//
// Unless the DSN sets default_query_exec_mode, queries run in pgx's "exec"
// mode: bun formats its arguments into the SQL text, so pgx's default of
// preparing and caching a statement per distinct text would cost a round
// trip and a server-side statement for every query. The pool allows
// max(10, 4×GOMAXPROCS) connections; tune it on the returned DB's *sql.DB.
func OpenPostgres(dsn string) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN with the password redacted only on
		// a best-effort basis: say what failed without it.
		return nil, errors.New("sqlstore: the PostgreSQL DSN does not parse")
	}
	if !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	sqldb := stdlib.OpenDB(*cfg)
	n := max(10, 4*runtime.GOMAXPROCS(0))
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}
