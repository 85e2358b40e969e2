//go:build redis

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/store/redisstore"
)

// redisSupport says whether this build can use Redis: built with -tags redis.
const redisSupport = true

// openRedis opens the Redis server of a redis://, rediss:// or unix:// URL
// and checks that it answers. Redis expires flows itself: no cleanup.
func openRedis(ctx context.Context, rawURL, describe string) (*stores, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("-store %s: %w", describe, err)
	}
	rdb := redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("-store %s: Redis does not answer: %w", describe, err)
	}
	s, err := redisstore.New(rdb, redisstore.Options{})
	if err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("-store %s: %w", describe, err)
	}
	return &stores{accounts: s, flows: s, describe: "Redis " + describe, close: rdb.Close}, nil
}
