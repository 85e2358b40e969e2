// Package sqlite opens Tether's SQLite database: the pure-Go
// modernc.org/sqlite driver (no cgo), configured for a server. It is the
// one package of the SQL store that links the SQLite driver; the store
// itself, store/sqlstore, links none.
//
//	db, err := sqlite.Open("tether.db", sqlite.Options{})
//	if err != nil { ... }
//	defer db.Close()
//	store, err := sqlstore.New(db, sqlstore.Options{})
//	if err := store.Migrate(ctx); err != nil { ... }
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Options configure Open. The zero value is the default.
type Options struct {
	// OpenDB opens a database/sql pool for a DSN. Default:
	// sql.Open("sqlite", dsn). A host wraps it to instrument the driver
	// (tracing, metrics); tests wrap it to inject faults.
	OpenDB func(dsn string) (*sql.DB, error)
}

// createPrivate creates the database file, empty and readable by its owner
// only (0600), when it does not exist: it holds users' sealed tokens and
// profiles. An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return f.Close()
}

// BusyTimeout is how long a SQLite connection waits for a lock held
// by another process before it fails with SQLITE_BUSY. Within one process
// Open's single writer never waits on SQLite's lock.
const BusyTimeout = 10 * time.Second

// sqliteWriterParams configure the one writing connection:
//   - WAL: readers never block the writer nor the writer readers;
//   - synchronous=NORMAL: in WAL mode a commit survives an application
//     crash; a power loss may lose the last commits but never corrupts;
//   - foreign_keys: tokens belong to an existing account;
//   - _txlock=immediate: BEGIN takes the write lock at once, so a
//     transaction never fails to upgrade a read lock (SQLITE_BUSY that
//     busy_timeout cannot retry) when another process writes too.
var sqliteWriterParams = url.Values{
	"_busy_timeout": {fmt.Sprint(BusyTimeout.Milliseconds())},
	"_journal_mode": {"WAL"},
	"_synchronous":  {"NORMAL"},
	"_foreign_keys": {"1"},
	"_txlock":       {"immediate"},
}

// sqliteReaderParams configure the reading connections, which refuse to
// write (query_only) so that a write routed to them by mistake fails loudly
// instead of contending for the lock.
var sqliteReaderParams = url.Values{
	"_busy_timeout": {fmt.Sprint(BusyTimeout.Milliseconds())},
	"_foreign_keys": {"1"},
	"_query_only":   {"1"},
}

// Open opens (creating it if needed, readable by its owner only) the SQLite database file at path
// with the modernc.org/sqlite driver (pure Go, no cgo), configured to be
// used by a server:
//
//   - journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON, busy_timeout
//     of BusyTimeout on every connection;
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
// Open opens the file and switches it to WAL; it starts no goroutine
// of its own (database/sql runs one per pool until Close).
func Open(path string, opts Options) (*bun.DB, error) {
	open := opts.OpenDB
	if open == nil {
		open = func(dsn string) (*sql.DB, error) { return sql.Open("sqlite", dsn) }
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: Open needs a file path, not %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
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
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		writer.Close()
		return nil, fmt.Errorf("sqlite: %s: journal_mode is %q, WAL is required (is it on a network file system?)", path, mode)
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
		return nil, fmt.Errorf("sqlite: %w", err)
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
