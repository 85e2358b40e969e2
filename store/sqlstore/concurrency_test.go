package sqlstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/sqlstore"
	"github.com/tetherauth/tether/verification"
)

var benchStrategy = verification.MustParseStrategy("oauth_custom_bench")

// completePath performs the store calls of a successful callback, in the
// Service's order: take the flow, read its account, verify it and store its
// sealed tokens in one write.
func completePath(ctx context.Context, s *sqlstore.Store, stateHash string, now time.Time) error {
	f, err := s.TakeFlow(ctx, stateHash)
	if err != nil {
		return fmt.Errorf("TakeFlow: %w", err)
	}
	a, err := s.GetAccount(ctx, f.AccountID)
	if err != nil {
		return fmt.Errorf("GetAccount: %w", err)
	}
	if a.ProviderUserID == "" {
		a.ProviderUserID = "sub-" + a.ID
	}
	a.Verification.Status = verification.StatusVerified
	a.Verification.Attempts++
	a.Verification.Error = nil
	a.Verification.ExternalVerificationRedirectURL = ""
	a.Verification.FlowKey = ""
	a.ApprovedScopes = f.Scopes
	a.UpdatedAt = now
	blob := make([]byte, 180) // the size of a sealed access + refresh + ID token
	rand.Read(blob)
	if err := s.UpdateAccount(ctx, a, &account.SealedTokens{AccountID: a.ID, Blob: blob, UpdatedAt: now}); err != nil {
		return fmt.Errorf("UpdateAccount: %w", err)
	}
	return nil
}

// startedAccount creates an unverified account and its flow, as Connect
// does, and returns the flow's key.
func startedAccount(t testing.TB, s *sqlstore.Store, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	id := account.NewID(account.AccountIDPrefix)
	key := randomHex(32)
	f := &account.Flow{
		StateHash: key, Kind: account.FlowConnect, UserID: account.NewID("user_"), AccountID: id,
		Strategy: benchStrategy, Secrets: []byte(randomHex(21)),
		RedirectURL: "/settings", Scopes: []string{"openid", "email"},
		CreatedAt: now, ExpiresAt: now.Add(20 * time.Minute),
	}
	if err := s.SaveFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	a := &account.ExternalAccount{
		ID: id, UserID: f.UserID, IdentificationID: account.NewID(account.IdentificationIDPrefix),
		Provider: benchStrategy,
		Verification: verification.Verification{
			Status: verification.StatusUnverified, Strategy: benchStrategy,
			ExpireAt: now.Add(10 * time.Minute), FlowKey: key,
			ExternalVerificationRedirectURL: "https://idp.example/authorize?state=x",
		},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	return key
}

// TestConcurrentCompleteWriters runs 50 goroutines that each complete 6
// callbacks (TakeFlow, GetAccount, UpdateAccount with tokens) while 4
// others list accounts, all at once, and requires zero errors: on SQLite,
// in particular, no "database is locked" (SQLITE_BUSY). This is the
// writer policy of OpenSQLite under test.
func TestConcurrentCompleteWriters(t *testing.T) {
	const writers, perWriter, readers = 50, 6, 4
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			now := time.Now().UTC().Truncate(time.Millisecond)
			s := newStore(t, db, nil)
			keys := make([][]string, writers)
			for w := range keys {
				for range perWriter {
					keys[w] = append(keys[w], startedAccount(t, s, now))
				}
			}

			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				errs   []error
				start  = make(chan struct{})
				stop   = make(chan struct{})
				record = func(err error) {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			)
			for r := range readers {
				wg.Go(func() {
					<-start
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := s.ListAccounts(context.Background(), account.Query{UserID: fmt.Sprintf("user_%d_%d", r, i)}); err != nil {
							record(fmt.Errorf("ListAccounts: %w", err))
						}
					}
				})
			}
			var writersWG sync.WaitGroup
			began := time.Now()
			for w := range writers {
				writersWG.Go(func() {
					<-start
					for _, key := range keys[w] {
						if err := completePath(context.Background(), s, key, now); err != nil {
							record(err)
						}
					}
				})
			}
			close(start)
			writersWG.Wait()
			elapsed := time.Since(began)
			close(stop)
			wg.Wait()

			locked := 0
			for _, err := range errs {
				msg := strings.ToLower(err.Error() + " " + fmt.Sprint(errors.Unwrap(err)))
				if strings.Contains(msg, "locked") || strings.Contains(msg, "busy") {
					locked++
				}
			}
			if len(errs) > 0 {
				t.Fatalf("%d errors (%d busy/locked), first: %v", len(errs), locked, errs[0])
			}
			t.Logf("%d complete paths by %d writers in %v (%.0f/s), 0 errors", writers*perWriter, writers, elapsed.Round(time.Millisecond), float64(writers*perWriter)/elapsed.Seconds())

			for _, ks := range keys {
				for _, k := range ks {
					if _, err := s.TakeFlow(context.Background(), k); !errors.Is(err, verification.ErrResourceNotFound) {
						t.Fatalf("flow %s not consumed: %v", k, err)
					}
				}
			}
		})
	}
}
