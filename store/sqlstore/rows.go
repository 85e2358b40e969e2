package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Table names. Every table Tether owns starts with "tether_", so it can
// share a database (or a PostgreSQL schema) with the host's own tables.
const (
	accountsTable   = "tether_external_accounts"
	tokensTable     = "tether_external_account_tokens"
	flowsTable      = "tether_flows"
	migrationsTable = "tether_schema_migrations"
)

// Constraint and index names, as the migrations create them. PostgreSQL
// reports the name of the violated constraint; these are what the store
// maps to its sentinels.
const (
	identityIndex = "tether_external_accounts_identity_key"
	userIndex     = "tether_external_accounts_user_created"
)

// dbTime is a timestamp column: INTEGER Unix milliseconds on SQLite (exact,
// compact, and ordered like the times it holds, which TEXT times are not
// once their fractions vary in length) and timestamptz on PostgreSQL
// (microseconds). The zero time is NULL. Times are read back in UTC.
type dbTime time.Time

var (
	_ schema.QueryAppender = dbTime{}
	_ sql.Scanner          = (*dbTime)(nil)
)

// AppendQuery implements schema.QueryAppender: bun formats the value into
// the statement in the dialect's form.
func (t dbTime) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	tm := time.Time(t)
	if tm.IsZero() {
		return dialect.AppendNull(b), nil
	}
	if gen.Dialect().Name() == dialect.SQLite {
		return strconv.AppendInt(b, tm.UnixMilli(), 10), nil
	}
	return gen.Dialect().AppendTime(b, tm.UTC()), nil
}

// Scan implements sql.Scanner for both column types.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
	case int64:
		*t = dbTime(time.UnixMilli(v).UTC())
	case time.Time:
		*t = dbTime(v.UTC())
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

func (t dbTime) time() time.Time { return time.Time(t) }

// accountRow is one row of tether_external_accounts.
//
// The verification is spread over scalar columns (status, expiry and flow
// key stay queryable by an operator); only its error object, whose meta is
// open-ended, is JSON. Scopes and public metadata are JSON too: jsonb on
// PostgreSQL, TEXT on SQLite. Empty collections and a nil error are NULL.
type accountRow struct {
	bun.BaseModel `bun:"table:tether_external_accounts,alias:a"`

	ID                      string         `bun:"id,pk"`
	UserID                  string         `bun:"user_id"`
	IdentificationID        string         `bun:"identification_id"`
	Provider                string         `bun:"provider"`
	ProviderUserID          sql.NullString `bun:"provider_user_id"`
	EmailAddress            string         `bun:"email_address"`
	EmailAddressVerified    *bool          `bun:"email_address_verified"`
	ApprovedScopes          sql.NullString `bun:"approved_scopes"`
	FirstName               string         `bun:"first_name"`
	LastName                string         `bun:"last_name"`
	AvatarURL               string         `bun:"avatar_url"`
	Username                string         `bun:"username"`
	Label                   string         `bun:"label"`
	PublicMetadata          sql.NullString `bun:"public_metadata"`
	VerificationStatus      string         `bun:"verification_status"`
	VerificationStrategy    string         `bun:"verification_strategy"`
	VerificationAttempts    int            `bun:"verification_attempts"`
	VerificationExpireAt    dbTime         `bun:"verification_expire_at"`
	VerificationError       sql.NullString `bun:"verification_error"`
	VerificationRedirectURL string         `bun:"verification_redirect_url"`
	VerificationFlowKey     string         `bun:"verification_flow_key"`
	CreatedAt               dbTime         `bun:"created_at"`
	UpdatedAt               dbTime         `bun:"updated_at"`
	Version                 int64          `bun:"version"`
}

// updatableColumns are the columns UpdateAccount writes: all but id,
// user_id and created_at, which never change.
var updatableColumns = []string{
	"identification_id", "provider", "provider_user_id", "email_address",
	"email_address_verified", "approved_scopes", "first_name", "last_name",
	"avatar_url", "username", "label", "public_metadata",
	"verification_status", "verification_strategy", "verification_attempts",
	"verification_expire_at", "verification_error",
	"verification_redirect_url", "verification_flow_key", "updated_at",
	"version",
}

