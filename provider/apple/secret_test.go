package apple

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestClientSecret(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, err := newClientSecret(key, "ABC123DEFG", "TEAM123456", "com.example.web", time.Hour, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(first, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if h := tok.Headers[0]; h.KeyID != "ABC123DEFG" || h.Algorithm != "ES256" {
		t.Errorf("header %+v", h)
	}
	var c jwt.Claims
	if err := tok.Claims(&key.PublicKey, &c); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{
		Issuer: "TEAM123456", Subject: "com.example.web", AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: clock.now(),
	}, 0); err != nil {
		t.Errorf("claims %+v: %v", c, err)
	}
	if c.Expiry.Time().Sub(c.IssuedAt.Time()) != time.Hour {
		t.Errorf("lifetime %v", c.Expiry.Time().Sub(c.IssuedAt.Time()))
	}

	// Reused while more than a quarter of its lifetime is left...
	clock.add(44 * time.Minute)
	if again, _ := s.get(context.Background()); again != first {
		t.Error("the secret was not reused")
	}
	// ...renewed after.
	clock.add(2 * time.Minute)
	renewed, _ := s.get(context.Background())
	if renewed == first {
		t.Error("the secret was not renewed")
	}
	// A clock that went back gets a fresh secret too.
	clock.add(-2 * time.Hour)
	if back, _ := s.get(context.Background()); back == renewed {
		t.Error("a secret issued in the future was reused")
	}
}

func TestClientSecretConcurrent(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := newClientSecret(key, "ABC123DEFG", "TEAM123456", "c", time.Hour, time.Now)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := s.get(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
