package main

import (
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A store URL is shown on the page and written to the log: no secret may
// be left in it, wherever it sits (issue 10, item 7).
func TestRedactURL(t *testing.T) {
	const secret = "s3cr3t"
	for _, raw := range []string{
		"postgres://tether:" + secret + "@db.internal:5432/app?sslmode=require",
		"postgres://tether@db.internal/app?password=" + secret,
		"postgresql://db/app?sslpassword=" + secret + "&passfile=/home/" + secret + "&sslkey=/k/" + secret,
		"postgres://db/app?options=-c&PASSWORD=" + secret,
		"redis://:" + secret + "@cache:6379/0",
		"rediss://" + secret + "@cache:6379",
		"redis://cache:6379/0?token=" + secret + "#" + secret,
		"postgres://db/app?api_key=" + secret + "&client_secret=" + secret + "&auth=" + secret,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got := redactURL(u)
		if strings.Contains(got, secret) {
			t.Errorf("redactURL(%q) = %q keeps the secret", raw, got)
		}
		if !strings.Contains(got, u.Host) {
			t.Errorf("redactURL(%q) = %q lost the host", raw, got)
		}
	}
	u, _ := url.Parse("postgres://db/app?sslmode=verify-full&search_path=tether")
	if got := redactURL(u); !strings.Contains(got, "sslmode=verify-full") || !strings.Contains(got, "search_path=tether") {
		t.Errorf("redactURL hides settings that are not secret: %q", got)
	}
	// Of a URL in another shape, only the scheme is shown: an opaque URL,
	// and passwords with an unescaped '/', '#' or '?', which split the
	// userinfo and leave a piece of the password where a port goes.
	for _, raw := range []string{
		"postgres:tether:" + secret + "@db.internal/app",
		"postgres://tether:424242/" + secret + "@db.internal/app",
		"postgres://tether:424242#" + secret + "@db.internal/app",
		"redis://:424242?" + secret + "@cache:6379/0",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if got, want := redactURL(u), u.Scheme+":xxxxx"; got != want {
			t.Errorf("redactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TETHER_STORE is not shown by the usage message, which -h and every flag
// error print.
func TestUsageHidesStore(t *testing.T) {
	const store = "postgres://u:pw-one@db.internal/app?password=pw-two"
	env := func(k string) string {
		if k == "TETHER_STORE" {
			return store
		}
		return ""
	}
	for _, args := range [][]string{{"-h"}, {"-no-such-flag"}} {
		var out strings.Builder
		if _, err := parseConfig(args, env, &out); err == nil || !strings.Contains(out.String(), "-store") {
			t.Fatalf("%v: %v, usage:\n%s", args, err, out.String())
		}
		if strings.Contains(out.String(), "pw-") {
			t.Errorf("%v: the usage shows TETHER_STORE's secrets:\n%s", args, out.String())
		}
	}
	if cfg, err := parseConfig(nil, env, io.Discard); err != nil || cfg.Store != store {
		t.Errorf("TETHER_STORE without -store: %q, %v", cfg.Store, err)
	}
	if cfg, err := parseConfig([]string{"-store", "redis://cache/0"}, env, io.Discard); err != nil || cfg.Store != "redis://cache/0" {
		t.Errorf("-store over TETHER_STORE: %q, %v", cfg.Store, err)
	}
}

// A refused store URL's error names the store without its secrets.
func TestStoreErrorsRedacted(t *testing.T) {
	cfg := testConfig(t.TempDir())
	for _, store := range []string{
		"postgres://u:pw-one@127.0.0.1:1/db?password=pw-two&sslpassword=pw-three",
		"redis://:pw-one@127.0.0.1:1/0?password=pw-two",
		"mysql://u:pw-one@127.0.0.1/db?password=pw-two",
		"postgres:u:pw-one@127.0.0.1/db",
		"postgres://u:4242/pw-one@127.0.0.1/db",
		"host=127.0.0.1 user=u password=pw-one",
	} {
		cfg.Store = store
		_, err := openStores(t.Context(), cfg)
		if err == nil {
			t.Fatalf("%s opened", store)
		}
		if strings.Contains(err.Error(), "pw-") {
			t.Errorf("the error of %s shows a secret: %v", store, err)
		}
	}
}

// The key file opens every stored token: one that others may read is
// refused, one the demo creates is 0600.
func TestKeyFileMode(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	log := slog.New(slog.DiscardHandler)
	if _, err := loadKeyring(cfg, log); err != nil {
		t.Fatal(err)
	}
	path := keyFilePath(cfg.DB)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("created key file: %v, %v", fi.Mode().Perm(), err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o666, 0o620} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := loadKeyring(cfg, log)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a key file of mode %v was accepted: %v", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKeyring(cfg, log); err != nil {
		t.Fatalf("a key file of mode 0400: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tether-demo.db")); err == nil {
		if fi, _ := os.Stat(filepath.Join(dir, "tether-demo.db")); fi.Mode().Perm() != 0o600 {
			t.Errorf("database file mode %v", fi.Mode().Perm())
		}
	}
}
