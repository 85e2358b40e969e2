package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/verification"
)

// envServerBin names the redis-server binary the fault test starts and
// kills; redis-server on PATH when unset.
const envServerBin = "TETHER_REDIS_SERVER_BIN"

// stoppable is a Redis the fault test can stop and start again with its
// data.
type stoppable struct {
	name  string
	addr  string
	stop  func() // the server goes away, as in a crash
	start func() // it comes back with what it had acknowledged
}

// TestCompleteSurvivesServerStop stops the server in the middle of an
// account Service's Complete, before each of the round trips Complete makes
// (1 GetFlow, 2 the identity claim, 3 the account and tokens write, 4 the
// deletion of the flow). Before round trip 4, Complete fails with
// store_unavailable and, once the server is back, nothing is half-written
// (the account is still unverified with no tokens, and its identity belongs
// to nobody); the callback delivered again completes when the code was not
// redeemed yet (1), and otherwise gets the provider's refusal of a spent
// code with a fresh attempt, which verifies. Before round trip 4 the
// outcome is written: Complete verifies, and the callback delivered again
// is refused and removes the flow left over.
//
// It runs against miniredis (Close and Restart keep the data in memory)
// and against a redis-server the test starts itself with an append-only
// file fsynced at every write, killed with SIGKILL and restarted on its
// files: a real crash of the server.
func TestCompleteSurvivesServerStop(t *testing.T) {
	for step := 1; step <= 4; step++ {
		t.Run(fmt.Sprintf("miniredis/before round trip %d", step), func(t *testing.T) {
			mr, _ := startMiniredis(t)
			srv := stoppable{name: "miniredis", addr: mr.Addr(), stop: mr.Close, start: func() {
				if err := mr.Restart(); err != nil {
					t.Fatalf("miniredis restart: %v", err)
				}
			}}
			testStopDuringComplete(t, srv, step)
		})
		t.Run(fmt.Sprintf("redis-server/before round trip %d", step), func(t *testing.T) {
			testStopDuringComplete(t, startRedisServer(t), step)
		})
	}
}

// startRedisServer starts a redis-server with an append-only file fsynced
// at every write, or skips.
func startRedisServer(t *testing.T) stoppable {
	t.Helper()
	bin := os.Getenv(envServerBin)
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			t.Skip(envServerBin + " is not set and redis-server is not on PATH")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var mu sync.Mutex
	var cmd *exec.Cmd
	start := func() {
		mu.Lock()
		defer mu.Unlock()
		cmd = exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
			"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--logfile", "redis.log")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", bin, err)
		}
		rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer rdb.Close()
		for range 200 {
			if rdb.Ping(context.Background()).Err() == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("redis-server on %s did not answer", addr)
	}
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		if cmd == nil {
			return
		}
		_ = cmd.Process.Kill() // SIGKILL: a crash, nothing flushed on the way out
		_ = cmd.Wait()
		cmd = nil
	}
	start()
	t.Cleanup(stop)
	return stoppable{name: "redis-server", addr: addr, stop: stop, start: start}
}

// stopper is a go-redis hook that stops the server before the step'th
// round trip after it is armed, and lets that round trip go on (to fail).
type stopper struct {
	mu    sync.Mutex
	armed bool
	n     int
	step  int
	stop  func()
	hit   bool
}

func (h *stopper) arm(step int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed, h.n, h.step, h.hit = true, 0, step, false
}

func (h *stopper) tick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.armed {
		return
	}
	h.n++
	if h.n == h.step {
		h.stop()
		h.armed, h.hit = false, true
	}
}

func (h *stopper) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *stopper) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !connSetup(cmd) {
			h.tick()
		}
		return next(ctx, cmd)
	}
}

func (h *stopper) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !connSetup(cmds...) {
			h.tick()
		}
		return next(ctx, cmds)
	}
}

