package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/verification"
)

// servingRe finds the URL in the "serving the Tether demo" log line.
var servingRe = regexp.MustCompile(`msg="serving the Tether demo" url=(http://\S+)/ `)

// TestRealMainDefaults runs main's wiring with the defaults, in a fresh
// working directory and an empty environment, on a free port: it serves the
// page, creates tether-demo.db and tether-demo.keys there, and stops cleanly.
func TestRealMainDefaults(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- realMain(ctx, []string{"-addr", "127.0.0.1:0"}, noEnv, io.Discard, log) }()

	var base string
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		if m := servingRe.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("realMain returned before serving: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not serving after 30s:\n%s", logs)
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="sign-in"`) {
		t.Errorf("GET /: %d\n%s", resp.StatusCode, body)
	}
	for _, f := range []string{"tether-demo.db", "tether-demo.keys"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the working directory has no %s: %v", f, err)
		}
	}
	if !strings.Contains(logs.String(), `callback_url=`+base+`/identity/oauth_callback`) {
		t.Errorf("the log does not name the callback URL:\n%s", logs)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("realMain: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("realMain did not return 30s after its context ended")
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", logs)
	}
}

// TestBinary builds the demo as `go run ./examples/monolith` would, runs it
// with defaults in a fresh working directory, and stops it with SIGINT.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	goBin := goCommand(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "monolith")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race") // reuse the packages this test was built with
	}
	build := exec.Command(goBin, append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Dir = work
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log strings.Builder
	var base string
	timeout := time.After(60 * time.Second)
	for base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the demo exited before serving: %v\n%s", cmd.Wait(), log.String())
			}
			log.WriteString(line + "\n")
			if m := servingRe.FindStringSubmatch(line + " "); m != nil {
				base = m[1]
			}
		case <-timeout:
			t.Fatalf("the demo did not serve within 60s:\n%s", log.String())
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /: %d", resp.StatusCode)
	}
	if fi, err := os.Stat(filepath.Join(work, "tether-demo.keys")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", fi, err)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for line := range lines {
		log.WriteString(line + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGINT: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", log.String())
	}
}

// goCommand returns the go command that built this test, or skips the test.
func goCommand(t *testing.T) string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		if goBin, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to build the demo with")
		}
	}
	return goBin
}

// runTagged runs tests of this package in a build with tag, in a `go test`
// subprocess (with -race when this one has it), and fails unless each
// passes. It skips with -short.
func runTagged(t *testing.T, tag string, tests ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go test -tags " + tag + " in a subprocess; skipped with -short")
	}
	args := []string{"test", "-tags", tag, "-count=1", "-v", "-run", "^(" + strings.Join(tests, "|") + ")$"}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command(goCommand(t), append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go test -tags %s: %v\n%s", tag, err, out)
	}
	for _, name := range tests {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Fatalf("go test -tags %s did not pass %s:\n%s", tag, name, out)
		}
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "--- ") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// cleanEnv is the test's environment without the variables the demo reads.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TETHER_"), strings.HasPrefix(name, "OIDC_"),
			strings.HasPrefix(name, "GOOGLE_"), strings.HasPrefix(name, "GITHUB_"):
			continue
		}
		env = append(env, kv)
	}
	return env
}

func TestParseConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	t.Run("defaults", func(t *testing.T) {
		cfg, err := parseConfig(nil, noEnv, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != "127.0.0.1:8080" || cfg.BaseURL != "" || cfg.DB != "tether-demo.db" || cfg.Store != "" ||
			cfg.Google.set() || cfg.GitHub.set() || cfg.OIDC.Issuer != "" {
			t.Errorf("defaults: %+v", cfg)
		}
	})
	t.Run("environment", func(t *testing.T) {
		cfg, err := parseConfig(nil, env(
			"TETHER_DB", "/data/x.db", "TETHER_STORE", "redis://localhost:6379/0",
			"GOOGLE_CLIENT_ID", "g", "GOOGLE_CLIENT_SECRET", "gs",
			"OIDC_ISSUER", "https://idp.example.com", "OIDC_CLIENT_ID", "c", "OIDC_CLIENT_SECRET", "s",
			"OIDC_SLUG", "corp", "OIDC_SCOPES", "openid  email groups",
		), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.DB != "/data/x.db" || cfg.Store != "redis://localhost:6379/0" || cfg.Google != (credentials{"g", "gs"}) {
			t.Errorf("environment: %+v", cfg)
		}
		if cfg.OIDC.Strategy.String() != "oauth_custom_corp" || strings.Join(cfg.OIDC.Scopes, ",") != "openid,email,groups" {
			t.Errorf("OIDC: %+v", cfg.OIDC)
		}
	})
	t.Run("flags win", func(t *testing.T) {
		cfg, err := parseConfig([]string{"-db", "flag.db", "-store", "", "-addr", ":9000", "-base-url", "https://demo.example.com/"},
			env("TETHER_DB", "env.db", "TETHER_STORE", "redis://x"), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.DB != "flag.db" || cfg.Store != "" || cfg.Addr != ":9000" || cfg.BaseURL != "https://demo.example.com" {
			t.Errorf("flags: %+v", cfg)
		}
	})
	t.Run("default OIDC slug", func(t *testing.T) {
		cfg, err := parseConfig(nil, env("OIDC_ISSUER", "https://idp.example.com", "OIDC_CLIENT_ID", "c", "OIDC_CLIENT_SECRET", "s"), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.OIDC.Strategy.String() != "oauth_custom_oidc" || len(cfg.OIDC.Scopes) != 0 {
			t.Errorf("OIDC: %+v", cfg.OIDC)
		}
	})
	if _, err := parseConfig([]string{"-h"}, noEnv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"base URL with a path", []string{"-base-url", "https://example.com/app"}, noEnv, "-base-url"},
		{"base URL not http", []string{"-base-url", "ftp://example.com"}, noEnv, "-base-url"},
		{"base URL relative", []string{"-base-url", "/x"}, noEnv, "-base-url"},
		{"empty db", []string{"-db", ""}, noEnv, "-db"},
		{"extra argument", []string{"serve"}, noEnv, "unexpected"},
		{"short session key", nil, env("TETHER_SESSION_KEY", "short"), "TETHER_SESSION_KEY"},
		{"Google without secret", nil, env("GOOGLE_CLIENT_ID", "x"), "GOOGLE_CLIENT_SECRET"},
		{"GitHub without id", nil, env("GITHUB_CLIENT_SECRET", "x"), "GITHUB_CLIENT_ID"},
		{"OIDC without issuer", nil, env("OIDC_CLIENT_ID", "x"), "OIDC_ISSUER"},
		{"OIDC without credentials", nil, env("OIDC_ISSUER", "https://idp.example.com"), "OIDC_CLIENT_ID"},
		{"OIDC bad slug", nil, env("OIDC_ISSUER", "https://i", "OIDC_CLIENT_ID", "c", "OIDC_CLIENT_SECRET", "s", "OIDC_SLUG", "Not Valid"), "OIDC_SLUG"},
		{"OIDC dev slug", nil, env("OIDC_ISSUER", "https://i", "OIDC_CLIENT_ID", "c", "OIDC_CLIENT_SECRET", "s", "OIDC_SLUG", "dev"), "dev provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, tc.env, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one that mentions %q", err, tc.want)
			}
		})
	}
}

// TestStartupErrors checks that a bad store or key configuration stops the
// demo with an error that says what is wrong, without serving.
func TestStartupErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*testing.T, *config)
		want   string
	}{
		{"bad TETHER_KEYS", func(_ *testing.T, c *config) { c.Keys = "not a keyring" }, "TETHER_KEYS"},
		{"key file others may read", func(t *testing.T, c *config) {
			// A key file made by hand, or copied, with the usual umask.
			path := keyFilePath(c.DB)
			if err := os.WriteFile(path, []byte(account.EncodeKey(account.GenerateKey("k1"))+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "chmod 600"},
		{"unknown store", func(_ *testing.T, c *config) { c.Store = "mysql://u:secret@localhost/db" }, "want a postgres://"},
		{"Redis down", func(_ *testing.T, c *config) { c.Store = "redis://:secret@127.0.0.1:1/0" }, map[bool]string{
			true:  "Redis does not answer",
			false: "go run -tags redis ./examples/monolith", // the remedy
		}[redisSupport]},
		{"unreachable OIDC issuer", func(_ *testing.T, c *config) {
			c.OIDC = genericOIDC{Issuer: "http://127.0.0.1:1/idp", ClientID: "c", ClientSecret: "s", Strategy: verification.MustParseStrategy("oauth_custom_oidc")}
		}, "OIDC_ISSUER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t.TempDir())
			tc.change(t, &cfg)
			ln, err := netListen(t)
			if err != nil {
				t.Fatal(err)
			}
			err = run(context.Background(), cfg, ln, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run: %v, want an error that mentions %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the store's password: %v", err)
			}
		})
	}
}

// TestStoreRedis runs a connection through the demo with -store pointing at
// Redis: miniredis, and the real server of TETHER_REDIS_ADDR when set.
// Redis support needs the build tag "redis"; without it, this test runs
// itself with the tag in a subprocess, so that plain `go test ./...` covers
// store_redis.go too.
func TestStoreRedis(t *testing.T) {
	if !redisSupport {
		runTagged(t, "redis", "TestStoreRedis")
		return
	}
	t.Run("miniredis", func(t *testing.T) {
		// With a password, which the page and the log must not show.
		mr := miniredis.RunT(t)
		pw := "pw-" + rand8()
		mr.RequireAuth(pw)
		connectThrough(t, "redis://:"+pw+"@"+mr.Addr()+"/0")
	})
	t.Run("server", func(t *testing.T) {
		addr := os.Getenv("TETHER_REDIS_ADDR")
		if addr == "" {
			t.Skip("TETHER_REDIS_ADDR is not set (host:port of a redis-server)")
		}
		connectThrough(t, "redis://"+addr+"/0")
	})
}

// TestStorePostgres runs a connection through the demo with -store pointing
// at the PostgreSQL server of TETHER_POSTGRES_DSN, in a schema of its own.
//
// PostgreSQL support needs the build tag "postgres"; without it, a
// postgres:// store is refused with a message that says so, and this test
// runs itself with the tag in a subprocess.
func TestStorePostgres(t *testing.T) {
	dsn := os.Getenv("TETHER_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("TETHER_POSTGRES_DSN is not set: PostgreSQL tests skipped (.ci/run starts a server and sets it)")
	}
	if !postgresSupport {
		cfg := testConfig(t.TempDir())
		cfg.Store = "postgres://u:secret@127.0.0.1:1/db"
		if _, err := openStores(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "-tags postgres") || strings.Contains(err.Error(), "secret") {
			t.Fatalf("a postgres:// store in a build without PostgreSQL: %v", err)
		}
		runTagged(t, "postgres", "TestStorePostgres")
		return
	}
	admin, err := postgres.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the schema is dropped
	schema := "monolith_" + strings.ToLower(strings.ReplaceAll(rand8(), "-", "_"))
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("TETHER_POSTGRES_DSN must be a postgres:// URL here: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// pgx takes the password from the query too; the server trusts
	// loopback, so it is ignored, but the page and the log must not show it.
	// Nor the password of a client key (unused: sslmode is disable).
	q.Set("password", "s3cr3t-in-the-query")
	q.Set("sslpassword", "s3cr3t-of-the-key")
	u.RawQuery = q.Encode()
	connectThrough(t, u.String())
}

// connectThrough connects and verifies an account with the demo running on
// store, and checks it is listed.
func connectThrough(t *testing.T, store string) {
	t.Helper()
	cfg := testConfig(t.TempDir())
	cfg.Store = store
	ts := startServer(t, cfg)
	b := newBrowser(t, ts.URL)
	// The signed-out page names the store, without its secrets.
	_, page := b.do("GET", "/", nil)
	su, _ := url.Parse(store)
	if !strings.Contains(page, su.Hostname()) {
		t.Errorf("the page does not name the store %s", su.Hostname())
	}
	secrets := []string{su.Query().Get("password"), su.Query().Get("sslpassword")}
	if su.User != nil {
		pw, _ := su.User.Password()
		secrets = append(secrets, pw)
	}
	for _, sec := range secrets {
		if sec != "" && (strings.Contains(page, sec) || strings.Contains(ts.Log.String(), sec)) {
			t.Errorf("the page or the log shows the store's secret %q", sec)
		}
	}
	b.login("lin")
	sub := "lin-" + rand8()
	a := b.connect("oauth_custom_dev", nil)
	b.submit(b.openProvider(a.Verification.ExternalVerificationRedirectURL), "approve",
		devIdentity{Sub: sub, Email: "lin@example.com", EmailVerified: true})
	got := find(t, b.accounts(), a.ID)
	if got.Verification.Status != verification.StatusVerified || got.ProviderUserID != sub {
		t.Fatalf("on %s: %s %q, want verified %s", store, got.Verification.Status, got.ProviderUserID, sub)
	}
	b.api("DELETE", "/me/external_accounts/"+a.ID, nil, http.StatusOK, nil)
	if _, err := os.Stat(cfg.DB); err == nil {
		t.Errorf("with -store, the SQLite file %s was created anyway", cfg.DB)
	}
}
