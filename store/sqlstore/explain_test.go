package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/verification"
)

// TestExplainUsesIndexes asks each database how it runs the store's
// lookups and TakeFlow — the exact SQL the store sends, rendered by bun — on
// 5,000 analyzed accounts and 2,000 flows, and requires the intended index
// and no full scan. On SQLite the listing must also need no sort (it reads
// the index in creation order); PostgreSQL's planner may prefer a bitmap
// index scan and sorting the user's few rows, which is fine.
func TestExplainUsesIndexes(t *testing.T) {
	indexes := map[string]map[string]string{
		"SQLite": {
			sqlstore.QueryGet:            "sqlite_autoindex_tether_external_accounts_1",
			sqlstore.QueryListByUser:     "tether_external_accounts_user_created",
			sqlstore.QueryFindByIdentity: "tether_external_accounts_identity_key",
			sqlstore.QueryTakeFlow:       "sqlite_autoindex_tether_flows_1",
			sqlstore.QueryGetFlow:        "sqlite_autoindex_tether_flows_1",
			sqlstore.QueryListAll:        "tether_external_accounts_created",
			sqlstore.QueryListByProvider: "tether_external_accounts_provider_created",
			sqlstore.QueryListUserStatus: "tether_external_accounts_user_created",
			sqlstore.QueryAbandoned:      "tether_external_accounts_abandoned",
		},
		"PostgreSQL": {
			sqlstore.QueryGet:            "tether_external_accounts_pkey",
			sqlstore.QueryListByUser:     "tether_external_accounts_user_created",
			sqlstore.QueryFindByIdentity: "tether_external_accounts_identity_key",
			sqlstore.QueryTakeFlow:       "tether_flows_pkey",
			sqlstore.QueryGetFlow:        "tether_flows_pkey",
			sqlstore.QueryListAll:        "tether_external_accounts_created",
			// The planner picks either ordered index for one provider's
			// page: both read in creation order without a sort.
			sqlstore.QueryListByProvider: "tether_external_accounts_",
			sqlstore.QueryListUserStatus: "tether_external_accounts_user_created",
			sqlstore.QueryAbandoned:      "tether_external_accounts_abandoned",
		},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			ctx := t.Context()
			if err := sqlstore.SeedAccounts(ctx, db, 0, 5000); err != nil {
				t.Fatalf("seed: %v", err)
			}
			flows := make([]int, 2000)
			for i := range flows {
				flows[i] = i
			}
			if err := sqlstore.SeedFlows(ctx, db, "explain", flows, time.Now().Add(time.Hour)); err != nil {
				t.Fatalf("seed flows: %v", err)
			}
			s := newStore(t, db, nil)
			i := 3210
			queries := s.QueriesForExplain(sqlstore.SeedID(i), sqlstore.SeedUser(i/2),
				verification.MustParseStrategy(sqlstore.SeedProvider(i)), sqlstore.SeedSub(i), randomHex(32))
			for name, index := range indexes[b.name] {
				t.Run(name, func(t *testing.T) {
					plan := explain(t, ctx, db, queries[name])
					t.Logf("%s\n%s", queries[name], plan)
					if !strings.Contains(plan, index) {
						t.Errorf("plan does not use %s", index)
					}
					for _, bad := range []string{"SCAN ", "Seq Scan", "TEMP B-TREE"} {
						if strings.Contains(plan, bad) {
							t.Errorf("plan has %q", bad)
						}
					}
				})
			}
		})
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
