package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
	"github.com/uptrace/bun"
	modernc "modernc.org/sqlite"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/postgres"
	"github.com/tetherauth/tether/verification"
)

// TestFaultDuringComplete takes the database down in the middle of
// account.Service.Complete — a real OpenID Connect flow against
// providertest through provider/oidc — and checks that Complete fails with
// store_unavailable, that once the database is back nothing is
// half-written (the account is as Connect left it, without identity or
// tokens), and that the verification can then be retried to success.
//
// What "down" is, per backend:
//   - SQLite: every connection of both pools is cut under the driver
//     (closed: SQLite rolls back what was not committed, as when a process
//     dies) and new connections are refused until the database is "up"
//     again; or, in the "closed" case, the *bun.DB is closed and the file
//     reopened afterwards, as a restarted process would.
//   - PostgreSQL: the store reaches the server through a TCP proxy; "down"
//     closes every proxied connection (the server sees its clients vanish
//     and aborts their transactions) and refuses new ones, which is what a
//     stopped server or a network partition looks like from the client;
//     or, in the "closed" case, the pool is closed and reopened.
//
// Where it goes down:
//   - at-get-flow: before the SELECT of the flow: the code is not redeemed,
//     so the same callback succeeds afterwards;
//   - during-exchange: after the provider answered, before the outcome is
//     written;
//   - at-take-flow: inside the outcome's transaction, before the DELETE of
//     the flow;
//   - inside-update: inside the outcome's transaction, after the account
//     row was updated and before the tokens were written;
//   - closed-during-exchange: as during-exchange, by closing the DB.
//
// In every case but the first the code was redeemed and the outcome's
// transaction is lost whole: the flow is still there, so the callback
// delivered again reaches it, gets the provider's refusal of a spent code,
// and leaves the account unverified with oauth_token_exchange_error and a
// fresh attempt, whose redirect URL then verifies it.
func TestFaultDuringComplete(t *testing.T) {
	idp := providertest.New(providertest.Config{})
	t.Cleanup(idp.Close)
	for _, b := range []struct {
		name string
		open func(t *testing.T) *faultDB
	}{
		{"SQLite", openFaultySQLite},
		{"PostgreSQL", openFaultyPostgres},
	} {
		t.Run(b.name, func(t *testing.T) {
			for i, tc := range []struct {
				name     string
				at       faultPoint
				close    bool
				redeemed bool // the code was redeemed before the fault
			}{
				{name: "at-get-flow", at: atGetFlow},
				{name: "during-exchange", at: duringExchange, redeemed: true},
				{name: "at-take-flow", at: atTakeFlow, redeemed: true},
				{name: "inside-update", at: insideUpdate, redeemed: true},
				{name: "closed-during-exchange", at: duringExchange, close: true, redeemed: true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					sub := b.name + "-" + tc.name + "-" + strconv.Itoa(i)
					idp.AddUser(providertest.User{Subject: sub, Email: sub + "@example.com", EmailVerified: new(true)})
					idp.SetLogin(sub)
					runFault(t, idp, b.open(t), tc.at, tc.close, tc.redeemed)
				})
			}
		})
	}
}

type faultPoint int

const (
	atGetFlow faultPoint = iota
	atTakeFlow
	duringExchange
	insideUpdate
)

// faultDB is a store database that a test can take down and bring back.
type faultDB struct {
	db   *bun.DB
	down func()
	up   func()
	// reopen opens the database anew after db was closed.
	reopen func(t *testing.T) *bun.DB
}

