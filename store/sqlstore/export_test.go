package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Exported to the external tests only.

// Query names of QueriesForExplain.
const (
	QueryGet            = "get"
	QueryListByUser     = "list-by-user"
	QueryFindByIdentity = "find-by-identity"
	QueryTakeFlow       = "take-flow"
	QueryGetFlow        = "get-flow"
	QueryListAll        = "list-all-page"
	QueryListByProvider = "list-by-provider-page"
	QueryListUserStatus = "list-by-user-and-status"
	QueryListByStatus   = "list-by-status-page"
	QueryAbandoned      = "abandoned-batch"
)

// QueriesForExplain renders the statements the store runs for its indexed
// reads, TakeFlow and DeleteAbandoned's batch, with these arguments,
// exactly as bun sends them. Pages start after the first seeded account,
// so that they walk the seeded rows.
func (s *Store) QueriesForExplain(id, userID string, provider verification.Strategy, sub, stateHash string) map[string]string {
	var (
		a  accountRow
		as []accountRow
		f  flowRow
	)
	after := &account.Cursor{CreatedAt: seedEpoch, ID: SeedID(0)}
	return map[string]string{
		QueryGet:            s.selectAccount(s.db, &a, id).String(),
		QueryListByUser:     s.selectAccounts(s.db, &as, account.Query{UserID: userID}).String(),
		QueryFindByIdentity: s.selectAccountByIdentity(s.db, &a, provider, sub).String(),
		QueryTakeFlow:       s.takeFlow(s.db, &f, stateHash).String(),
		QueryGetFlow:        s.selectFlow(s.db, &f, stateHash).String(),
		QueryListAll:        s.selectAccounts(s.db, &as, account.Query{After: after, Limit: 20}).String(),
		QueryListByProvider: s.selectAccounts(s.db, &as, account.Query{Provider: provider, After: after, Limit: 20}).String(),
		QueryListUserStatus: s.selectAccounts(s.db, &as, account.Query{UserID: userID, Status: verification.StatusVerified, Limit: 51}).String(),
		QueryListByStatus:   s.selectAccounts(s.db, &as, account.Query{Status: verification.StatusUnverified, After: after, Limit: 21}).String(),
		QueryAbandoned:      abandoned(s.db.NewSelect().Model((*accountRow)(nil)).Column("id"), time.Now()).Limit(500).String(),
	}
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
