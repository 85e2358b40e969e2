package memstore_test

import (
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		clock := testkit.NewClock()
		s := memstore.New(memstore.Options{Now: clock.Now})
		return storetest.Stores{Accounts: s, Tokens: s, Flows: s, Now: clock.Now, Advance: clock.Advance}
	})
}

func TestDeleteExpired(t *testing.T) {
	clock := testkit.NewClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	ctx := t.Context()
	for i, ttl := range []time.Duration{time.Minute, time.Hour} {
		f := newFlow(clock.Now(), ttl)
		f.StateHash = string(rune('a' + i))
		if err := s.SaveFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	n, err := s.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.TakeFlow(ctx, "b"); err != nil {
		t.Fatalf("unexpired flow gone: %v", err)
	}
}

func newFlow(now time.Time, ttl time.Duration) *account.Flow {
	return &account.Flow{Kind: account.FlowConnect, UserID: "u", AccountID: "eac_1", CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// One refresh per grant, three Services on one Store.
func TestRefreshStampede(t *testing.T) {
	s := memstore.New(memstore.Options{})
	testkit.RefreshStampede(t, func(*testing.T) testkit.Stores {
		return testkit.Stores{Accounts: s, Tokens: s, Flows: s}
	})
}
