package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// GetTokens implements account.TokenStore.
func (s *Store) GetTokens(ctx context.Context, accountID string) (*account.SealedTokens, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var row tokenRow
	if err := s.db.NewSelect().Model(&row).Where("account_id = ?", accountID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, verification.ErrResourceNotFound
		}
		return nil, storeError(err)
	}
	return row.tokens(), nil
}

// SwapTokens implements account.TokenStore. Version 0 inserts, guarded by
// the account's existence and the primary key; any other version is
// UPDATE … WHERE account_id = ? AND version = ?. When nothing was written,
// the account's existence tells not found from conflict.
func (s *Store) SwapTokens(ctx context.Context, t *account.SealedTokens) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	row := s.tokenRow(t)
	var (
		res sql.Result
		err error
	)
	if t.Version == 0 {
		res, err = s.db.NewRaw(
			"INSERT INTO "+tokensTable+" (account_id, sealed, version, updated_at) "+
				"SELECT ?, ?, 1, ? WHERE EXISTS (SELECT 1 FROM "+accountsTable+" WHERE id = ?) "+
				"ON CONFLICT (account_id) DO NOTHING",
			row.AccountID, row.Sealed, row.UpdatedAt, row.AccountID).Exec(ctx)
	} else {
		res, err = s.db.NewUpdate().Model(row).Column("sealed", "updated_at").
			Set("version = version + 1").
			Where("account_id = ?", row.AccountID).
			Where("version = ?", t.Version).
			Exec(ctx)
	}
	if err != nil {
		if constraintViolation(err) == foreignKeyViolation {
			// The account was deleted between the check and the insert.
			return verification.ErrExternalAccountNotFound
		}
		return storeError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storeError(err)
	}
	if n == 1 {
		t.Version++
		return nil
	}
	exists, err := s.db.NewSelect().Model((*accountRow)(nil)).Where("id = ?", t.AccountID).Exists(ctx)
	switch {
	case err != nil:
		return storeError(err)
	case !exists:
		return verification.ErrExternalAccountNotFound
	default:
		return verification.ErrConflict
	}
}

// tokenRow converts t; a zero UpdatedAt becomes the store's now.
func (s *Store) tokenRow(t *account.SealedTokens) *tokenRow {
	r := &tokenRow{AccountID: t.AccountID, Sealed: t.Blob, UpdatedAt: dbTime(t.UpdatedAt)}
	if r.Sealed == nil {
		r.Sealed = []byte{} // NULL is not an empty blob
	}
	if t.UpdatedAt.IsZero() {
		r.UpdatedAt = dbTime(s.now())
	}
	return r
}

// putTokens replaces an account's tokens inside UpdateAccount's
// transaction, whatever their version, and returns the new version.
func (s *Store) putTokens(ctx context.Context, db bun.IDB, t *account.SealedTokens) (int64, error) {
	row := s.tokenRow(t)
	var version int64
	err := db.NewRaw(
		"INSERT INTO "+tokensTable+" (account_id, sealed, version, updated_at) VALUES (?, ?, 1, ?) "+
			"ON CONFLICT (account_id) DO UPDATE SET sealed = excluded.sealed, "+
			"version = "+tokensTable+".version + 1, updated_at = excluded.updated_at "+
			"RETURNING version",
		row.AccountID, row.Sealed, row.UpdatedAt).Scan(ctx, &version)
	return version, err
}

// LeaseTokens implements account.TokenStore with one conditional UPDATE of
// the token row: of concurrent callers, the row lock lets one through.
func (s *Store) LeaseTokens(ctx context.Context, accountID, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	res, err := s.db.NewUpdate().Model((*tokenRow)(nil)).
		Set("lease_holder = ?", holder).
		Set("lease_until = ?", dbTime(now.Add(ttl))).
		Where("account_id = ?", accountID).
		Where("(lease_holder IS NULL OR lease_holder = ? OR lease_until <= ?)", holder, dbTime(now)).
		Exec(ctx)
	if err != nil {
		return false, storeError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, storeError(err)
	}
	if n == 1 {
		return true, nil
	}
	exists, err := s.db.NewSelect().Model((*tokenRow)(nil)).Where("account_id = ?", accountID).Exists(ctx)
	switch {
	case err != nil:
		return false, storeError(err)
	case !exists:
		return false, verification.ErrResourceNotFound
	default:
		return false, nil
	}
}

// ReleaseTokens implements account.TokenStore: it clears the lease only
// when holder holds it.
func (s *Store) ReleaseTokens(ctx context.Context, accountID, holder string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	_, err := s.db.NewUpdate().Model((*tokenRow)(nil)).
		Set("lease_holder = NULL").
		Set("lease_until = NULL").
		Where("account_id = ?", accountID).
		Where("lease_holder = ?", holder).
		Exec(ctx)
	return storeError(err)
}

// accountTokensRow is an account row with its token row's columns, read by
// one LEFT JOIN.
type accountTokensRow struct {
	accountRow `bun:",extend"`

	TokSealed  []byte        `bun:"tok_sealed,scanonly"`
	TokVersion sql.NullInt64 `bun:"tok_version,scanonly"`
	TokUpdated dbTime        `bun:"tok_updated_at,scanonly"`
}

// GetAccountTokens implements account.AccountTokensReader with one query:
// the account by its primary key, LEFT JOIN its tokens by theirs.
func (s *Store) GetAccountTokens(ctx context.Context, id string) (*account.ExternalAccount, *account.SealedTokens, error) {
	if err := s.ready(ctx); err != nil {
		return nil, nil, err
	}
	row := new(accountTokensRow)
	err := s.db.NewSelect().Model(row).
		ColumnExpr("a.*").
		ColumnExpr("t.sealed AS tok_sealed, t.version AS tok_version, t.updated_at AS tok_updated_at").
		Join("LEFT JOIN "+tokensTable+" AS t ON t.account_id = a.id").
		Where("a.id = ?", id).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, verification.ErrExternalAccountNotFound
	}
	if err != nil {
		return nil, nil, storeError(err)
	}
	a, err := row.account()
	if err != nil {
		return nil, nil, decodeError(err)
	}
	if !row.TokVersion.Valid {
		return a, nil, nil
	}
	tr := tokenRow{AccountID: a.ID, Sealed: row.TokSealed, Version: row.TokVersion.Int64, UpdatedAt: row.TokUpdated}
	return a, tr.tokens(), nil
}
