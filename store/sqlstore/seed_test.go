package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Seeding for the EXPLAIN tests and the benchmarks: n accounts, two per
// user, every one verified with an identity, written in bulk (multi-row
// INSERTs in large transactions on SQLite, COPY on PostgreSQL), never one
// row per round trip.
//
// Account i has id SeedID(i), user SeedUser(i/2) and identity
// (SeedProvider(i), SeedSub(i)). Ids are time-ordered like account.NewID's;
// user ids and subjects are hashes, so their index entries land at random
// places, as real ones do.

var seedEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedID is the id of seeded account i.
func SeedID(i int) string { return fmt.Sprintf("eac_seed%012d", i) }

// SeedUser is the user of seeded accounts 2u and 2u+1.
func SeedUser(u int) string { return "user_" + seedHash("user", u)[:26] }

// SeedSub is the provider user id of seeded account i.
func SeedSub(i int) string { return seedHash("sub", i)[:21] }

// SeedProvider is the provider of seeded account i.
func SeedProvider(i int) string {
	if i%2 == 0 {
		return "oauth_google"
	}
	return "oauth_github"
}

func seedHash(kind string, i int) string {
	sum := sha256.Sum256([]byte(kind + strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

func seedRow(i int) *accountRow {
	yes := true
	created := seedEpoch.Add(time.Duration(i) * time.Millisecond)
	return &accountRow{
		ID:                   SeedID(i),
		UserID:               SeedUser(i / 2),
		IdentificationID:     "idn_seed" + strconv.Itoa(i),
		Provider:             SeedProvider(i),
		ProviderUserID:       nullString(SeedSub(i)),
		EmailAddress:         "user" + strconv.Itoa(i) + "@example.com",
		EmailAddressVerified: &yes,
		ApprovedScopes:       nullString(`["openid","email","profile"]`),
		FirstName:            "Ada",
		LastName:             "Lovelace",
		AvatarURL:            "https://img.example/" + strconv.Itoa(i) + ".png",
		VerificationStatus:   "verified",
		VerificationStrategy: SeedProvider(i),
		VerificationAttempts: 1,
		VerificationExpireAt: dbTime(created.Add(10 * time.Minute)),
		CreatedAt:            dbTime(created),
		UpdatedAt:            dbTime(created),
		Version:              1,
	}
}

// SeedAccounts inserts seeded accounts [from, to) into db's migrated
// tables and runs ANALYZE.
func SeedAccounts(ctx context.Context, db *bun.DB, from, to int) error {
	var err error
	if db.Dialect().Name().String() == "pg" {
		err = seedPostgres(ctx, db, from, to)
	} else {
		err = seedSQLite(ctx, db, from, to)
	}
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

func seedSQLite(ctx context.Context, db *bun.DB, from, to int) error {
	const rowsPerInsert, rowsPerTx = 500, 50_000
	for start := from; start < to; start += rowsPerTx {
		end := min(start+rowsPerTx, to)
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := start; i < end; i += rowsPerInsert {
				rows := make([]*accountRow, 0, rowsPerInsert)
				for j := i; j < min(i+rowsPerInsert, end); j++ {
					rows = append(rows, seedRow(j))
				}
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var seedColumns = []string{
	"id", "user_id", "identification_id", "provider", "provider_user_id",
	"email_address", "email_address_verified", "approved_scopes", "first_name",
	"last_name", "avatar_url", "username", "label", "verification_status",
	"verification_strategy", "verification_attempts", "verification_expire_at",
	"verification_redirect_url", "verification_flow_key", "created_at",
	"updated_at", "version",
}

func seedPostgres(ctx context.Context, db *bun.DB, from, to int) error {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{accountsTable}, seedColumns,
			pgx.CopyFromFunc(func() func() ([]any, error) {
				i := from
				return func() ([]any, error) {
					if i >= to {
						return nil, nil
					}
					r := seedRow(i)
					i++
					return []any{
						r.ID, r.UserID, r.IdentificationID, r.Provider, r.ProviderUserID.String,
						r.EmailAddress, *r.EmailAddressVerified, r.ApprovedScopes.String, r.FirstName,
						r.LastName, r.AvatarURL, r.Username, r.Label, r.VerificationStatus,
						r.VerificationStrategy, int32(r.VerificationAttempts), r.VerificationExpireAt.time(),
						r.VerificationRedirectURL, r.VerificationFlowKey, r.CreatedAt.time(),
						r.UpdatedAt.time(), r.Version,
					}, nil
				}
			}()))
		return err
	})
}

// SeedFlowKey is the state hash of the seeded flow for account i.
func SeedFlowKey(prefix string, i int) string { return prefix + "-" + seedHash("flow", i)[:40] }

// SeedFlows inserts one connect flow per account index, keyed by
// SeedFlowKey(prefix, i), expiring at expiresAt, with multi-row INSERTs in
// transactions, then runs ANALYZE.
func SeedFlows(ctx context.Context, db *bun.DB, prefix string, accounts []int, expiresAt time.Time) error {
	const rowsPerInsert = 500
	for start := 0; start < len(accounts); start += 50_000 {
		end := min(start+50_000, len(accounts))
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := start; i < end; i += rowsPerInsert {
				rows := make([]*flowRow, 0, rowsPerInsert)
				for _, a := range accounts[i:min(i+rowsPerInsert, end)] {
					row, err := toFlowRow(&account.Flow{
						StateHash:   SeedFlowKey(prefix, a),
						Kind:        account.FlowReauthorize,
						UserID:      SeedUser(a / 2),
						AccountID:   SeedID(a),
						Strategy:    verification.MustParseStrategy(SeedProvider(a)),
						Secrets:     []byte(seedHash("sealed", a)),
						RedirectURL: "/settings/accounts",
						Scopes:      []string{"openid", "email", "profile"},
						CreatedAt:   expiresAt.Add(-20 * time.Minute),
						ExpiresAt:   expiresAt,
					})
					if err != nil {
						return err
					}
					rows = append(rows, row)
				}
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	_, err := db.ExecContext(ctx, "ANALYZE")
	return err
}