func runFault(t *testing.T, idp *providertest.Server, fdb *faultDB, at faultPoint, closeDB, redeemed bool) {
	ctx := t.Context()
	strategy := verification.MustParseStrategy("oauth_custom_dev")
	op, err := oidc.New(ctx, oidc.Config{Strategy: strategy, Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	var fail func() // takes the database down the way the case says
	if closeDB {
		fail = func() { fdb.db.Close() }
	} else {
		fail = fdb.down
	}
	hooked := &hookProvider{Provider: op}
	providers, err := provider.NewRegistry(hooked)
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	service := func(db *bun.DB) (*account.Service, *sqlstore.Store) {
		s := newStore(t, db, nil)
		svc, err := account.New(account.Config{
			Accounts: s, Flows: s, Providers: providers, Keyring: keyring,
			CallbackURL: "http://127.0.0.1/oauth_callback",
		})
		if err != nil {
			t.Fatal(err)
		}
		return svc, s
	}
	svc, store := service(fdb.db)

	const user = "user_fault"
	a, err := svc.Connect(ctx, account.ConnectParams{UserID: user, Strategy: strategy.String(), RedirectURL: "/settings", Binding: testBinding})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	callback := authorize(t, a.Verification.ExternalVerificationRedirectURL)

	// Arm the fault, then call back.
	var hook *faultHook
	switch at {
	case duringExchange:
		hooked.afterExchange.Store(&fail)
	case atGetFlow:
		hook = &faultHook{before: true, op: "SELECT", table: "tether_flows", fire: fail}
	case atTakeFlow:
		hook = &faultHook{before: true, op: "DELETE", table: "tether_flows", fire: fail}
	case insideUpdate:
		hook = &faultHook{op: "UPDATE", table: "tether_external_accounts", fire: fail}
	}
	if hook != nil {
		fdb.db.AddQueryHook(hook)
	}
	done, err := svc.Complete(ctx, callback)
	if !errors.Is(err, verification.ErrStoreUnavailable) || done != nil {
		t.Fatalf("Complete with the database going down = %+v, %v; want store_unavailable", done, err)
	}
	t.Logf("Complete: %v (cause: %v)", err, errors.Unwrap(err))
	if hook != nil && !hook.fired.Load() {
		t.Fatal("the fault never fired")
	}

	// The database comes back.
	if closeDB {
		svc, store = service(fdb.reopen(t))
	} else {
		fdb.up()
		if hook != nil {
			hook.fire = func() {}
		}
	}
	waitAvailable(t, store, a.ID)

	// Nothing half-written: the account is exactly as Connect left it.
	got, err := store.GetAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != a.Version || got.HasIdentity() || got.Verification.Status != verification.StatusUnverified ||
		got.Verification.FlowKey != a.Verification.FlowKey || got.Verification.Attempts != 0 {
		t.Fatalf("account half-written: version %d (want %d), identity %q, status %s, attempts %d, flow key changed %v",
			got.Version, a.Version, got.ProviderUserID, got.Verification.Status, got.Verification.Attempts, got.Verification.FlowKey != a.Verification.FlowKey)
	}
	if _, err := store.GetTokens(ctx, a.ID); !errors.Is(err, verification.ErrResourceNotFound) {
		t.Fatalf("tokens after the failed Complete: %v, want none", err)
	}

	// The callback delivered again.
	if redeemed {
		// The flow is still there; the provider refuses the spent code:
		// the user sees why and gets a fresh attempt at once.
		done, err := svc.Complete(ctx, callback)
		if !errors.Is(err, verification.ErrTokenExchange) || done == nil {
			t.Fatalf("callback delivered again = %+v, %v; want oauth_token_exchange_error with the account", done, err)
		}
		re := done.Account
		if re.Verification.Status != verification.StatusUnverified || re.Verification.Error == nil ||
			re.Verification.ExternalVerificationRedirectURL == "" || re.Verification.FlowKey == a.Verification.FlowKey ||
			re.Verification.Attempts != 1 {
			t.Fatalf("account after the callback delivered again: %s, error %v, attempts %d, fresh redirect URL %v; want unverified with the error and a fresh attempt",
				re.Verification.Status, re.Verification.Error, re.Verification.Attempts, re.Verification.FlowKey != a.Verification.FlowKey)
		}
		callback = authorize(t, re.Verification.ExternalVerificationRedirectURL)
	}
	done, err = svc.Complete(ctx, callback)
	if err != nil || !done.Account.Verified() {
		t.Fatalf("Complete after recovery = %+v, %v; want verified", done, err)
	}
	if _, err := store.GetTokens(ctx, a.ID); err != nil {
		t.Fatalf("tokens after the retried Complete: %v", err)
	}
	list, err := svc.List(ctx, user)
	if err != nil || len(list) != 1 || !list[0].Verified() {
		t.Fatalf("List = %d accounts, %v; want the one verified account", len(list), err)
	}
}

// authorize plays the browser at the provider and returns the callback.
func authorize(t *testing.T, authURL string) account.CallbackParams {
	t.Helper()
	cb, err := providertest.Authorize(t.Context(), nil, authURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	q := cb.Query()
	return account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Error: q.Get("error"), Binding: testBinding}
}

// waitAvailable polls until the store answers again: connections that
// died with the outage are found out and replaced on use, as a host's
// retries would.
func waitAvailable(t *testing.T, s *sqlstore.Store, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.GetAccount(t.Context(), id)
		if !errors.Is(err, verification.ErrStoreUnavailable) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not come back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hookProvider runs afterExchange, once, when the real provider has
// answered the token request.
type hookProvider struct {
	provider.Provider
	afterExchange atomic.Pointer[func()]
}

func (p *hookProvider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	id, tok, err := p.Provider.Exchange(ctx, req)
	if fn := p.afterExchange.Swap(nil); fn != nil {
		(*fn)()
	}
	return id, tok, err
}

// faultHook fires once, before or after the first statement of operation
// op on table.
type faultHook struct {
	before bool
	op     string
	table  string
	fire   func()
	fired  atomic.Bool
}

func (h *faultHook) match(e *bun.QueryEvent) bool {
	return strings.HasPrefix(e.Query, h.op) && strings.Contains(e.Query, `"`+h.table+`"`) && !h.fired.Swap(true)
}

func (h *faultHook) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if h.before && h.match(e) {
		h.fire()
	}
	return ctx
}

func (h *faultHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if !h.before && e.Err == nil && h.match(e) {
		h.fire()
	}
}

// SQLite: a driver whose connections can be cut.

func openFaultySQLite(t *testing.T) *faultDB {
	path := filepath.Join(t.TempDir(), "fault.db")
	sw := &faultSwitch{conns: map[*faultConn]struct{}{}}
	db, err := sqlite.Open(path, sqlite.Options{OpenDB: func(dsn string) (*sql.DB, error) {
		return sql.OpenDB(&faultConnector{dsn: dsn, sw: sw}), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return &faultDB{db: db, down: sw.down, up: sw.up, reopen: func(t *testing.T) *bun.DB {
		db, err := sqlite.Open(path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}}
}

var errRefused = errors.New("faultdriver: connection refused (simulated outage)")

// faultSwitch cuts every connection of its connectors and refuses new ones
// while it is down.
type faultSwitch struct {
	mu     sync.Mutex
	isDown bool
	conns  map[*faultConn]struct{}
}

func (s *faultSwitch) down() {
	s.mu.Lock()
	s.isDown = true
	conns := make([]*faultConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	clear(s.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.cut()
	}
}

func (s *faultSwitch) up() {
	s.mu.Lock()
	s.isDown = false
	s.mu.Unlock()
}

// faultConnector opens modernc.org/sqlite connections through the switch.
type faultConnector struct {
	dsn string
	sw  *faultSwitch
}

// sqliteConn is what modernc.org/sqlite's connections implement and
// database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnPrepareContext
	driver.Pinger
}

func (c *faultConnector) Connect(context.Context) (driver.Conn, error) {
	c.sw.mu.Lock()
	defer c.sw.mu.Unlock()
	if c.sw.isDown {
		return nil, errRefused
	}
	base, err := (&modernc.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	fc := &faultConn{base: base.(sqliteConn)}
	c.sw.conns[fc] = struct{}{}
	return fc, nil
}

func (c *faultConnector) Driver() driver.Driver { return &modernc.Driver{} }

// faultConn forwards to a SQLite connection until it is cut: then the
// connection is closed (SQLite rolls back its open transaction) and every
// use is driver.ErrBadConn, so database/sql discards it.
type faultConn struct {
	mu   sync.Mutex
	base sqliteConn
	dead bool
}

func (c *faultConn) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dead {
		c.dead = true
		c.base.Close()
	}
}

func (c *faultConn) do(fn func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return driver.ErrBadConn
	}
	return fn()
}

func (c *faultConn) Prepare(q string) (s driver.Stmt, err error) {
	return s, c.do(func() error { s, err = c.base.Prepare(q); return err })
}

func (c *faultConn) PrepareContext(ctx context.Context, q string) (s driver.Stmt, err error) {
	return s, c.do(func() error { s, err = c.base.PrepareContext(ctx, q); return err })
}

func (c *faultConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return nil
	}
	c.dead = true
	return c.base.Close()
}

func (c *faultConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *faultConn) BeginTx(ctx context.Context, opts driver.TxOptions) (tx driver.Tx, err error) {
	err = c.do(func() error { tx, err = c.base.BeginTx(ctx, opts); return err })
	if err != nil {
		return nil, err
	}
	return &faultTx{c: c, base: tx}, nil
}

func (c *faultConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (r driver.Result, err error) {
	return r, c.do(func() error { r, err = c.base.ExecContext(ctx, q, args); return err })
}

func (c *faultConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	var rows driver.Rows
	err := c.do(func() (err error) { rows, err = c.base.QueryContext(ctx, q, args); return err })
	if err != nil {
		return nil, err
	}
	return &faultRows{c: c, base: rows}, nil
}

func (c *faultConn) Ping(ctx context.Context) error {
	return c.do(func() error { return c.base.Ping(ctx) })
}

func (c *faultConn) ResetSession(context.Context) error { return c.do(func() error { return nil }) }

func (c *faultConn) IsValid() bool { return c.do(func() error { return nil }) == nil }

type faultTx struct {
	c    *faultConn
	base driver.Tx
}

func (t *faultTx) Commit() error   { return t.c.do(t.base.Commit) }
func (t *faultTx) Rollback() error { return t.c.do(t.base.Rollback) }

type faultRows struct {
	c    *faultConn
	base driver.Rows
}

func (r *faultRows) Columns() []string { return r.base.Columns() }

func (r *faultRows) Next(dest []driver.Value) error {
	return r.c.do(func() error { return r.base.Next(dest) })
}

func (r *faultRows) Close() error {
	err := r.c.do(r.base.Close)
	if errors.Is(err, driver.ErrBadConn) {
		return nil // closed with its connection
	}
	return err
}

// PostgreSQL: a TCP proxy in front of the server.

func openFaultyPostgres(t *testing.T) *faultDB {
	dsn := postgresDSN(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	schema := "tether_test_" + randomHex(6)
	admin, err := postgres.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	proxied := withSearchPath(withAddress(dsn, proxy.addr()), schema)
	open := func(t *testing.T) *bun.DB {
		db, err := postgres.Open(proxied)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open(t)
	migrate(t, db)
	return &faultDB{db: db, down: proxy.down, up: proxy.up, reopen: open}
}

// withAddress points a URL or key=value DSN at addr.
func withAddress(dsn, addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			panic(err)
		}
		u.Host = addr
		return u.String()
	}
	return dsn + " host=" + host + " port=" + port
}

// tcpProxy forwards connections to a server until it is down: then it
// closes every connection it carries and refuses new ones.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	isDown bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		ln.Close()
		p.down()
		p.wg.Wait()
	})
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.isDown {
			p.mu.Unlock()
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			client.Close()
			continue
		}
		p.conns[client], p.conns[server] = struct{}{}, struct{}{}
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			io.Copy(dst, src)
			dst.Close()
			src.Close()
		}
		p.wg.Go(func() { pipe(server, client) })
		p.wg.Go(func() { pipe(client, server) })
	}
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isDown = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *tcpProxy) up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isDown = false
}

// testBinding is the browser binding of the tests' one browser.
const testBinding = "sqlstore-test-browser"
