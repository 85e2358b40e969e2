package sqlstore_test

import (
	"testing"

	"github.com/tetherauth/tether/store/storetest"
)

// TestConformance runs store/storetest on every backend. The subtests share
// one database per backend, as the suite allows (it uses fresh ids
// throughout); each gets its own Store and clock. Unavailable hands out a
// Store on a database that was migrated and then closed.
func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			storetest.Run(t, func(t *testing.T) storetest.Stores {
				clock := newClock()
				s := newStore(t, db, clock.Now)
				return storetest.Stores{
					Accounts: s, Tokens: s, Flows: s,
					Now: clock.Now, Advance: clock.Advance,
					Unavailable: func(t *testing.T) storetest.Stores {
						down := b.open(t)
						s := newStore(t, down, clock.Now)
						if err := down.Close(); err != nil {
							t.Fatal(err)
						}
						return storetest.Stores{Accounts: s, Tokens: s, Flows: s}
					},
				}
			})
		})
	}
}
