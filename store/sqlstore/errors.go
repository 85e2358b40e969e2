package sqlstore

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tetherauth/tether/verification"
)

// violation is the kind of integrity constraint a write broke.
type violation int

const (
	noViolation violation = iota
	// primaryKeyViolation: a row with the same key exists.
	primaryKeyViolation
	// identityViolation: the (provider, provider_user_id) index refused a
	// second owner.
	identityViolation
	// foreignKeyViolation: tokens for an account that does not exist.
	foreignKeyViolation
)

// constraintViolation says which constraint err reports, by the drivers'
// error codes (SQLite extended result codes, PostgreSQL SQLSTATE and
// constraint name), never by matching messages. On SQLite the identity
// index is the only UNIQUE index that is not a primary key, so the code is
// enough.
func constraintViolation(err error) violation {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return primaryKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return identityViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		}
		return noViolation
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			if pe.ConstraintName == identityIndex {
				return identityViolation
			}
			return primaryKeyViolation
		case "23503": // foreign_key_violation
			return foreignKeyViolation
		}
	}
	return noViolation
}

// storeError turns a driver error into Tether's error type:
//
//   - a *verification.Error passes through unchanged;
//   - errors that retrying cannot fix (SQL the database refuses: a missing
//     table because Migrate was not run, a type mismatch, a constraint
//     nobody mapped) are verification.ErrInternal wrapping the cause;
//   - PostgreSQL serialization failures and deadlocks are
//     verification.ErrConflict: the caller retries;
//   - everything else — a closed *sql.DB, a refused or broken connection, a
//     server shutting down, a busy or unreadable SQLite file, a cancelled
//     context — is verification.ErrStoreUnavailable wrapping the cause.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var ve *verification.Error
	if errors.As(err, &ve) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_ERROR, sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_MISMATCH,
			sqlite3.SQLITE_RANGE, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISUSE,
			sqlite3.SQLITE_AUTH, sqlite3.SQLITE_FORMAT:
			return verification.ErrInternal.Wrap(err)
		}
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:min(2, len(pe.Code))] {
		case "22", "23", "42", "0A", "2B", "44": // data, integrity, syntax/access, unsupported
			return verification.ErrInternal.Wrap(err)
		case "40": // serialization_failure, deadlock_detected
			return verification.ErrConflict.Wrap(err)
		}
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	return verification.ErrStoreUnavailable.Wrap(err)
}
