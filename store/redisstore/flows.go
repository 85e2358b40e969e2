package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// SaveFlow implements account.FlowStore with SET NX PX: the key lives
// exactly the flow's remaining lifetime, measured by the Store's clock, so
// that clock skew between the host and Redis does not stretch it. A flow
// that has already expired is not stored (TakeFlow would not return it
// anyway). One round trip.
func (s *Store) SaveFlow(ctx context.Context, f *account.Flow) error {
	ttl := f.ExpiresAt.Sub(s.now())
	if ttl < time.Millisecond {
		return nil
	}
	b, err := encodeFlow(f)
	if err != nil {
		return err
	}
	key := s.flowKey(f.StateHash)
	ok, err := s.rdb.SetNX(ctx, key, b, ttl).Result()
	if err != nil {
		return storeErr(err)
	}
	if ok {
		return nil
	}
	// Either another flow holds the key, or this very SET landed and
	// go-redis retried it after losing the reply: the random verifier
	// tells them apart.
	cur, err := s.rdb.Get(ctx, key).Result()
	if err == nil && cur == string(b) {
		return nil
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return storeErr(err)
	}
	return verification.ErrConflict
}

// TakeFlow implements account.FlowStore with GETDEL (Redis 6.2 or later),
// atomic on every topology, in one round trip. The flow's expiry is checked
// again against the Store's clock.
func (s *Store) TakeFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	return s.liveFlow(stateHash, s.rdb.GetDel(ctx, s.flowKey(stateHash)))
}

// liveFlow decodes the flow a GET or GETDEL of its key returned, and checks
// its expiry against the Store's clock.
func (s *Store) liveFlow(stateHash string, cmd *redis.StringCmd) (*account.Flow, error) {
	b, err := cmd.Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, verification.ErrResourceNotFound
	}
	if err != nil {
		return nil, storeErr(err)
	}
	f, err := decodeFlow(stateHash, b)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(f.ExpiresAt) {
		return nil, verification.ErrResourceNotFound
	}
	return f, nil
}
