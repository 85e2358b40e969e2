package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Options configure a Store; the zero value is the default.
type Options struct {
	// Now is the clock that decides whether a flow has expired (TakeFlow,
	// SaveFlow, DeleteExpired). Default: time.Now. Tests pass a clock they
	// move by hand.
	Now func() time.Time
}

// Store keeps external accounts, their sealed tokens and in-flight flows in
// a SQL database through bun. It implements account.AccountStore,
// account.TokenStore and account.FlowStore, and is safe for concurrent use.
//
// A Store does not own its *bun.DB: closing the DB is the caller's job.
type Store struct {
	db     *bun.DB
	sqlite bool
	now    func() time.Time
	// safe is set once a PostgreSQL server said standard_conforming_strings
	// is on (always true on SQLite).
	safe atomic.Bool
}

var (
	_ account.AccountStore = (*Store)(nil)
	_ account.TokenStore   = (*Store)(nil)
	_ account.FlowStore    = (*Store)(nil)

	_ account.AccountTokensReader = (*Store)(nil)
	_ account.FlowWriter          = (*Store)(nil)
)

// New returns a Store on db, which must use bun's sqlitedialect (with the
// modernc.org/sqlite driver) or pgdialect (with pgx's stdlib driver). It
// does no I/O: call Migrate before the first use.
//
// For SQLite, open db with sqlite.Open (store/sqlstore/sqlite), or
// configure it as sqlite.Open documents (WAL, a busy timeout, one writing connection). Several writing
// connections without a busy timeout fail with "database is locked" under
// concurrent writes; with one, they poll SQLite's lock and their latency
// tail grows to seconds (BENCHMARKS.md measures both).
func New(db *bun.DB, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New with a nil *bun.DB")
	}
	s := &Store{db: db, now: opts.Now}
	switch name := db.Dialect().Name(); name {
	case dialect.SQLite:
		s.sqlite = true
	case dialect.PG:
	default:
		return nil, fmt.Errorf("sqlstore: dialect %s is not supported (SQLite and PostgreSQL are)", name)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.safe.Store(s.sqlite)
	return s, nil
}

// ErrUnsafeStrings is returned by Migrate and every method of a Store on a
// PostgreSQL connection where standard_conforming_strings is off.
//
// bun writes values into the SQL text and escapes a quote by doubling it;
// with standard_conforming_strings off, PostgreSQL also reads a backslash
// in a literal as an escape, so a value ending in a backslash would close
// the literal early: SQL injection through any string a user controls (a
// label, a profile name). store/sqlstore/postgres.Open sets the parameter
// on every connection; a host that opens its own *bun.DB must leave it on
// (the default since PostgreSQL 9.1) in the server, database, role and DSN.
// The Store checks once, on its first use; it cannot see a connection that
// turns the setting off later with SET.
var ErrUnsafeStrings = errors.New("sqlstore: PostgreSQL standard_conforming_strings is off: bun's quoting is not safe without it; turn it on (or open the database with store/sqlstore/postgres.Open)")

// ready fails a call that must not run: its context ended, or the
// PostgreSQL connection does not read string literals safely.
func (s *Store) ready(ctx context.Context) error {
	if err := live(ctx); err != nil {
		return err
	}
	if s.safe.Load() {
		return nil
	}
	var setting string
	if err := s.db.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&setting); err != nil {
		return storeError(err)
	}
	if setting != "on" {
		return verification.ErrInternal.WithLongMessage("The database connection is not safe to use: standard_conforming_strings is off.").Wrap(ErrUnsafeStrings)
	}
	s.safe.Store(true)
	return nil
}

// inTx runs fn in a transaction, rolled back when fn fails.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, fn)
}

// live returns ctx's error as store_unavailable, so that a cancelled
// request fails the same way on every adapter before it touches the pool.
func live(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	return nil
}

// decodeError reports a row the store cannot read back: a bug or a row
// written by something else, never a reason to retry.
func decodeError(err error) error {
	return verification.ErrInternal.WithLongMessage("A stored row could not be decoded.").Wrap(err)
}

// CreateAccount implements account.AccountStore. A second account for an
// identity is refused by the unique index, whatever the concurrency.
func (s *Store) CreateAccount(ctx context.Context, a *account.ExternalAccount) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	row, err := newAccountRow(a)
	if err != nil {
		return err
	}
	if _, err := s.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return s.createError(ctx, a, err)
	}
	a.Version = 1
	return nil
}

// newAccountRow is the row CreateAccount inserts for a.
func newAccountRow(a *account.ExternalAccount) (*accountRow, error) {
	if a.Version != 0 {
		return nil, verification.ErrConflict.WithLongMessage("A new account must have version 0.")
	}
	row, err := toAccountRow(a)
	if err != nil {
		return nil, verification.ErrInternal.Wrap(err)
	}
	row.Version = 1
	return row, nil
}

