package apple

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// clientSecret makes and caches the client secret JWT.
type clientSecret struct {
	signer   jose.Signer
	team     string
	client   string
	lifetime time.Duration
	now      func() time.Time

	mu      sync.Mutex
	value   string
	issued  time.Time
	expires time.Time
}

func newClientSecret(key *ecdsa.PrivateKey, keyID, team, client string, lifetime time.Duration, now func() time.Time) (*clientSecret, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), keyID),
	)
	if err != nil {
		return nil, fmt.Errorf("apple: signer: %w", err)
	}
	return &clientSecret{signer: signer, team: team, client: client, lifetime: lifetime, now: now}, nil
}

// get returns the current secret, signing a new one when less than a
// quarter of its lifetime is left or the clock went back before it was
// issued.
func (s *clientSecret) get(context.Context) (string, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value != "" && now.Before(s.expires.Add(-s.lifetime/4)) && !now.Before(s.issued) {
		return s.value, nil
	}
	iat := now.Truncate(time.Second)
	exp := iat.Add(s.lifetime)
	v, err := jwt.Signed(s.signer).Claims(jwt.Claims{
		Issuer:   s.team,
		Subject:  s.client,
		Audience: jwt.Audience{Issuer},
		IssuedAt: jwt.NewNumericDate(iat),
		Expiry:   jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("apple: sign the client secret: %w", err)
	}
	s.value, s.issued, s.expires = v, iat, exp
	return v, nil
}
