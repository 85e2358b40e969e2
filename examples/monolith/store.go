package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
)

// stores are the Service's stores and what the demo does with them.
type stores struct {
	accounts account.AccountStore
	flows    account.FlowStore
	// describe names the backend for the log and the page, without a
	// password.
	describe string
	close    func() error
}

// openStores opens the backend cfg names: the SQLite file cfg.DB, or the
// PostgreSQL or Redis server of cfg.Store. SQL schemas are migrated (an
// idempotent step, safe on every start). PostgreSQL and Redis need builds
// with the tags "postgres" (store_postgres.go) and "redis" (store_redis.go):
// the default build links only SQLite.
func openStores(ctx context.Context, cfg config) (*stores, error) {
	if cfg.Store == "" {
		db, err := sqlite.Open(cfg.DB, sqlite.Options{})
		if err != nil {
			return nil, fmt.Errorf("opening SQLite %s: %w", cfg.DB, err)
		}
		return sqlStores(ctx, db, "SQLite "+cfg.DB)
	}
	u, err := url.Parse(cfg.Store)
	if err != nil || u.Scheme == "" {
		// Not even echoed: a key=value DSN ("host=db password=…") is no URL.
		return nil, errors.New("-store: not a URL (want postgres://… or redis://…)")
	}
	describe := redactURL(u)
	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
		return openPostgres(ctx, cfg.Store, describe)
	case "redis", "rediss", "unix":
		return openRedis(ctx, cfg.Store, describe)
	default:
		return nil, fmt.Errorf("-store %s: want a postgres://, postgresql://, redis:// or rediss:// URL", describe)
	}
}

// sqlStores migrates db and returns a Store on it.
func sqlStores(ctx context.Context, db *bun.DB, describe string) (*stores, error) {
	s, err := sqlstore.New(db, sqlstore.Options{})
	if err == nil {
		mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = s.Migrate(mctx)
		cancel()
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%s: %w", describe, err)
	}
	return &stores{accounts: s, flows: s, describe: describe, close: db.Close}, nil
}

// secretParams are the query parameters whose values redactURL hides: any
// name containing one of these words (password, sslpassword, passfile,
// sslkey, token, client_secret, api_key, ...).
var secretParams = []string{"pass", "pwd", "secret", "token", "key", "cred", "auth", "sig"}

// redactURL returns u for the log and the page, without a secret wherever
// it sits: the userinfo password (and a user name, which may be an access
// key), query parameters that name a secret, and the fragment. A URL of
// another shape shows only its scheme: an opaque one ("postgres:u:pw@db")
// may hold anything, and an '@' after the host means that a password with
// an unescaped '/', '?' or '#' split the userinfo, leaving a piece of it in
// the host, the path or the query.
func redactURL(u *url.URL) string {
	if u.Opaque != "" || strings.Contains(u.Host+u.Path+u.RawPath+u.RawQuery+u.Fragment, "@") {
		return u.Scheme + ":xxxxx"
	}
	c := *u
	if c.User != nil {
		c.User = url.UserPassword("xxxxx", "xxxxx")
		if _, has := u.User.Password(); !has {
			c.User = url.User("xxxxx")
		}
	}
	q := c.Query()
	for name, vals := range q {
		lower := strings.ToLower(name)
		for _, w := range secretParams {
			if strings.Contains(lower, w) {
				for i := range vals {
					vals[i] = "xxxxx"
				}
				break
			}
		}
	}
	c.RawQuery = q.Encode()
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}