// jsonColumn encodes v as a JSON column, NULL when empty is true.
func jsonColumn(v any, empty bool) (sql.NullString, error) {
	if empty {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func toAccountRow(a *account.ExternalAccount) (*accountRow, error) {
	r := &accountRow{
		ID:                      a.ID,
		UserID:                  a.UserID,
		IdentificationID:        a.IdentificationID,
		Provider:                a.Provider.String(),
		ProviderUserID:          nullString(a.ProviderUserID),
		EmailAddress:            a.EmailAddress,
		FirstName:               a.FirstName,
		LastName:                a.LastName,
		AvatarURL:               a.AvatarURL,
		Username:                a.Username,
		Label:                   a.Label,
		VerificationStatus:      string(a.Verification.Status),
		VerificationStrategy:    a.Verification.Strategy.String(),
		VerificationAttempts:    a.Verification.Attempts,
		VerificationExpireAt:    dbTime(a.Verification.ExpireAt),
		VerificationRedirectURL: a.Verification.ExternalVerificationRedirectURL,
		VerificationFlowKey:     a.Verification.FlowKey,
		CreatedAt:               dbTime(a.CreatedAt),
		UpdatedAt:               dbTime(a.UpdatedAt),
		Version:                 a.Version,
	}
	if a.EmailAddressVerified != nil {
		v := *a.EmailAddressVerified
		r.EmailAddressVerified = &v
	}
	var err error
	if r.ApprovedScopes, err = jsonColumn(a.ApprovedScopes, len(a.ApprovedScopes) == 0); err != nil {
		return nil, fmt.Errorf("approved scopes: %w", err)
	}
	if r.PublicMetadata, err = jsonColumn(a.PublicMetadata, len(a.PublicMetadata) == 0); err != nil {
		return nil, fmt.Errorf("public metadata: %w", err)
	}
	// verification.Error's JSON form is Clerk's error object (code, message,
	// long_message, meta); its wrapped cause is deliberately not stored.
	if r.VerificationError, err = jsonColumn(a.Verification.Error, a.Verification.Error == nil); err != nil {
		return nil, fmt.Errorf("verification error: %w", err)
	}
	return r, nil
}

func (r *accountRow) account() (*account.ExternalAccount, error) {
	a := &account.ExternalAccount{
		ID:               r.ID,
		UserID:           r.UserID,
		IdentificationID: r.IdentificationID,
		ProviderUserID:   r.ProviderUserID.String,
		EmailAddress:     r.EmailAddress,
		FirstName:        r.FirstName,
		LastName:         r.LastName,
		AvatarURL:        r.AvatarURL,
		Username:         r.Username,
		Label:            r.Label,
		Verification: verification.Verification{
			Status:                          verification.Status(r.VerificationStatus),
			Attempts:                        r.VerificationAttempts,
			ExpireAt:                        r.VerificationExpireAt.time(),
			ExternalVerificationRedirectURL: r.VerificationRedirectURL,
			FlowKey:                         r.VerificationFlowKey,
		},
		CreatedAt: r.CreatedAt.time(),
		UpdatedAt: r.UpdatedAt.time(),
		Version:   r.Version,
	}
	if r.EmailAddressVerified != nil {
		v := *r.EmailAddressVerified
		a.EmailAddressVerified = &v
	}
	if err := a.Provider.UnmarshalText([]byte(r.Provider)); err != nil {
		return nil, fmt.Errorf("account %s: provider %q: %w", r.ID, r.Provider, err)
	}
	if err := a.Verification.Strategy.UnmarshalText([]byte(r.VerificationStrategy)); err != nil {
		return nil, fmt.Errorf("account %s: verification strategy %q: %w", r.ID, r.VerificationStrategy, err)
	}
	if r.ApprovedScopes.Valid {
		if err := json.Unmarshal([]byte(r.ApprovedScopes.String), &a.ApprovedScopes); err != nil {
			return nil, fmt.Errorf("account %s: approved scopes: %w", r.ID, err)
		}
	}
	if r.PublicMetadata.Valid {
		if err := json.Unmarshal([]byte(r.PublicMetadata.String), &a.PublicMetadata); err != nil {
			return nil, fmt.Errorf("account %s: public metadata: %w", r.ID, err)
		}
	}
	if r.VerificationError.Valid {
		a.Verification.Error = new(verification.Error)
		if err := json.Unmarshal([]byte(r.VerificationError.String), a.Verification.Error); err != nil {
			return nil, fmt.Errorf("account %s: verification error: %w", r.ID, err)
		}
	}
	return a, nil
}

// tokenRow is one row of tether_external_account_tokens: the sealed blob
// only, never a plaintext token.
type tokenRow struct {
	bun.BaseModel `bun:"table:tether_external_account_tokens,alias:t"`

	AccountID string `bun:"account_id,pk"`
	Sealed    []byte `bun:"sealed"`
	Version   int64  `bun:"version"`
	UpdatedAt dbTime `bun:"updated_at"`
}

func (r *tokenRow) tokens() *account.SealedTokens {
	return &account.SealedTokens{AccountID: r.AccountID, Blob: r.Sealed, Version: r.Version, UpdatedAt: r.UpdatedAt.time()}
}

// flowRow is one row of tether_flows: the key, the expiry, the user and
// the account as columns, and the whole account.Flow as a JSON payload in
// encoding/json's default form (field names as keys). A field added to
// Flow is stored without a migration; renaming one loses it only for the
// flows in flight across the deploy, which live for minutes.
type flowRow struct {
	bun.BaseModel `bun:"table:tether_flows,alias:f"`

	StateHash string `bun:"state_hash,pk"`
	UserID    string `bun:"user_id"`
	AccountID string `bun:"account_id"`
	Payload   string `bun:"payload"`
	CreatedAt dbTime `bun:"created_at"`
	ExpiresAt dbTime `bun:"expires_at"`
}

// flowColumns are the columns SaveFlow overwrites when it replaces an
// expired flow with the same key.
var flowColumns = []string{"user_id", "account_id", "payload", "created_at", "expires_at"}

func toFlowRow(f *account.Flow) (*flowRow, error) {
	payload, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	return &flowRow{
		StateHash: f.StateHash,
		UserID:    f.UserID,
		AccountID: f.AccountID,
		Payload:   string(payload),
		CreatedAt: dbTime(f.CreatedAt),
		ExpiresAt: dbTime(f.ExpiresAt),
	}, nil
}

func (r *flowRow) flow() (*account.Flow, error) {
	f := new(account.Flow)
	if err := json.Unmarshal([]byte(r.Payload), f); err != nil {
		return nil, fmt.Errorf("flow payload: %w", err)
	}
	// The columns are authoritative (and the times come back in UTC).
	f.StateHash, f.UserID, f.AccountID = r.StateHash, r.UserID, r.AccountID
	f.CreatedAt, f.ExpiresAt = r.CreatedAt.time(), r.ExpiresAt.time()
	return f, nil
}
