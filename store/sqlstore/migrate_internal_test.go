package sqlstore

import (
	"strings"
	"testing"
)

func TestMigrationsMatchSchemaVersion(t *testing.T) {
	for _, dir := range []string{"sqlite", "postgres"} {
		migs, err := loadMigrations(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(migs) != SchemaVersion {
			t.Errorf("%s: %d migrations, SchemaVersion is %d", dir, len(migs), SchemaVersion)
		}
		for _, m := range migs {
			for _, stmt := range m.statements {
				if !strings.Contains(stmt, "tether_") {
					t.Errorf("%s %s: statement touches no tether_ table: %s", dir, m.name, stmt)
				}
			}
		}
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- header; with a semicolon\n\nCREATE TABLE a (x int);\n-- only a comment\n;\nCREATE INDEX i ON a (x);\n")
	want := []string{"CREATE TABLE a (x int)", "CREATE INDEX i ON a (x)"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statement %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestOneStatementPerPart guards the splitter's rule: a statement ends with
// a semicolon at the end of a line, so no part holds two.
func TestOneStatementPerPart(t *testing.T) {
	for _, dir := range []string{"sqlite", "postgres"} {
		migs, err := loadMigrations(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range migs {
			for _, stmt := range m.statements {
				if strings.Count(stmt, ";") > 0 {
					t.Errorf("%s %s: a part holds a semicolon, so perhaps two statements: %s", dir, m.name, stmt)
				}
			}
		}
	}
}
