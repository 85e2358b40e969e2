package sqlstore

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/verification"
)

// Exported to the external tests only.

// Query names of QueriesForExplain.
const (
	QueryGet            = "get"
	QueryListByUser     = "list-by-user"
	QueryFindByIdentity = "find-by-identity"
	QueryTakeFlow       = "take-flow"
)

// QueriesForExplain renders the statements the store runs for its indexed
// reads and for TakeFlow, with these arguments, exactly as bun sends them.
func (s *Store) QueriesForExplain(id, userID string, provider verification.Strategy, sub, stateHash string) map[string]string {
	var (
		a  accountRow
		as []accountRow
		f  flowRow
	)
	return map[string]string{
		QueryGet:            s.selectAccount(s.db, &a, id).String(),
		QueryListByUser:     s.selectAccountsOfUser(s.db, &as, userID).String(),
		QueryFindByIdentity: s.selectAccountByIdentity(s.db, &a, provider, sub).String(),
		QueryTakeFlow:       s.takeFlow(s.db, &f, stateHash).String(),
	}
}

// OpenSQLiteWith is OpenSQLite with open in place of sql.Open("sqlite", dsn)
// for both of its pools.
func OpenSQLiteWith(path string, open func(dsn string) (*sql.DB, error)) (*bun.DB, error) {
	return openSQLite(path, open)
}

// MigrationsDigest is a short hash of the embedded migrations: benchmark
// caches are keyed by it, so a schema change reseeds them.
func MigrationsDigest() string {
	h := sha256.New()
	fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrationFiles, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}
