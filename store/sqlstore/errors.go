package sqlstore

import (
	"errors"

	"github.com/tetherauth/tether/verification"
)

// The store links no database driver: it reads driver errors by the codes
// their databases define, through the methods the drivers' error types
// have. PostgreSQL errors (pgx's *pgconn.PgError) have SQLState(); SQLite
// errors (modernc's *sqlite.Error) have Code(), SQLite's extended result
// code. Messages are never matched.
type (
	sqlStater   interface{ SQLState() string }
	sqliteCoder interface{ Code() int }
)

// SQLite result codes (https://www.sqlite.org/rescode.html).
const (
	sqliteError            = 1
	sqliteTooBig           = 18
	sqliteConstraint       = 19
	sqliteMismatch         = 20
	sqliteMisuse           = 21
	sqliteAuth             = 23
	sqliteFormat           = 24
	sqliteRange            = 25
	sqliteConstraintFK     = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteConstraintPK     = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique = 2067 // SQLITE_CONSTRAINT_UNIQUE
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
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
	// uniqueViolation: a unique constraint refused the row, and the driver
	// does not say which (PostgreSQL: the constraint name is a field of
	// pgx's error type, which this package does not link); the caller
	// finds out.
	uniqueViolation
	// foreignKeyViolation: tokens for an account that does not exist.
	foreignKeyViolation
)

// constraintViolation says which constraint err reports. On SQLite the
// identity index is the only UNIQUE index that is not a primary key, so the
// extended code is enough.
func constraintViolation(err error) violation {
	var ps sqlStater
	if errors.As(err, &ps) {
		switch ps.SQLState() {
		case pgUniqueViolation:
			return uniqueViolation
		case pgForeignKeyViolation:
			return foreignKeyViolation
		}
		return noViolation
	}
	var sc sqliteCoder
	if errors.As(err, &sc) {
		switch sc.Code() {
		case sqliteConstraintPK:
			return primaryKeyViolation
		case sqliteConstraintUnique:
			return identityViolation
		case sqliteConstraintFK:
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
	var ps sqlStater
	if errors.As(err, &ps) {
		code := ps.SQLState()
		switch code[:min(2, len(code))] {
		case "22", "23", "42", "0A", "2B", "44": // data, integrity, syntax/access, unsupported
			return verification.ErrInternal.Wrap(err)
		case "40": // serialization_failure, deadlock_detected
			return verification.ErrConflict.Wrap(err)
		}
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	var sc sqliteCoder
	if errors.As(err, &sc) {
		switch sc.Code() & 0xff {
		case sqliteError, sqliteConstraint, sqliteMismatch, sqliteRange, sqliteTooBig, sqliteMisuse, sqliteAuth, sqliteFormat:
			return verification.ErrInternal.Wrap(err)
		}
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	return verification.ErrStoreUnavailable.Wrap(err)
}
