package providertest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// rsaKeyBits is the size of signing keys: the minimum RFC 7518 allows for
// RS256 is 2048.
const rsaKeyBits = 2048

// signingKey is one RS256 key pair with its key id.
type signingKey struct {
	kid    string
	priv   *rsa.PrivateKey
	signer jose.Signer
}

// newSigningKey generates a key pair whose kid is its RFC 7638 thumbprint.
func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
	if err != nil {
		return nil, fmt.Errorf("providertest: generate signing key: %w", err)
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("providertest: key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	return newSigningKeyWithID(priv, kid)
}

// newSigningKeyWithID wraps priv as a signing key published under kid.
func newSigningKeyWithID(priv *rsa.PrivateKey, kid string) (*signingKey, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("providertest: signer: %w", err)
	}
	return &signingKey{kid: kid, priv: priv, signer: signer}, nil
}

// mustSigningKey is newSigningKey for constructors, which have no error to
// return: generating a key only fails when the system's randomness does.
func mustSigningKey() *signingKey {
	k, err := newSigningKey()
	if err != nil {
		panic(err)
	}
	return k
}

// jwk returns the public half of k as published in the JWKS.
func (k *signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.RS256), Use: "sig"}
}

// sign returns the compact JWS of claims.
func (k *signingKey) sign(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("providertest: marshal claims: %w", err)
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("providertest: sign: %w", err)
	}
	return jws.CompactSerialize()
}

// unsignedJWT returns claims as a JWT with "alg": "none" and an empty
// signature (RFC 7519 section 6).
func unsignedJWT(claims map[string]any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("providertest: marshal claims: %w", err)
	}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
}

// atHash is the OpenID Connect at_hash of an access token for RS256: the
// left half of its SHA-256, base64url-encoded.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// signingKeys returns the current key and the previous one (nil before the
// first rotation), generating the first key on first use.
func (h *Handler) signingKeys() (current, previous *signingKey) {
	h.firstKey.Do(func() {
		k := mustSigningKey()
		h.mu.Lock()
		defer h.mu.Unlock()
		h.currentKey = k
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.currentKey, h.previousKey
}

// RotateKeys makes a new signing key current. The previous key stays
// published in the JWKS, so tokens it signed still verify; the key before it
// is withdrawn.
func (h *Handler) RotateKeys() {
	h.signingKeys()
	k := mustSigningKey()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.previousKey = h.currentKey
	h.currentKey = k
}

// KeyIDs returns the key ids the JWKS publishes, the current key first.
func (h *Handler) KeyIDs() []string {
	current, previous := h.signingKeys()
	ids := []string{current.kid}
	if previous != nil {
		ids = append(ids, previous.kid)
	}
	return ids
}

// rogueKey returns a key that is never published, under the current key's
// kid, to forge signatures with. It is generated once, on first use.
func (h *Handler) rogueKey() (*signingKey, error) {
	h.rogueOnce.Do(func() {
		priv, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
		if err != nil {
			h.rogueErr = err
			return
		}
		h.roguePriv = priv
	})
	if h.rogueErr != nil {
		return nil, h.rogueErr
	}
	current, _ := h.signingKeys()
	return newSigningKeyWithID(h.roguePriv, current.kid)
}
