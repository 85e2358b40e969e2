package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tetherauth/tether/verification"
)

// The schema, one directory per dialect: NNNN_name.sql files applied in
// order. A released migration is never edited; a change is a new file.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one versioned schema change.
type migration struct {
	version    int
	name       string
	statements []string
}

// SchemaVersion is the schema version this package's migrations produce.
// Migrate refuses a database whose schema is newer.
const SchemaVersion = 2

// migrationsLockKey is the PostgreSQL advisory lock that serializes
// concurrent Migrate calls (several instances starting at once); "tether"
// in ASCII.
const migrationsLockKey = 0x746574686572

// loadMigrations reads the migrations of one dialect directory.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, path.Join("migrations", dir))
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join("migrations", dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(name, ".sql"), statements: splitStatements(string(b))})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: migration versions must be 1..n without gaps, found %d at position %d", m.version, i+1)
		}
	}
	return out, nil
}

// splitStatements splits a migration file into statements: whole-line
// "--" comments are dropped, and a statement ends with a semicolon at the
// end of a line. Migrations keep semicolons out of literals and trailing
// comments, which keeps this simple and each statement's error pointed.
func splitStatements(src string) []string {
	var b strings.Builder
	for line := range strings.Lines(src) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(strings.TrimRight(line, " \t\r\n"))
			b.WriteByte('\n')
		}
	}
	var out []string
	for _, part := range strings.Split(b.String(), ";\n") {
		if stmt := strings.TrimSpace(part); stmt != "" && stmt != ";" {
			out = append(out, strings.TrimSuffix(stmt, ";"))
		}
	}
	return out
}

// Migrate creates or upgrades Tether's tables to SchemaVersion. It is
// explicit — no constructor touches the schema — and idempotent: running it
// on an up-to-date database changes nothing. Concurrent calls (several
// instances starting at once) are serialized: by an advisory lock on
// PostgreSQL, by BEGIN IMMEDIATE on SQLite. All pending migrations apply in
// one transaction, so a failure leaves the schema as it was.
//
// Applied versions are recorded in tether_schema_migrations. A database
// whose schema is newer than this package knows is refused with an error,
// so an old binary never writes to a schema it does not understand.
//
// On PostgreSQL the tables go to the first schema of the connection's
// search_path (set search_path in the DSN to keep Tether in its own schema).
func (s *Store) Migrate(ctx context.Context) error {
	dir := "postgres"
	if s.sqlite {
		dir = "sqlite"
	}
	migs, err := loadMigrations(dir)
	if err != nil {
		return verification.ErrInternal.Wrap(err)
	}
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return storeError(err)
	}
	defer conn.Close()
	if !s.sqlite {
		var setting string
		if err := conn.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&setting); err != nil {
			return storeError(err)
		}
		if setting != "on" {
			return ErrUnsafeStrings
		}
	}
	if err := s.migrate(ctx, conn, migs); err != nil {
		if errors.Is(err, errSchemaTooNew) {
			return err
		}
		return storeError(fmt.Errorf("sqlstore: migrate: %w", err))
	}
	return nil
}

var errSchemaTooNew = errors.New("sqlstore: the database schema is newer than this version of Tether")

// migrate runs on one dedicated connection, bypassing bun's query
// formatting: migration files are plain SQL.
func (s *Store) migrate(ctx context.Context, conn *sql.Conn, migs []migration) (err error) {
	begin, bootstrap, lock := "BEGIN", `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
	version    integer     NOT NULL PRIMARY KEY,
	name       text        NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`, "SELECT pg_advisory_xact_lock("+strconv.Itoa(migrationsLockKey)+")"
	if s.sqlite {
		// IMMEDIATE takes the write lock before the first read, so two
		// processes migrating one file queue on busy_timeout instead of
		// failing to upgrade a read lock.
		begin, bootstrap, lock = "BEGIN IMMEDIATE", `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`, ""
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			_, err = conn.ExecContext(ctx, "COMMIT")
		}
		if err != nil {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				// The connection's state is unknown: keep it out of the pool.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
	}()
	if lock != "" {
		if _, err := conn.ExecContext(ctx, lock); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, bootstrap); err != nil {
		return err
	}
	var current sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM "+migrationsTable).Scan(&current); err != nil {
		return err
	}
	if int(current.Int64) > len(migs) {
		return fmt.Errorf("%w: schema version %d, this package knows %d", errSchemaTooNew, current.Int64, len(migs))
	}
	for _, m := range migs[current.Int64:] {
		for i, stmt := range m.statements {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %s, statement %d: %w", m.name, i+1, err)
			}
		}
		record := "INSERT INTO " + migrationsTable + " (version, name) VALUES ($1, $2)"
		args := []any{m.version, m.name}
		if s.sqlite {
			record = "INSERT INTO " + migrationsTable + " (version, name, applied_at) VALUES (?, ?, ?)"
			args = append(args, time.Now().UnixMilli())
		}
		if _, err := conn.ExecContext(ctx, record, args...); err != nil {
			return err
		}
	}
	return nil
}
