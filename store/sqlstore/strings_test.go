package sqlstore_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/verification"
)

// hostile are strings that break out of a SQL literal when a backslash is
// an escape character (standard_conforming_strings off): quotes,
// backslashes, dollar quotes, control characters (not NUL, which
// PostgreSQL text refuses) and non-ASCII.
var hostile = []string{
	`\`, `\'`, `'\`, `\\'; DROP TABLE tether_external_accounts; --`,
	`') OR 1=1 --`, `$$`, `$tag$ x $tag$`, "\t\r\n\x01\x1f\x7f",
	"ünïcödé ✓ 𝄞", `E'\x41'`, `%_\%`, `"double"`, "`back`",
}

// withOff adds options=-c standard_conforming_strings=off to a URL DSN.
func withOff(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("TETHER_POSTGRES_DSN must be a URL for this test: %v", err)
	}
	q := u.Query()
	q.Set("options", "-c standard_conforming_strings=off")
	// pgx reads '+' literally: spaces must be %20.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String()
}

// A *bun.DB the host opened itself on a connection with
// standard_conforming_strings off: Migrate and every method refuse to run
// (issue 10, item 1).
func TestPostgresUnsafeStringsRefused(t *testing.T) {
	dsn := withOff(t, withSearchPath(postgresDSN(t), "tether_unsafe_"+randomHex(4)))
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(stdlib.OpenDB(*cfg), pgdialect.New())
	defer db.Close()
	var setting string
	if err := db.QueryRow("SHOW standard_conforming_strings").Scan(&setting); err != nil || setting != "off" {
		t.Fatalf("the test connection has standard_conforming_strings %q (%v), want off", setting, err)
	}
	s, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); !errors.Is(err, sqlstore.ErrUnsafeStrings) || !strings.Contains(err.Error(), "standard_conforming_strings") {
		t.Fatalf("Migrate = %v, want ErrUnsafeStrings naming the setting", err)
	}
	_, err = s.GetAccount(t.Context(), "eac_x")
	if !errors.Is(err, sqlstore.ErrUnsafeStrings) || !errors.Is(err, verification.ErrInternal) {
		t.Fatalf("GetAccount = %v, want internal_error wrapping ErrUnsafeStrings", err)
	}
	err = s.CreateAccount(t.Context(), storeAccount(`\' OR 1=1 --`))
	if !errors.Is(err, sqlstore.ErrUnsafeStrings) {
		t.Fatalf("CreateAccount = %v, want ErrUnsafeStrings", err)
	}
}

func storeAccount(label string) *account.ExternalAccount {
	now := time.Now().UTC().Truncate(time.Millisecond)
	st := verification.MustParseStrategy("oauth_custom_strings")
	return &account.ExternalAccount{
		ID: account.NewID(account.AccountIDPrefix), UserID: account.NewID("user_"), IdentificationID: account.NewID(account.IdentificationIDPrefix),
		Provider: st, Label: label,
		Verification: verification.Verification{Status: verification.StatusUnverified, Strategy: st, ExpireAt: now.Add(time.Minute)},
		CreatedAt:    now, UpdatedAt: now,
	}
}

// postgres.Open turns standard_conforming_strings on for every connection,
// whatever the DSN asks, and every string field round-trips byte for byte
// (issue 10, item 1).
func TestPostgresOpenForcesSafeStrings(t *testing.T) {
	base := postgresDSN(t)
	schema := "tether_strings_" + randomHex(4)
	admin, err := postgres.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")

	db, err := postgres.Open(withOff(t, withSearchPath(base, schema)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(3)
	for range 3 { // several connections of the pool
		var setting string
		if err := db.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&setting); err != nil || setting != "on" {
			t.Fatalf("standard_conforming_strings = %q (%v), want on", setting, err)
		}
	}
	s := newStore(t, db, nil)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, h := range hostile {
		a := storeAccount(h)
		a.ProviderUserID = "sub" + h
		a.EmailAddress, a.FirstName, a.LastName, a.Username, a.AvatarURL = h+"@x", h, h, h, "https://x/"+h
		a.ApprovedScopes = []string{h, "openid"}
		a.PublicMetadata = map[string]any{h: h}
		a.Verification.Status = verification.StatusVerified
		a.Verification.ExternalVerificationRedirectURL = "https://idp/?q=" + h
		a.Verification.Error = verification.ErrAccessDenied.WithLongMessage(h).WithMeta("k", h)
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%q): %v", h, err)
		}
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatalf("GetAccount(%q): %v", h, err)
		}
		if got.Label != h || got.ProviderUserID != a.ProviderUserID || got.EmailAddress != a.EmailAddress ||
			got.FirstName != h || got.LastName != h || got.Username != h || got.AvatarURL != a.AvatarURL ||
			!reflect.DeepEqual(got.ApprovedScopes, a.ApprovedScopes) || !reflect.DeepEqual(got.PublicMetadata, a.PublicMetadata) ||
			got.Verification.ExternalVerificationRedirectURL != a.Verification.ExternalVerificationRedirectURL ||
			got.Verification.Error.LongMessage != h || got.Verification.Error.Meta["k"] != h {
			t.Fatalf("%q did not round-trip: %+v", h, got)
		}
		found, err := s.FindAccountByIdentity(ctx, a.Provider, a.ProviderUserID)
		if err != nil || found.ID != a.ID {
			t.Fatalf("FindAccountByIdentity(%q) = %v, %v", a.ProviderUserID, found, err)
		}
		list, err := s.ListAccounts(ctx, account.Query{UserID: a.UserID})
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("ListAccounts of %q's user = %d accounts, %v", h, len(list), err)
		}
		f := &account.Flow{StateHash: "h" + randomHex(8), Kind: account.FlowConnect, UserID: a.UserID, AccountID: a.ID,
			Strategy: a.Provider, RedirectURL: "/" + h, Secrets: []byte(h), LoginHint: h,
			CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Minute)}
		if err := s.SaveFlow(ctx, f); err != nil {
			t.Fatalf("SaveFlow(%q): %v", h, err)
		}
		gf, err := s.TakeFlow(ctx, f.StateHash)
		if err != nil || gf.RedirectURL != f.RedirectURL || string(gf.Secrets) != h || gf.LoginHint != h {
			t.Fatalf("flow with %q did not round-trip: %+v %v", h, gf, err)
		}
	}
}

// A pooled connection on which the host turned standard_conforming_strings
// off is not handed out again by postgres.Open's pool.
func TestPostgresPoolDropsUnsafeConnections(t *testing.T) {
	db, err := postgres.Open(postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "SET standard_conforming_strings = off"); err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := db.QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&setting); err != nil || setting != "on" {
		t.Fatalf("the next use of the pool got standard_conforming_strings %q (%v), want a fresh connection with on", setting, err)
	}
}
