// Package sqlstore keeps Tether's external accounts, sealed tokens and
// in-flight authorization flows in a SQL database through bun: SQLite (the
// pure-Go modernc.org/sqlite driver, no cgo) as the embedded default and
// PostgreSQL (pgx's database/sql driver) for hosts that outgrow one
// machine. A *Store implements account.AccountStore, account.TokenStore and
// account.FlowStore, and passes store/storetest on both databases.
//
// This package links no database driver: opening a database, its driver
// and its settings live in one package per database, store/sqlstore/sqlite
// and store/sqlstore/postgres, so a binary links only the driver it uses.
// Driver errors are read by the codes their databases define (SQLite's
// extended result codes, PostgreSQL's SQLSTATE) through the methods of the
// drivers' error types.
//
// # Use
//
//	db, err := sqlite.Open("tether.db", sqlite.Options{}) // or postgres.Open(dsn)
//	if err != nil { ... }
//	defer db.Close()
//	store, err := sqlstore.New(db, sqlstore.Options{})
//	if err != nil { ... }
//	if err := store.Migrate(ctx); err != nil { ... } // explicit, idempotent
//	svc, err := account.New(account.Config{Accounts: store, Flows: store, ...})
//
// The Service's sweep (account.Service.Run) calls DeleteExpired and
// DeleteAbandoned: nothing in this package starts a goroutine. New also
// accepts a *bun.DB the host built itself (sqlitedialect or pgdialect);
// the Store never closes it. On PostgreSQL, standard_conforming_strings
// must be on (ErrUnsafeStrings says why; postgres.Open sets it).
//
// # Schema
//
// Migrate applies versioned SQL migrations embedded in the binary (one set
// per dialect, under migrations/), records them in
// tether_schema_migrations, and is safe to run on every start, by several
// instances at once. Tables:
//
//   - tether_external_accounts: one row per account; the verification in
//     scalar columns, its error object, the approved scopes and the public
//     metadata as JSON (jsonb on PostgreSQL, TEXT on SQLite). Indexes: the
//     primary key; a partial unique index on (provider, provider_user_id)
//     WHERE provider_user_id IS NOT NULL, which enforces one owner per
//     identity under any concurrency; (user_id, created_at, id) for
//     listing a user's accounts in creation order.
//   - tether_external_account_tokens: the sealed token blob of an account
//     (never a plaintext token), with its compare-and-swap version; its
//     foreign key cascades from the account.
//   - tether_flows: flows keyed by the hash of their state (the state itself
//     is never stored), with an index on expires_at for DeleteExpired. The
//     key, expiry, user and account are columns; the rest of account.Flow
//     is a JSON payload, so a field added to Flow needs no migration.
//
// Times are INTEGER Unix milliseconds on SQLite and timestamptz
// (microseconds) on PostgreSQL, and are returned in UTC. Identifiers sort
// bytewise on both (COLLATE "C" on PostgreSQL), as ListAccounts' tie-break
// requires. On PostgreSQL, put search_path in the DSN to keep the tables in
// a schema of their own; the accounts and tokens tables leave room on each
// page (fillfactor 90) so that rewriting a row is a HOT update.
//
// # How the contracts are kept
//
//   - TakeFlow is one DELETE … WHERE state_hash = ? AND expires_at > now
//     RETURNING *: of concurrent takers exactly one gets the row, and an
//     expired flow is never returned.
//   - UpdateAccount is UPDATE … WHERE id = ? AND version = ? (and the same
//     user, and an identity that is unset or unchanged); with tokens, it and
//     the token upsert share one transaction. DeleteAccount removes the
//     account and its tokens in one transaction. SwapTokens is its own
//     compare-and-swap on the token version.
//   - Constraint violations are recognized by error codes (SQLite's
//     extended result codes; PostgreSQL's SQLSTATE 23505, with the account
//     id looked up to tell a duplicate id from a taken identity), never by
//     message text.
//
// # SQLite
//
// sqlite.Open opens the file in WAL mode with synchronous=NORMAL,
// foreign_keys=ON and a busy timeout, through two pools: a single writing
// connection (BEGIN IMMEDIATE) that every write and transaction queues for
// in Go, and a pool of read-only connections for bun's SELECTs. SQLite
// allows one writer at a time; queueing writers in database/sql instead of
// letting several connections poll SQLite's lock removes "database is
// locked" errors and the long latency tails of busy polling (see
// BENCHMARKS.md, where the alternatives are measured). A host that opens
// its own SQLite *bun.DB should do the same.
//
// # Errors
//
// Methods return *verification.Error values, matched with errors.Is:
//
//   - verification.ErrExternalAccountNotFound, verification.ErrResourceNotFound
//     for what is not there, as the store contracts say;
//   - verification.ErrExternalAccountExists when the identity index refuses
//     a second owner, verification.ErrConflict for a stale version or a
//     duplicate id or state (and for PostgreSQL serialization failures and
//     deadlocks: retry);
//   - verification.ErrStoreUnavailable wrapping the driver's error when the
//     database is down, closed, unreachable or busy, or the context ended;
//   - verification.ErrInternal wrapping the cause for what retrying cannot
//     fix: SQL the database refuses (Migrate was not run), a row that does
//     not decode.
//
// The driver's error stays reachable with errors.As (*sqlite.Error,
// *pgconn.PgError) and never appears in Error().
//
// # Benchmarks
//
// BENCHMARKS.md has the commands and the figures; in short:
//
//	go test -run '^$' -bench . -benchmem ./store/sqlstore/
//	TETHER_BENCH_LARGE=1 TETHER_POSTGRES_DSN=postgres://... go test -run '^$' -bench Store -benchmem ./store/sqlstore/
package sqlstore
