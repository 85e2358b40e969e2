package providertest

import (
	"maps"
	"time"
)

// Faults make the provider misbehave. The zero Faults is a well-behaved
// provider. Set them with [Handler.SetFaults]; they apply to the requests
// that arrive afterwards.
type Faults struct {
	// AuthorizeError makes the authorization endpoint answer every valid
	// request by redirecting to the client with this "error" (such as
	// "access_denied" or "temporarily_unavailable") instead of a code.
	AuthorizeError string

	// CallbackIssuer replaces the RFC 9207 "iss" parameter of authorization
	// responses, as a mix-up attacker would.
	CallbackIssuer string
	// OmitCallbackIssuer leaves "iss" out of authorization responses while
	// discovery still advertises it.
	OmitCallbackIssuer bool

	// Token makes the token endpoint answer every authenticated request with
	// this error.
	Token *TokenError

	// IDToken breaks the ID tokens the token endpoint issues.
	IDToken IDTokenFault
	// IDTokenClaims are set on every ID token after IDToken is applied; a
	// nil value removes the claim.
	IDTokenClaims map[string]any

	// TokenType, when set, replaces the token responses' token_type
	// ("DPoP", "mac", "bearer"); "-" leaves it out.
	TokenType string

	// UserinfoSubject makes the userinfo endpoint answer with this "sub".
	UserinfoSubject string
	// UserinfoStatus makes the userinfo endpoint fail with this HTTP status.
	UserinfoStatus int

	// Delay holds every response back this long, or until the request's
	// context is done.
	Delay time.Duration

	// OversizeBody pads every JSON response with this many bytes (in an
	// "x_padding" member).
	OversizeBody int
}

// TokenError is an OAuth 2.0 error response (RFC 6749 section 5.2) of the
// token endpoint.
type TokenError struct {
	// Status is the HTTP status; zero means 400. http.StatusOK gives the
	// off-spec "HTTP 200 with an error member" some providers send.
	Status int
	// Code is the "error" member, such as "invalid_grant" or
	// "server_error".
	Code string
	// Description is the "error_description" member; empty leaves it out.
	Description string
}

// IDTokenFault is one way of breaking an ID token so that a relying party
// that follows OpenID Connect Core section 3.1.3.7 rejects it.
type IDTokenFault string

// The ID token faults. The zero IDTokenFault breaks nothing.
const (
	IDTokenWrongIssuer     IDTokenFault = "wrong_issuer"     // "iss" is another issuer
	IDTokenWrongAudience   IDTokenFault = "wrong_audience"   // "aud" is another client, no "azp"
	IDTokenExtraAudience   IDTokenFault = "extra_audience"   // "aud" has a second client, no "azp"
	IDTokenWrongAZP        IDTokenFault = "wrong_azp"        // "azp" is another client
	IDTokenWrongNonce      IDTokenFault = "wrong_nonce"      // "nonce" is not the request's
	IDTokenMissingNonce    IDTokenFault = "missing_nonce"    // no "nonce"
	IDTokenMissingSub      IDTokenFault = "missing_sub"      // no "sub"
	IDTokenMissingIAT      IDTokenFault = "missing_iat"      // no "iat"
	IDTokenExpired         IDTokenFault = "expired"          // "exp" an hour ago
	IDTokenIssuedInFuture  IDTokenFault = "issued_in_future" // "iat" an hour ahead
	IDTokenWrongAtHash     IDTokenFault = "wrong_at_hash"    // "at_hash" of another access token
	IDTokenBadSignature    IDTokenFault = "bad_signature"    // signed by an unpublished key under the current "kid"
	IDTokenAlgNone         IDTokenFault = "alg_none"         // unsigned, "alg": "none"
	IDTokenOmitted         IDTokenFault = "omitted"          // no id_token in the token response
	IDTokenMalformed       IDTokenFault = "malformed"        // not a JWT at all
	IDTokenMissingAudience IDTokenFault = "missing_audience" // no "aud"
)

// IDTokenFaults lists every IDTokenFault, for table-driven tests.
var IDTokenFaults = []IDTokenFault{
	IDTokenWrongIssuer, IDTokenWrongAudience, IDTokenExtraAudience,
	IDTokenWrongAZP, IDTokenWrongNonce, IDTokenMissingNonce, IDTokenMissingSub,
	IDTokenMissingIAT, IDTokenExpired, IDTokenIssuedInFuture,
	IDTokenWrongAtHash, IDTokenBadSignature, IDTokenAlgNone, IDTokenOmitted,
	IDTokenMalformed, IDTokenMissingAudience,
}

// clone copies f so that the caller's later changes to its map or pointer
// do not reach the provider.
func (f Faults) clone() Faults {
	if f.Token != nil {
		t := *f.Token
		f.Token = &t
	}
	f.IDTokenClaims = maps.Clone(f.IDTokenClaims)
	return f
}

// SetFaults replaces the provider's faults with f. It is safe to call while
// the provider serves.
func (h *Handler) SetFaults(f Faults) {
	f = f.clone()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = f
}

// Faults returns the provider's current faults.
func (h *Handler) Faults() Faults {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.faults.clone()
}

// currentFaults returns the faults without copying, for the endpoints, which
// only read them.
func (h *Handler) currentFaults() Faults {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.faults
}