// createError maps the error of an account INSERT. It reads outside any
// transaction: on PostgreSQL a failed statement aborts its transaction.
func (s *Store) createError(ctx context.Context, a *account.ExternalAccount, err error) error {
	v := constraintViolation(err)
	if v == uniqueViolation {
		// PostgreSQL: the id or the identity? The row with this id
		// tells.
		exists, xerr := s.db.NewSelect().Model((*accountRow)(nil)).Where("id = ?", a.ID).Exists(ctx)
		switch {
		case xerr != nil:
			return storeError(xerr)
		case exists:
			v = primaryKeyViolation
		default:
			v = identityViolation
		}
	}
	switch v {
	case identityViolation:
		return verification.ErrExternalAccountExists.Wrap(err)
	case primaryKeyViolation:
		return verification.ErrConflict.WithLongMessage("An account with this id exists.").Wrap(err)
	}
	return storeError(err)
}

// selectAccount reads one account by id: the primary key.
func (s *Store) selectAccount(db bun.IDB, row *accountRow, id string) *bun.SelectQuery {
	return db.NewSelect().Model(row).Where("id = ?", id)
}

// selectAccounts runs a Query in creation order: a user's accounts from
// the (user_id, created_at, id) index, one provider's from (provider,
// created_at, id), everybody's from (created_at, id); the other filters and
// the cursor are conditions on the rows the index yields in order.
func (s *Store) selectAccounts(db bun.IDB, rows *[]accountRow, q account.Query) *bun.SelectQuery {
	sel := db.NewSelect().Model(rows)
	if q.UserID != "" {
		sel = sel.Where("user_id = ?", q.UserID)
	}
	if !q.Provider.IsZero() {
		sel = sel.Where("provider = ?", q.Provider.String())
	}
	if q.Status != "" {
		sel = sel.Where("verification_status = ?", string(q.Status))
	}
	if q.After != nil {
		at := dbTime(q.After.CreatedAt)
		sel = sel.Where("(created_at, id) > (?, ?)", at, q.After.ID)
	}
	sel = sel.OrderExpr("created_at, id")
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit))
	}
	return sel
}

// selectAccountByIdentity finds the owner of an identity through the
// partial unique index (provider_user_id = ? implies it is not NULL).
func (s *Store) selectAccountByIdentity(db bun.IDB, row *accountRow, provider verification.Strategy, providerUserID string) *bun.SelectQuery {
	return db.NewSelect().Model(row).
		Where("provider = ?", provider.String()).
		Where("provider_user_id = ?", providerUserID)
}

// scanAccount runs q and decodes its one row.
func scanAccount(ctx context.Context, q *bun.SelectQuery, row *accountRow) (*account.ExternalAccount, error) {
	if err := q.Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, verification.ErrExternalAccountNotFound
		}
		return nil, storeError(err)
	}
	a, err := row.account()
	if err != nil {
		return nil, decodeError(err)
	}
	return a, nil
}

// GetAccount implements account.AccountStore.
func (s *Store) GetAccount(ctx context.Context, id string) (*account.ExternalAccount, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	row := new(accountRow)
	return scanAccount(ctx, s.selectAccount(s.db, row, id), row)
}

// ListAccounts implements account.AccountStore.
func (s *Store) ListAccounts(ctx context.Context, q account.Query) ([]*account.ExternalAccount, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var rows []accountRow
	if err := s.selectAccounts(s.db, &rows, q).Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, storeError(err)
	}
	out := make([]*account.ExternalAccount, 0, len(rows))
	for i := range rows {
		a, err := rows[i].account()
		if err != nil {
			return nil, decodeError(err)
		}
		out = append(out, a)
	}
	return out, nil
}

// FindAccountByIdentity implements account.AccountStore. An empty
// providerUserID is never an identity and is not looked up.
func (s *Store) FindAccountByIdentity(ctx context.Context, provider verification.Strategy, providerUserID string) (*account.ExternalAccount, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if providerUserID == "" {
		return nil, verification.ErrExternalAccountNotFound
	}
	row := new(accountRow)
	return scanAccount(ctx, s.selectAccountByIdentity(s.db, row, provider, providerUserID), row)
}

