package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/store/sqlstore/sqlite"
)

// The database file holds sealed tokens and profiles: Open creates it
// readable by its owner only (issue 10, item 7).
func TestOpenCreatesAPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tether.db")
	db, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE x (y INTEGER)"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Fatalf("new database file has mode %o, want 600", mode)
	}
	// An existing file keeps the mode its owner gave it.
	other := filepath.Join(t.TempDir(), "shared.db")
	if err := os.WriteFile(other, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	db2, err := sqlite.Open(other, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if fi, _ := os.Stat(other); fi.Mode().Perm() != 0o640 {
		t.Fatalf("an existing file's mode changed to %o", fi.Mode().Perm())
	}
}

func TestOpenNeedsAFile(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db"} {
		if db, err := sqlite.Open(p, sqlite.Options{}); err == nil {
			db.Close()
			t.Errorf("Open(%q) accepted", p)
		}
	}
}
