package realflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// The crash test's child process reads what to do from these variables.
const (
	envChild    = "REALFLOW_CRASH_CHILD" // the step to die at
	envKind     = "REALFLOW_KIND"
	envLoc      = "REALFLOW_LOC"
	envIssuer   = "REALFLOW_ISSUER"
	envClient   = "REALFLOW_CLIENT" // id:secret
	envKey      = "REALFLOW_KEY"
	envCallback = "REALFLOW_CALLBACK" // the callback URL the provider redirected to
)

const (
	crashBinding = "realflow-browser"
	crashCB      = "http://127.0.0.1:1/oauth_callback"
	crashUser    = "user_crash"
)

// crashSteps are the points of a callback where the child dies, in order:
// each store's statements or round trips, with the provider's answer in
// between.
var crashSteps = map[string][]string{
	"SQL":   {"after-get-flow", "after-exchange", "after-delete-flow", "after-update-account", "after-tokens", "after-commit"},
	"Redis": {"after-get-flow", "after-exchange", "after-claim-identity", "after-account-write", "after-delete-flow"},
}

// TestCrashDuringCallback kills the process handling a callback with
// SIGKILL at each step of it, on SQLite, PostgreSQL and Redis, and checks
// that what is left is something the user can act on at once:
//
//   - delivered again, the callback either finds the account verified, or
//     verifies it, or reports a retryable error with a fresh attempt whose
//     redirect URL then verifies it;
//   - not delivered again, the account is verified, or its redirect URL
//     (the "Continue" link) leads to a flow that verifies it.
//
// Never an unverified account without error and a dead link. Each case
// runs in a child process (this test binary again) that completes the
// callback on the store the parent set up and dies at the step.
func TestCrashDuringCallback(t *testing.T) {
	for _, kind := range []string{"SQLite", "PostgreSQL", "Redis"} {
		family := "SQL"
		if kind == "Redis" {
			family = "Redis"
		}
		t.Run(kind, func(t *testing.T) {
			requireServer(t, kind)
			for _, step := range crashSteps[family] {
				for _, then := range []string{"delivered-again", "continue-link"} {
					t.Run(step+"/"+then, func(t *testing.T) { crashCase(t, kind, step, then) })
				}
			}
		})
	}
}

func crashCase(t *testing.T, kind, step, then string) {
	ctx := t.Context()
	be := newBackend(t, kind)
	idp := newIDP(t)
	key := account.GenerateKey("k1")
	kr, err := account.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := crashService(t, be, idp.Issuer(), idp.ClientID(), idp.ClientSecret(), kr, nil)
	sub := "crash-" + randomHex(4)
	login(idp, sub)
	a, err := svc.Connect(ctx, account.ConnectParams{UserID: crashUser, Strategy: strategy.String(), RedirectURL: "/settings", Binding: crashBinding})
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser()
	callback := authorize(t, br, a.Verification.ExternalVerificationRedirectURL)

	// The child completes the callback and dies at the step.
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(),
		envChild+"="+step, envKind+"="+kind, envLoc+"="+be.loc, envIssuer+"="+idp.Issuer(),
		envClient+"="+idp.ClientID()+":"+idp.ClientSecret(), envKey+"="+account.EncodeKey(key), envCallback+"="+callback)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed at %s: %v\n%s", step, err, out)
	}

	// A new process on the same store.
	svc = crashService(t, openBackend(t, kind, be.loc, false), idp.Issuer(), idp.ClientID(), idp.ClientSecret(), kr, nil)
	got, err := svc.Get(ctx, crashUser, a.ID)
	if err != nil {
		t.Fatalf("Get after the crash: %v", err)
	}
	t.Logf("after the crash at %s: %s, attempts %d, error %v", step, got.Verification.Status, got.Verification.Attempts, got.Verification.Error)
	if !got.Verified() && (got.Verification.Status != verification.StatusUnverified || got.Verification.ExternalVerificationRedirectURL == "") {
		t.Fatalf("after the crash the account is %s without a redirect URL: nothing the user can do", got.Verification.Status)
	}
	var next string // the redirect URL the user follows next, if any
	switch {
	case then == "delivered-again":
		done, err := svc.Complete(ctx, crashParams(t, callback))
		switch {
		case err == nil && done.Account.Verified():
		case errors.Is(err, verification.ErrCallbackInvalid) && done == nil:
			if !got.Verified() {
				t.Fatalf("the callback delivered again is refused, and the account is %s", got.Verification.Status)
			}
		case done != nil && done.Account.Verification.Status == verification.StatusUnverified &&
			done.Account.Verification.Error != nil && done.Account.Verification.ExternalVerificationRedirectURL != "":
			t.Logf("delivered again: %v; a fresh attempt", err)
			next = done.Account.Verification.ExternalVerificationRedirectURL
		default:
			t.Fatalf("the callback delivered again = %+v, %v: neither verified nor a fresh attempt", done, err)
		}
	case !got.Verified():
		next = got.Verification.ExternalVerificationRedirectURL // the Continue link
	}
	if next != "" {
		done, err := svc.Complete(ctx, crashParams(t, authorize(t, br, next)))
		if err != nil || !done.Account.Verified() {
			t.Fatalf("following the redirect URL = %+v, %v; want verified", done, err)
		}
	}
	final, err := svc.Get(ctx, crashUser, a.ID)
	if err != nil || !final.Verified() || final.ProviderUserID != sub {
		t.Fatalf("in the end: %v, %v; want verified as %s", final, err, sub)
	}
	tok, err := svc.AccessToken(ctx, crashUser, a.ID)
	if err != nil || tok.Token == "" {
		t.Fatalf("AccessToken in the end: %v", err)
	}
}