// UpdateAccount implements account.AccountStore with one compare-and-swap
// statement:
//
//	UPDATE tether_external_accounts SET ..., version = :version+1
//	WHERE id = :id AND version = :version AND user_id = :user_id
//	  AND (provider_user_id IS NULL OR (provider = :provider AND provider_user_id = :provider_user_id))
//
// so a stale version, another user or a changed identity match no row, and
// the unique index refuses an identity another account holds. With tokens,
// the statement and the token upsert run in one transaction. When no row
// matched, the current row says why: not found, or conflict.
func (s *Store) UpdateAccount(ctx context.Context, a *account.ExternalAccount, tokens *account.SealedTokens) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	u, err := newUpdate(a, tokens)
	if err != nil {
		return err
	}
	if tokens == nil {
		err = s.update(ctx, s.db, u)
	} else {
		err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error { return s.update(ctx, tx, u) })
	}
	if err != nil {
		return storeError(err)
	}
	u.done()
	return nil
}

// accountUpdate is one UpdateAccount: the row to write, and the account
// and tokens to bump once it is committed.
type accountUpdate struct {
	a            *account.ExternalAccount
	row          *accountRow
	tokens       *account.SealedTokens
	tokenVersion int64
}

func newUpdate(a *account.ExternalAccount, tokens *account.SealedTokens) (*accountUpdate, error) {
	if tokens != nil && tokens.AccountID != a.ID {
		return nil, verification.ErrInternal.WithLongMessage("Tokens given for another account.")
	}
	row, err := toAccountRow(a)
	if err != nil {
		return nil, verification.ErrInternal.Wrap(err)
	}
	row.Version = a.Version + 1
	return &accountUpdate{a: a, row: row, tokens: tokens}, nil
}

// done applies a committed update to the caller's account and tokens.
func (u *accountUpdate) done() {
	u.a.Version++
	if u.tokens != nil {
		u.tokens.Version = u.tokenVersion
	}
}

// update runs u's statements on db (a transaction when there are tokens).
func (s *Store) update(ctx context.Context, db bun.IDB, u *accountUpdate) error {
	a := u.a
	res, err := db.NewUpdate().Model(u.row).Column(updatableColumns...).
		Where("id = ?", a.ID).
		Where("version = ?", a.Version).
		Where("user_id = ?", a.UserID).
		Where("(provider_user_id IS NULL OR (provider = ? AND provider_user_id = ?))", u.row.Provider, u.row.ProviderUserID).
		Exec(ctx)
	if err != nil {
		// The identity index is the one unique constraint an UPDATE
		// of an account can break.
		if v := constraintViolation(err); v == identityViolation || v == uniqueViolation {
			return verification.ErrExternalAccountExists.Wrap(err)
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return s.whyNotUpdated(ctx, db, a)
	}
	if u.tokens != nil {
		u.tokenVersion, err = s.putTokens(ctx, db, u.tokens)
		return err
	}
	return nil
}

// whyNotUpdated explains an UPDATE that matched no row.
func (s *Store) whyNotUpdated(ctx context.Context, db bun.IDB, a *account.ExternalAccount) error {
	var cur accountRow
	err := db.NewSelect().Model(&cur).Column("version", "user_id", "provider", "provider_user_id").
		Where("id = ?", a.ID).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return verification.ErrExternalAccountNotFound
	case err != nil:
		return err
	case cur.Version != a.Version:
		return verification.ErrConflict
	default:
		return verification.ErrConflict.WithLongMessage("An account's user and identity never change.")
	}
}

// DeleteAccount implements account.AccountStore: the account and its tokens
// go in one transaction. The foreign key cascades too; the explicit delete
// keeps the promise on a SQLite connection without foreign_keys=ON.
//
// The account row is deleted first, the order UpdateAccount locks rows in,
// so that the two never deadlock on PostgreSQL.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*accountRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*tokenRow)(nil)).Where("account_id = ?", id).Exec(ctx)
		return err
	})
	return storeError(err)
}

// abandoned selects never-verified accounts whose verification expired
// before before, from the partial index that holds only those.
func abandoned(q *bun.SelectQuery, before time.Time) *bun.SelectQuery {
	return q.Where("provider_user_id IS NULL").
		Where("verification_expire_at IS NOT NULL").
		Where("verification_expire_at < ?", dbTime(before))
}

// DeleteAbandoned implements account.AccountStore with one transaction: a
// DELETE … RETURNING whose WHERE repeats the conditions, so that an
// account an UpdateAccount gave an identity in the meantime is not
// deleted, then the tokens of the accounts it deleted.
func (s *Store) DeleteAbandoned(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	var ids []string
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ids = ids[:0]
		batch := abandoned(tx.NewSelect().Model((*accountRow)(nil)).Column("id"), before).Limit(int64(limit))
		del := tx.NewDelete().Model((*accountRow)(nil)).
			Where("id IN (?)", batch).
			Where("provider_user_id IS NULL").
			Where("verification_expire_at < ?", dbTime(before)).
			Returning("id")
		if err := del.Scan(ctx, &ids); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.NewDelete().Model((*tokenRow)(nil)).Where("account_id IN (?)", bun.In(ids)).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, storeError(err)
	}
	return len(ids), nil
}
