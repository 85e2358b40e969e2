package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/verification"
)

// TestExplainUsesIndexes asks each database how it runs the store's
// lookups, pages, TakeFlow and DeleteAbandoned's batch — the exact SQL the
// store sends, rendered by bun — on 5,000 analyzed verified accounts, 500
// abandoned ones (never verified, expired) spread among them, and 2,000
// flows, and requires one of the intended indexes and no full scan. Pages
// across users must need no sort on either database: they read an index in
// creation order and stop at the page's end. SQLite must not sort a user's
// accounts either; PostgreSQL's planner may prefer a bitmap index scan and
// sorting the user's few rows, which is fine.
func TestExplainUsesIndexes(t *testing.T) {
	const (
		pkey     = "tether_external_accounts_pkey"
		user     = "tether_external_accounts_user_created"
		identity = "tether_external_accounts_identity_key"
		created  = "tether_external_accounts_created"
		provider = "tether_external_accounts_provider_created"
		pending  = "tether_external_accounts_abandoned"
	)
	indexes := map[string]map[string][]string{
		"SQLite": {
			sqlstore.QueryGet:            {"sqlite_autoindex_tether_external_accounts_1"},
			sqlstore.QueryListByUser:     {user},
			sqlstore.QueryFindByIdentity: {identity},
			sqlstore.QueryTakeFlow:       {"sqlite_autoindex_tether_flows_1"},
			sqlstore.QueryGetFlow:        {"sqlite_autoindex_tether_flows_1"},
			sqlstore.QueryListAll:        {created},
			sqlstore.QueryListByProvider: {provider},
			sqlstore.QueryListUserStatus: {user},
			sqlstore.QueryListByStatus:   {created},
			sqlstore.QueryAbandoned:      {pending},
		},
		"PostgreSQL": {
			sqlstore.QueryGet:            {pkey},
			sqlstore.QueryListByUser:     {user},
			sqlstore.QueryFindByIdentity: {identity},
			sqlstore.QueryTakeFlow:       {"tether_flows_pkey"},
			sqlstore.QueryGetFlow:        {"tether_flows_pkey"},
			sqlstore.QueryListAll:        {created},
			// Either ordered index serves one provider's page: both read
			// in creation order without a sort.
			sqlstore.QueryListByProvider: {provider, created},
			sqlstore.QueryListUserStatus: {user},
			sqlstore.QueryListByStatus:   {created},
			sqlstore.QueryAbandoned:      {pending},
		},
	}
	// ordered are the pages across users, which must never sort.
	ordered := map[string]bool{sqlstore.QueryListAll: true, sqlstore.QueryListByProvider: true, sqlstore.QueryListByStatus: true}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			ctx := t.Context()
			if err := sqlstore.SeedAccounts(ctx, db, 0, 5000); err != nil {
				t.Fatalf("seed: %v", err)
			}
			s := newStore(t, db, nil)
			seedAbandoned(t, s, 500)
			flows := make([]int, 2000)
			for i := range flows {
				flows[i] = i
			}
			if err := sqlstore.SeedFlows(ctx, db, "explain", flows, time.Now().Add(time.Hour)); err != nil { // and ANALYZE
				t.Fatalf("seed flows: %v", err)
			}
			i := 3210
			queries := s.QueriesForExplain(sqlstore.SeedID(i), sqlstore.SeedUser(i/2),
				verification.MustParseStrategy(sqlstore.SeedProvider(i)), sqlstore.SeedSub(i), randomHex(32))
			for name, want := range indexes[b.name] {
				t.Run(name, func(t *testing.T) {
					plan := explain(t, ctx, db, queries[name])
					t.Logf("%s\n%s", queries[name], plan)
					used := false
					for _, index := range want {
						used = used || strings.Contains(plan, " "+index+" ") || strings.HasSuffix(plan, " "+index)
					}
					if !used {
						t.Errorf("plan uses none of %v", want)
					}
					bad := []string{"SCAN ", "Seq Scan", "TEMP B-TREE"}
					if ordered[name] {
						bad = append(bad, "Sort")
					}
					for _, bad := range bad {
						if strings.Contains(plan, bad) {
							t.Errorf("plan has %q", bad)
						}
					}
				})
			}
		})
	}
}

// seedAbandoned creates n accounts that were never verified and expired an
// hour ago, created among the seeded ones (one every 10th millisecond).
func seedAbandoned(t *testing.T, s *sqlstore.Store, n int) {
	t.Helper()
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // the seeded accounts'
	for i := range n {
		created := epoch.Add(time.Duration(10*i)*time.Millisecond + time.Microsecond*500)
		a := &account.ExternalAccount{
			ID: account.NewID(account.AccountIDPrefix), UserID: account.NewID("user_"), Provider: benchStrategy,
			Verification: verification.Verification{Status: verification.StatusUnverified, Strategy: benchStrategy,
				ExpireAt: time.Now().Add(-time.Hour)},
			CreatedAt: created, UpdatedAt: created,
		}
		if err := s.CreateAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
}

// explain returns the plan of query: EXPLAIN QUERY PLAN's details on
// SQLite, EXPLAIN's text on PostgreSQL.
func explain(t *testing.T, ctx context.Context, db *bun.DB, query string) string {
	t.Helper()
	prefix := "EXPLAIN "
	if db.Dialect().Name().String() == "sqlite" {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.QueryContext(ctx, prefix+query)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// The plan text is the last column (SQLite's "detail", PostgreSQL's
		// only one).
		switch v := vals[len(vals)-1].(type) {
		case string:
			lines = append(lines, v)
		case []byte:
			lines = append(lines, string(v))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
