package realflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/tetherauth/tether/verification"
)

const (
	envPostgres = "TETHER_POSTGRES_DSN"
	envRedis    = "TETHER_REDIS_ADDR"
	userHeader  = "X-Test-User"
)

var strategy = verification.MustParseStrategy("oauth_custom_dev")

// stores is what a backend gives the Service.
type stores interface {
	account.AccountStore
	account.TokenStore
	account.FlowStore
}

// backend is one store under test, opened on a location another process
// can open again (a file, a schema, a key prefix).
type backend struct {
	kind  string // "SQLite", "PostgreSQL" or "Redis"
	loc   string // the file, the DSN with its search_path, or addr|prefix
	store stores
	db    *bun.DB       // SQL backends
	rdb   *redis.Client // Redis
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requireServer skips t when kind needs a server that is not configured.
func requireServer(t *testing.T, kind string) {
	t.Helper()
	switch {
	case kind == "PostgreSQL" && os.Getenv(envPostgres) == "":
		t.Skip(envPostgres + " is not set: PostgreSQL flows skipped (.ci/run starts a server and sets it)")
	case kind == "Redis" && os.Getenv(envRedis) == "":
		t.Skip(envRedis + " is not set: Redis flows skipped (.ci/run starts a server and sets it)")
	}
}

// newBackend creates an empty store of kind for tb, or skips tb when its
// server is not configured.
func newBackend(tb testing.TB, kind string) *backend {
	tb.Helper()
	switch kind {
	case "SQLite":
		return openBackend(tb, kind, filepath.Join(tb.TempDir(), "tether.db"), true)
	case "PostgreSQL":
		dsn := os.Getenv(envPostgres)
		if dsn == "" {
			tb.Skip(envPostgres + " is not set: PostgreSQL flows skipped (.ci/run starts a server and sets it)")
		}
		schema := "tether_realflow_" + randomHex(6)
		admin, err := postgres.Open(dsn)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { admin.Close() })
		if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				tb.Errorf("drop schema: %v", err)
			}
		})
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("%s is not a URL", envPostgres)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return openBackend(tb, kind, u.String(), true)
	case "memory":
		return &backend{kind: kind, store: memstore.New(memstore.Options{})}
	case "Redis":
		addr := os.Getenv(envRedis)
		if addr == "" {
			tb.Skip(envRedis + " is not set: Redis flows skipped (.ci/run starts a server and sets it)")
		}
		return openBackend(tb, kind, addr+"|realflow:"+randomHex(6)+":", true)
	}
	tb.Fatalf("unknown backend %q", kind)
	return nil
}

// openBackend opens the store of kind at loc, as a new process would.
func openBackend(tb testing.TB, kind, loc string, migrate bool) *backend {
	tb.Helper()
	b := &backend{kind: kind, loc: loc}
	var err error
	switch kind {
	case "SQLite":
		b.db, err = sqlite.Open(loc, sqlite.Options{})
	case "PostgreSQL":
		b.db, err = postgres.Open(loc)
	case "Redis":
		addr, prefix, _ := strings.Cut(loc, "|")
		b.rdb = redis.NewClient(&redis.Options{Addr: addr})
		tb.Cleanup(func() { b.rdb.Close() })
		b.store, err = redisstore.New(b.rdb, redisstore.Options{Prefix: prefix})
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.db.Close() })
	s, err := sqlstore.New(b.db, sqlstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if migrate {
		if err := s.Migrate(context.Background()); err != nil {
			tb.Fatal(err)
		}
	}
	b.store = s
	return b
}

// host is a Tether host: a Service on a backend and httpadapter's routes
// on a loopback server.
type host struct {
	svc *account.Service
	srv *httptest.Server
}

