package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/store/redisstore"
	"github.com/tetherauth/tether/verification"
)

// New wraps any go-redis UniversalClient. miniredis stands in for Redis
// here; in production the client comes from the host's configuration: one
// address is a single server, several are a Cluster, a MasterName makes it
// Sentinel.
func ExampleNew() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		log.Fatal(err)
	}
	defer mr.Close()
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{mr.Addr()}})
	defer rdb.Close()

	store, err := redisstore.New(rdb, redisstore.Options{Prefix: "myapp:tether:"})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	google := verification.MustParseStrategy("oauth_google")
	now := time.Now()
	a := &account.ExternalAccount{
		ID:           "eac_01",
		UserID:       "user_42",
		Provider:     google,
		Verification: verification.Verification{Status: verification.StatusUnverified, Strategy: google},
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if err := store.CreateAccount(ctx, a); err != nil {
		log.Fatal(err)
	}

	// The first verification sets the identity and stores the sealed
	// tokens in one UpdateAccount.
	a.ProviderUserID = "1234567890"
	a.Verification.Status = verification.StatusVerified
	tokens := &account.SealedTokens{AccountID: a.ID, Blob: []byte("sealed by the Service's Keyring")}
	if err := store.UpdateAccount(ctx, a, tokens); err != nil {
		log.Fatal(err)
	}

	owner, err := store.FindAccountByIdentity(ctx, google, "1234567890")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(owner.ID, owner.UserID, owner.Verification.Status, owner.Version, tokens.Version)
	fmt.Println(mr.Keys())
	// Output:
	// eac_01 user_42 verified 2 1
	// [myapp:tether:account:{eac_01} myapp:tether:accounts:{all} myapp:tether:accounts:{pending} myapp:tether:identity:{oauth_google:1234567890} myapp:tether:tokens:{eac_01} myapp:tether:user:{user_42}]
}

// A host may keep only its flows in Redis, where they expire by themselves,
// and its accounts elsewhere.
func ExampleNew_flowsOnly() {
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		log.Fatal(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	flows, err := redisstore.New(rdb, redisstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var _ account.FlowStore = flows
	// account.New(account.Config{Accounts: sqlStore, Flows: flows, ...})

	ctx := context.Background()
	f := &account.Flow{StateHash: "9f86d081884c7d65", Kind: account.FlowConnect, UserID: "user_42", ExpiresAt: time.Now().Add(20 * time.Minute)}
	if err := flows.SaveFlow(ctx, f); err != nil {
		log.Fatal(err)
	}
	fmt.Println(mr.TTL("tether:flow:9f86d081884c7d65") > 19*time.Minute)
	taken, err := flows.TakeFlow(ctx, f.StateHash)
	fmt.Println(taken.UserID, err)
	_, err = flows.TakeFlow(ctx, f.StateHash)
	fmt.Println(err)
	// Output:
	// true
	// user_42 <nil>
	// resource_not_found: The requested resource was not found.
}
