//go:build !redis

package main

import (
	"context"
	"fmt"
)

// redisSupport says whether this build can use Redis: built with -tags redis.
//
// Redis is left out of the default build because github.com/redis/go-redis
// is large: it would add half a minute to the first `go run` of the demo on a
// small machine, and the demo must start within a minute of a fresh clone.
const redisSupport = false

// openRedis refuses a Redis URL and says how to get a build that takes it.
func openRedis(_ context.Context, _, describe string) (*stores, error) {
	return nil, fmt.Errorf("-store %s: this build has no Redis support; build the demo with it: go run -tags redis ./examples/monolith", describe)
}