// newHost serves a Service on b with the provider of idp, wrapped by wrap
// when it is not nil.
func newHost(tb testing.TB, b *backend, idp *providertest.Server, kr *account.Keyring, wrap func(provider.Provider) provider.Provider) *host {
	tb.Helper()
	reg := registry(tb, idp.Issuer(), idp.ClientID(), idp.ClientSecret(), wrap)
	srv := httptest.NewUnstartedServer(nil)
	cb := "http://" + srv.Listener.Addr().String() + "/oauth_callback"
	svc, err := account.New(account.Config{
		Accounts: b.store, Flows: b.store, Providers: reg, Keyring: kr, CallbackURL: cb,
	})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := httpadapter.New(svc, httpadapter.Options{
		CallbackURL: cb,
		UserID:      func(r *http.Request) (string, error) { return r.Header.Get(userHeader), nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	tb.Cleanup(srv.Close)
	return &host{svc: svc, srv: srv}
}

// registry holds the OpenID Connect provider at issuer, wrapped by wrap
// when it is not nil.
func registry(tb testing.TB, issuer, clientID, secret string, wrap func(provider.Provider) provider.Provider) *provider.Registry {
	tb.Helper()
	var p provider.Provider
	p, err := oidc.New(context.Background(), oidc.Config{Strategy: strategy, Issuer: issuer, ClientID: clientID, ClientSecret: secret})
	if err != nil {
		tb.Fatal(err)
	}
	if wrap != nil {
		p = wrap(p)
	}
	reg, err := provider.NewRegistry(p)
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

func newKeyring(tb testing.TB) *account.Keyring {
	tb.Helper()
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		tb.Fatal(err)
	}
	return kr
}

// newIDP starts the provider every flow of a test goes to.
func newIDP(tb testing.TB) *providertest.Server {
	tb.Helper()
	idp := providertest.New(providertest.Config{})
	tb.Cleanup(idp.Close)
	return idp
}

// newBrowser is a user agent with a cookie jar that follows no redirect,
// so that each hop of a flow is one request.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// login makes sub a user of idp, signed in there.
func login(idp *providertest.Server, sub string) {
	idp.AddUser(providertest.User{Subject: sub, Email: sub + "@example.com", EmailVerified: new(true), Name: "Ada Lovelace"})
	idp.SetLogin(sub)
}

// connect posts the connect route as user and returns the provider's
// authorization URL the account carries.
func connect(tb testing.TB, br *http.Client, base, user string) (accountID, authURL string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/me/external_accounts",
		strings.NewReader(url.Values{"strategy": {strategy.String()}, "redirect_url": {"/settings"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(userHeader, user)
	resp, err := br.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		ID           string `json:"id"`
		Verification struct {
			URL string `json:"external_verification_redirect_url"`
		} `json:"verification"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK || a.Verification.URL == "" {
		tb.Fatalf("connect: %d, %v", resp.StatusCode, err)
	}
	return a.ID, a.Verification.URL
}

// authorize plays the browser at the provider and returns the callback
// URL it redirected to.
func authorize(tb testing.TB, br *http.Client, authURL string) string {
	tb.Helper()
	cb, err := providertest.Authorize(context.Background(), br, authURL)
	if err != nil {
		tb.Fatalf("authorize: %v", err)
	}
	return cb.String()
}

// get requests u and returns the status and Location.
func get(tb testing.TB, br *http.Client, u string, header http.Header) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := br.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// tetherFlow runs one connect flow of a new user and identity through h.
func tetherFlow(tb testing.TB, h *host, idp *providertest.Server, br *http.Client, n int) {
	sub := fmt.Sprintf("sub-%d-%s", n, randomHex(4))
	login(idp, sub)
	_, authURL := connect(tb, br, h.srv.URL, "user_"+sub)
	status, loc := get(tb, br, authorize(tb, br, authURL), nil)
	if status != http.StatusSeeOther || loc != "/settings" {
		tb.Fatalf("callback: %d to %q, want 303 to /settings", status, loc)
	}
}

// now is a wall clock at millisecond precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