func testStopDuringComplete(t *testing.T, srv stoppable, step int) {
	ctx := t.Context()
	rdb := redis.NewClient(&redis.Options{Addr: srv.addr, DialerRetries: 2, DialerRetryTimeout: 10 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	stop := &stopper{stop: srv.stop}
	rdb.AddHook(stop)
	store := mustNew(rdb, redisstore.Options{})
	if err := redisstore.LoadScripts(ctx, store); err != nil {
		t.Fatal(err)
	}

	idp := providertest.New(providertest.Config{})
	t.Cleanup(idp.Close)
	sub := "248289761001"
	idp.AddUser(providertest.User{Subject: sub, Email: "ada@example.com"})
	idp.SetLogin(sub)
	strategy := verification.MustParseStrategy("oauth_custom_dev")
	dev, err := oidc.New(ctx, oidc.Config{Strategy: strategy, Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	providers, err := provider.NewRegistry(dev)
	if err != nil {
		t.Fatal(err)
	}
	keyring, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := account.New(account.Config{
		Accounts: store, Flows: store, Providers: providers, Keyring: keyring,
		CallbackURL:  "https://app.example/oauth_callback",
		WriteTimeout: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	callback := func(authURL string) account.CallbackParams {
		t.Helper()
		cb, err := providertest.Authorize(ctx, idp.Client(), authURL)
		if err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		q := cb.Query()
		return account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Binding: testBinding}
	}

	const user = "user_42"
	a, err := svc.Connect(ctx, account.ConnectParams{UserID: user, Strategy: strategy.String(), RedirectURL: "/settings", Binding: testBinding})
	if err != nil {
		t.Fatal(err)
	}
	params := callback(a.Verification.ExternalVerificationRedirectURL)

	// The server goes away in the middle of Complete.
	stop.arm(step)
	done, err := svc.Complete(ctx, params)
	if !stop.hit {
		t.Fatalf("Complete made fewer than %d round trips", step)
	}
	fresh := mustNew(rdb, redisstore.Options{})
	if step == 4 {
		// Only the flow's deletion failed: the outcome is written.
		if err != nil || !done.Account.Verified() {
			t.Fatalf("Complete with the server stopped before deleting the flow = %v, %v; want verified", done, err)
		}
		srv.start()
		if _, err := svc.Complete(ctx, params); !errors.Is(err, verification.ErrCallbackInvalid) {
			t.Fatalf("callback delivered again after its outcome was written: %v, want oauth_callback_invalid", err)
		}
	} else {
		if !errors.Is(err, verification.ErrStoreUnavailable) || done != nil {
			t.Fatalf("Complete with the server stopped = %v, %v; want store_unavailable and no completion", done, err)
		}
		srv.start()

		// Nothing is half-written.
		got, err := store.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatalf("GetAccount after restart: %v", err)
		}
		if got.Verified() || got.ProviderUserID != "" || got.Version != 1 {
			t.Fatalf("account after the failed Complete: %s, identity %q, version %d; want it unverified and unchanged",
				got.Verification.Status, got.ProviderUserID, got.Version)
		}
		if _, err := store.GetTokens(ctx, a.ID); !errors.Is(err, verification.ErrResourceNotFound) {
			t.Fatalf("tokens after the failed Complete: %v, want none", err)
		}
		// Stopped before its 3rd round trip, Complete had claimed the
		// identity (round trip 2) but not written the account: the claim
		// is there, and reads as nobody's.
		claimed, err := rdb.Exists(ctx, redisstore.DefaultPrefix+"identity:{"+strategy.String()+":"+sub+"}").Result()
		if err != nil || (claimed == 1) != (step == 3) {
			t.Fatalf("identity claim present = %d, %v; want %v", claimed, err, step == 3)
		}
		if _, err := fresh.FindAccountByIdentity(ctx, strategy, sub); !errors.Is(err, verification.ErrExternalAccountNotFound) {
			t.Fatalf("identity after the failed Complete: %v, want owned by nobody", err)
		}

		// The callback delivered again.
		done, err = svc.Complete(ctx, params)
		if step > 1 {
			// The code was redeemed: the provider refuses it again, and
			// the user gets a fresh attempt at once.
			checkCode(t, err, verification.ErrTokenExchange)
			if done == nil || done.Account.Verification.ExternalVerificationRedirectURL == "" {
				t.Fatalf("callback of a redeemed code = %v; want the account with a fresh attempt", done)
			}
			done, err = svc.Complete(ctx, callback(done.Account.Verification.ExternalVerificationRedirectURL))
		}
		if err != nil {
			t.Fatalf("Complete after the restart: %v", err)
		}
	}
	if _, err := fresh.GetAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := fresh.GetAccount(ctx, a.ID); !got.Verified() || got.ProviderUserID != sub {
		t.Fatalf("account after the retry: %s %q", got.Verification.Status, got.ProviderUserID)
	}
	owner, err := fresh.FindAccountByIdentity(ctx, strategy, sub)
	if err != nil || owner.ID != a.ID {
		t.Fatalf("FindAccountByIdentity = %v, %v; want %s", owner, err, a.ID)
	}
	list, err := fresh.ListAccounts(ctx, account.Query{UserID: user})
	if err != nil || len(list) != 1 || !list[0].Verified() {
		t.Fatalf("ListAccounts = %v, %v; want the verified account", list, err)
	}
	if _, err := fresh.GetTokens(ctx, a.ID); err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	// Exactly one account's keys: no flow, claim or index entry left over.
	keys := keysWithPrefix(t, rdb, redisstore.DefaultPrefix)
	for i, k := range keys {
		for from, to := range map[string]string{a.ID: "A", user: "U", sub: "SUB"} {
			k = strings.ReplaceAll(k, from, to)
		}
		keys[i] = k
	}
	slices.Sort(keys)
	want := []string{"account:{A}", "accounts:{all}", "accounts:{pending}", "identity:{oauth_custom_dev:SUB}", "tokens:{A}", "user:{U}"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys = %q, want %q", keys, want)
	}
}

// testBinding is the browser binding of the tests' one browser.
const testBinding = "redisstore-test-browser"
