package testkit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider/providertest"
)

// Stores are one process's stores: each call of a Process function opens
// its own connections (pools, clients) to the same backend, as another
// replica of a host would.
type Stores struct {
	Accounts account.AccountStore
	Tokens   account.TokenStore
	Flows    account.FlowStore
}

// Process opens a process's stores on the backend under test.
type Process func(t *testing.T) Stores

// RefreshStampede proves one refresh per grant across processes (issue 12)
// on a store: three Services, each on stores of its own process, fifty
// goroutines each, three rounds with the token due each round, against a
// provider that rotates refresh tokens and revokes the grant when a spent
// one comes back. Each round the provider must see exactly one refresh and
// no reuse, every caller must get the token it issued, and the grant must
// be alive at the end. Then a holder dies holding the lease: the next
// caller waits the lease out and refreshes once.
func RefreshStampede(t *testing.T, newProcess Process) {
	t.Helper()
	clock := NewClock()
	const lease = 2 * time.Second
	procs := make([]Stores, 3)
	for i := range procs {
		procs[i] = newProcess(t)
	}
	l := Link(t, clock, lease, procs...)
	idp, services, user, a := l.IDP, l.Services, l.UserID, l.Account
	ctx := t.Context()

	stampede := func(round int) {
		t.Helper()
		before := idp.Stats()
		var wg sync.WaitGroup
		tokens := make(chan string, 150)
		start := make(chan struct{})
		for _, svc := range services {
			for range 50 {
				wg.Go(func() {
					<-start
					tok, err := svc.AccessToken(context.Background(), user, a.ID)
					if err != nil {
						t.Errorf("round %d: AccessToken: %v", round, err)
						return
					}
					tokens <- tok.Token
				})
			}
		}
		close(start)
		wg.Wait()
		close(tokens)
		after := idp.Stats()
		if n := after.Refreshes - before.Refreshes; n != 1 || after.ReuseDetections != 0 {
			t.Fatalf("round %d: %d refreshes at the provider (want 1), %d refresh tokens reused", round, n, after.ReuseDetections)
		}
		var first string
		for tok := range tokens {
			if first == "" {
				first = tok
			}
			if tok != first {
				t.Fatalf("round %d: callers got different tokens", round)
			}
		}
		if !activeAccessToken(idp, first) {
			t.Fatalf("round %d: the token handed out is not one the provider accepts", round)
		}
	}
	for round := 1; round <= 3; round++ {
		clock.Advance(time.Hour)
		stampede(round)
	}

	// A holder dies holding the lease: nothing is refreshed until the
	// lease expires, then exactly once.
	clock.Advance(time.Hour)
	clock.Follow()
	s := newProcess(t)
	ok, err := s.Tokens.LeaseTokens(ctx, a.ID, "dead-process", clock.Now(), lease)
	if err != nil || !ok {
		t.Fatalf("taking the lease as a dead process: %v, %v", ok, err)
	}
	began := time.Now()
	stampede(4)
	if waited := time.Since(began); waited < lease/2 {
		t.Fatalf("the refresh did not wait for the dead holder's lease (%v)", waited)
	}
	got, err := services[0].Get(ctx, user, a.ID)
	if err != nil || got.Verification.Error != nil {
		t.Fatalf("the grant is not alive at the end: %+v, %v", got, err)
	}
}

// activeAccessToken reports whether the provider would accept tok.
func activeAccessToken(idp *providertest.Server, tok string) bool {
	for _, ti := range idp.Tokens() {
		if ti.Value == tok {
			return ti.Type == "access_token" && !ti.Revoked
		}
	}
	return false
}