func crashParams(t *testing.T, callback string) account.CallbackParams {
	t.Helper()
	u, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	return account.CallbackParams{State: q.Get("state"), Code: q.Get("code"), Iss: q.Get("iss"), Error: q.Get("error"), Binding: crashBinding}
}

// crashService is a Service on be's store with the provider at issuer,
// wrapped by wrap when not nil.
func crashService(t *testing.T, be *backend, issuer, clientID, secret string, kr *account.Keyring, wrap func(provider.Provider) provider.Provider) *account.Service {
	t.Helper()
	reg := registry(t, issuer, clientID, secret, wrap)
	svc, err := account.New(account.Config{Accounts: be.store, Flows: be.store, Providers: reg, Keyring: kr, CallbackURL: crashCB})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestCrashChild is the child of TestCrashDuringCallback: it completes the
// callback and kills itself at the step. TestMain runs it only in a child.
func TestCrashChild(t *testing.T) {
	step := os.Getenv(envChild)
	if step == "" {
		t.Fatal("TestCrashChild runs only as the child of TestCrashDuringCallback (TestMain leaves it out)")
	}
	kind := os.Getenv(envKind)
	be := openBackend(t, kind, os.Getenv(envLoc), false)
	kr, err := account.ParseKeyring(os.Getenv(envKey))
	if err != nil {
		t.Fatal(err)
	}
	die := func(at string) {
		if at == step {
			fmt.Println("dying at", at)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
	armed := &atomic.Bool{}
	if be.db != nil {
		be.db.AddQueryHook(&crashSQLHook{armed: armed, die: die})
	} else {
		be.rdb.AddHook(&crashRedisHook{armed: armed, die: die})
	}
	id, secret, _ := strings.Cut(os.Getenv(envClient), ":")
	svc := crashService(t, be, os.Getenv(envIssuer), id, secret, kr, func(p provider.Provider) provider.Provider {
		return &crashProvider{Provider: p, die: die}
	})
	armed.Store(true)
	done, err := svc.Complete(context.Background(), crashParams(t, os.Getenv(envCallback)))
	t.Fatalf("the child reached the end of Complete without dying at %s: %+v, %v", step, done, err)
}

// crashProvider dies after the provider answered the code exchange.
type crashProvider struct {
	provider.Provider
	die func(string)
}

func (p *crashProvider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	id, tok, err := p.Provider.Exchange(ctx, req)
	p.die("after-exchange")
	return id, tok, err
}

// crashSQLHook dies after the statements of a callback.
type crashSQLHook struct {
	armed *atomic.Bool
	die   func(string)
}

func (h *crashSQLHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (h *crashSQLHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if !h.armed.Load() || e.Err != nil {
		return
	}
	q := e.Query
	switch {
	case strings.HasPrefix(q, "SELECT") && strings.Contains(q, `"tether_flows"`):
		h.die("after-get-flow")
	case strings.HasPrefix(q, "DELETE") && strings.Contains(q, `"tether_flows"`):
		h.die("after-delete-flow")
	case strings.HasPrefix(q, "UPDATE") && strings.Contains(q, `"tether_external_accounts"`):
		h.die("after-update-account")
	case strings.HasPrefix(q, "INSERT INTO tether_external_account_tokens"):
		h.die("after-tokens")
	case q == "COMMIT":
		h.die("after-commit")
	}
}

// crashRedisHook dies after the round trips of a callback: the flow read,
// the identity claim, the account write, the flow deletion.
type crashRedisHook struct {
	armed *atomic.Bool
	die   func(string)
	evals atomic.Int32
}

func (h *crashRedisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *crashRedisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if !h.armed.Load() {
			return err
		}
		switch cmd.Name() {
		case "get":
			h.die("after-get-flow")
		case "evalsha", "eval":
			if h.evals.Add(1) == 1 {
				h.die("after-claim-identity")
			} else {
				h.die("after-account-write")
			}
		case "getdel":
			h.die("after-delete-flow")
		}
		return err
	}
}

func (h *crashRedisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
