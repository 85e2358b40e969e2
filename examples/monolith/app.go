package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
)

// tetherPrefix is where Tether's routes are mounted.
const tetherPrefix = "/identity"

// app is the demo, wired: the host's pages and sessions, Tether's Service
// and HTTP handler, the dev provider. Build it with newApp.
type app struct {
	callbackURL string
	log         *slog.Logger
	stores      *stores
	svc         *account.Service
	sessions    *sessions
	dev         *providertest.Handler
	buttons     []providerButton
	handler     http.Handler
	stopTracing func(context.Context) error

	// names are the usernames signed in since the start, so that a sign-up
	// does not take the name of a user without external accounts.
	namesMu sync.Mutex
	names   map[string]bool
}

func (a *app) seen(name string) bool {
	a.namesMu.Lock()
	defer a.namesMu.Unlock()
	return a.names[name]
}

func (a *app) remember(name string) {
	a.namesMu.Lock()
	defer a.namesMu.Unlock()
	if a.names == nil {
		a.names = map[string]bool{}
	}
	if len(a.names) < 100_000 {
		a.names[name] = true
	}
}

// providerButton is one "Connect" button of the page.
type providerButton struct {
	Strategy string
	Title    string
	// Dev marks the offline dev provider, whose form the page prefills
	// with the signed-in user.
	Dev bool
}

// newApp wires the demo for a server reached at baseURL (an origin without
// a trailing slash). Close it when done.
func newApp(ctx context.Context, cfg config, baseURL string, log *slog.Logger) (a *app, err error) {
	a = &app{
		callbackURL: baseURL + tetherPrefix + httpadapter.CallbackPath,
		log:         log,
	}
	var key []byte
	if cfg.SessionKey != "" {
		key = []byte(cfg.SessionKey)
	} else {
		log.Info("sessions are signed with a random key: they end when the server stops (set TETHER_SESSION_KEY to keep them)")
	}
	a.sessions = newSessions(key, strings.HasPrefix(baseURL, "https://"))
	tp, stopTracing, err := tracing(cfg)
	if err != nil {
		return nil, err
	}
	a.stopTracing = stopTracing

	keyring, err := loadKeyring(cfg, log)
	if err != nil {
		return nil, err
	}

	st, err := openStores(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = st.close()
		}
	}()
	a.stores = st

	dev, devProvider, err := newDevProvider(ctx, baseURL, a.callbackURL, log)
	if err != nil {
		return nil, err
	}
	a.dev = dev
	ps := []provider.Provider{devProvider}
	configured, err := realProviders(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	ps = append(ps, configured...)
	registry, err := provider.NewRegistry(ps...)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		a.buttons = append(a.buttons, providerButton{
			Strategy: p.Strategy().String(),
			Title:    p.Metadata().Title,
			Dev:      p.Strategy() == devStrategy,
		})
	}

	a.svc, err = account.New(account.Config{
		Accounts:    a.stores.accounts,
		Flows:       a.stores.flows,
		Providers:   registry,
		Keyring:     keyring,
		CallbackURL: a.callbackURL,
		Logger:      log,
		// Set with -trace-stdout (a build with -tags trace).
		TracerProvider: tp,
	})
	if err != nil {
		return nil, err
	}
	api, err := httpadapter.New(a.svc, httpadapter.Options{
		CallbackURL:            a.callbackURL,
		UserID:                 a.sessions.userID,
		AllowedRedirectOrigins: []string{baseURL},
		Prefix:                 tetherPrefix,
		Logger:                 log,
		SignIn: httpadapter.SignInOptions{
			StartSession: a.startSession,
			CreateUser:   a.createUser,
			// A demo is driven from one machine, by people and by scripts:
			// a generous limit that still bounds what anyone can make it
			// store.
			Allow: httpadapter.PerClientLimit(300, 100*time.Millisecond),
		},
	})
	if err != nil {
		return nil, err
	}

	// The host's own forms get the same cross-origin protection as Tether's
	// routes: a login form posted from another site is refused.
	cop := http.NewCrossOriginProtection()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.Handle("POST /login", cop.Handler(http.HandlerFunc(a.login)))
	mux.Handle("POST /logout", cop.Handler(http.HandlerFunc(a.logout)))
	mux.Handle("GET /static/", staticFiles())
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle(tetherPrefix+"/", api)
	mux.Handle(devPath+"/", http.StripPrefix(devPath, dev))
	a.handler = logRequests(log, mux)

	strategies := make([]string, 0, len(ps))
	for _, p := range ps {
		strategies = append(strategies, p.Strategy().String())
	}
	log.Info("Tether is ready", "store", a.stores.describe, "providers", strings.Join(strategies, " "),
		"callback_url", a.callbackURL)
	return a, nil
}

// Close releases the stores.
func (a *app) Close() error {
	_ = a.stopTracing(context.Background())
	return a.stores.close()
}

// realProviders builds the providers configured by the environment. Only
// the generic OpenID Connect provider does I/O here: its discovery.
func realProviders(ctx context.Context, cfg config, log *slog.Logger) ([]provider.Provider, error) {
	var ps []provider.Provider
	add := func(name string, build func() (provider.Provider, error)) error {
		p, err := build()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		log.Info("provider enabled", "strategy", p.Strategy().String(), "title", p.Metadata().Title)
		ps = append(ps, p)
		return nil
	}
	if cfg.Google.set() {
		if err := add("Google (GOOGLE_CLIENT_ID)", func() (provider.Provider, error) { return newGoogle(cfg.Google) }); err != nil {
			return nil, err
		}
	}
	if cfg.GitHub.set() {
		if err := add("GitHub (GITHUB_CLIENT_ID)", func() (provider.Provider, error) { return newGitHub(cfg.GitHub) }); err != nil {
			return nil, err
		}
	}
	if cfg.OIDC.Issuer != "" {
		if err := add("OpenID Connect (OIDC_ISSUER)", func() (provider.Provider, error) { return newGenericOIDC(ctx, cfg.OIDC) }); err != nil {
			return nil, err
		}
	}
	return ps, nil
}
