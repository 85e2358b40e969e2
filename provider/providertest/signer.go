package providertest

import (
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// Signer signs JWTs (RS256) with a key of its own and serves its public key
// as a JWKS. It is for fakes of a provider's own endpoints that need ID
// tokens without the rest of this server (package conformance); a Signer is
// safe for concurrent use.
type Signer struct{ key *signingKey }

// NewSigner generates a 2048-bit RSA key whose kid is its RFC 7638
// thumbprint.
func NewSigner() (*Signer, error) {
	k, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	return &Signer{key: k}, nil
}

// Sign returns claims as a compact JWS signed with the key, with the key's
// kid in its header.
func (s *Signer) Sign(claims map[string]any) (string, error) { return s.key.sign(claims) }

// ServeJWKS answers with the JWKS that publishes the public key.
func (s *Signer) ServeJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []jose.JSONWebKey{s.key.jwk()}}, 0)
}

// String hides the key.
func (s *Signer) String() string { return "providertest.Signer{kid: " + s.key.kid + "}" }

// GoString hides the key from %#v.
func (s *Signer) GoString() string { return s.String() }
