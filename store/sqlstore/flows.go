package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// SaveFlow implements account.FlowStore. A flow whose key is stored and
// not yet expired is verification.ErrConflict; an expired one under the
// same key is replaced in the same statement (ON CONFLICT … DO UPDATE …
// WHERE expires_at <= now), as if DeleteExpired had run first.
func (s *Store) SaveFlow(ctx context.Context, f *account.Flow) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	return storeError(s.insertFlow(ctx, s.db, f))
}

// insertFlow is SaveFlow's statement, on db.
func (s *Store) insertFlow(ctx context.Context, db bun.IDB, f *account.Flow) error {
	row, err := toFlowRow(f)
	if err != nil {
		return verification.ErrInternal.Wrap(err)
	}
	q := db.NewInsert().Model(row).On("CONFLICT (state_hash) DO UPDATE")
	for _, c := range flowColumns {
		q = q.Set(c + " = excluded." + c)
	}
	res, err := q.Where("?TableAlias.expires_at <= ?", dbTime(s.now())).Exec(ctx)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return verification.ErrConflict.WithLongMessage("A flow with this state is in progress.")
	}
	return nil
}

// CreateAccountFlow implements account.FlowWriter: CreateAccount's INSERT
// and SaveFlow's in one transaction.
func (s *Store) CreateAccountFlow(ctx context.Context, a *account.ExternalAccount, f *account.Flow) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	row, err := newAccountRow(a)
	if err != nil {
		return err
	}
	var insertErr error
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			insertErr = err
			return err
		}
		return s.insertFlow(ctx, tx, f)
	})
	if insertErr != nil {
		return s.createError(ctx, a, insertErr)
	}
	if err != nil {
		return storeError(err)
	}
	a.Version = 1
	return nil
}

// UpdateAccountFlow implements account.FlowWriter in one transaction: the
// DELETE of the flow taken (its key and expiry in the WHERE, so of
// concurrent takers one deletes it), UpdateAccount's statements, and
// SaveFlow's INSERT.
func (s *Store) UpdateAccountFlow(ctx context.Context, take string, a *account.ExternalAccount, tokens *account.SealedTokens, save *account.Flow) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	u, err := newUpdate(a, tokens)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if take != "" {
			res, err := tx.NewDelete().Model((*flowRow)(nil)).
				Where("state_hash = ?", take).
				Where("expires_at > ?", dbTime(s.now())).
				Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return verification.ErrResourceNotFound
			}
		}
		if err := s.update(ctx, tx, u); err != nil {
			return err
		}
		if save != nil {
			return s.insertFlow(ctx, tx, save)
		}
		return nil
	})
	if err != nil {
		return storeError(err)
	}
	u.done()
	return nil
}

// takeFlow is the single statement that takes a flow: the key and the
// expiry are both in the WHERE, so of concurrent takers exactly one
// deletes (and gets) the row, and an expired flow is never returned.
func (s *Store) takeFlow(db bun.IDB, row *flowRow, stateHash string) *bun.DeleteQuery {
	return db.NewDelete().Model(row).
		Where("state_hash = ?", stateHash).
		Where("expires_at > ?", dbTime(s.now())).
		Returning("*")
}

// TakeFlow implements account.FlowStore with DELETE … RETURNING. An expired
// flow stays in the table, unreturnable, until DeleteExpired removes it.
func (s *Store) TakeFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	row := new(flowRow)
	return scanFlow(s.takeFlow(s.db, row, stateHash).Scan(ctx), row)
}

// scanFlow returns the flow a query scanned into row, or says why there is
// none.
func scanFlow(err error, row *flowRow) (*account.Flow, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, verification.ErrResourceNotFound
	}
	if err != nil {
		return nil, storeError(err)
	}
	f, err := row.flow()
	if err != nil {
		return nil, decodeError(err)
	}
	return f, nil
}

// selectFlow reads a flow that has not expired, by its primary key.
func (s *Store) selectFlow(db bun.IDB, row *flowRow, stateHash string) *bun.SelectQuery {
	return db.NewSelect().Model(row).
		Where("state_hash = ?", stateHash).
		Where("expires_at > ?", dbTime(s.now()))
}

// GetFlow implements account.FlowStore: one SELECT by the primary key,
// with the expiry in the WHERE.
func (s *Store) GetFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	row := new(flowRow)
	return scanFlow(s.selectFlow(s.db, row, stateHash).Scan(ctx), row)
}

// deleteExpiredBatch bounds one DeleteExpired statement, so that a large
// backlog never holds SQLite's single writer (or many PostgreSQL row locks)
// for long.
const deleteExpiredBatch = 1000

// DeleteExpired deletes the flows that have expired and returns how many.
// Expired flows are never returned anyway; this only reclaims their space.
// The Service's sweep calls it (account.Service.Run). It deletes in batches of
// 1000 rows, each its own statement; a cancelled ctx stops it between
// batches with what was deleted so far.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		if err := s.ready(ctx); err != nil {
			return total, err
		}
		now := dbTime(s.now())
		batch := s.db.NewSelect().Model((*flowRow)(nil)).Column("state_hash").
			Where("expires_at <= ?", now).Limit(deleteExpiredBatch)
		res, err := s.db.NewDelete().Model((*flowRow)(nil)).
			Where("state_hash IN (?)", batch).Exec(ctx)
		if err != nil {
			return total, storeError(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, storeError(err)
		}
		total += int(n)
		if n < deleteExpiredBatch {
			return total, nil
		}
	}
}
