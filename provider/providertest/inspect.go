package providertest

import (
	"slices"
	"time"
)

// Stats counts the requests the provider received.
type Stats struct {
	// AuthorizeRequests counts requests to the authorization endpoint,
	// form posts included.
	AuthorizeRequests int
	// TokenRequests counts requests to the token endpoint, failed ones
	// included.
	TokenRequests int
	// CodeExchanges counts authorization codes redeemed for tokens.
	CodeExchanges int
	// Refreshes counts refresh tokens redeemed for tokens.
	Refreshes int
	// UserinfoRequests counts requests to the userinfo endpoint.
	UserinfoRequests int
	// RevocationRequests counts requests to the revocation endpoint.
	RevocationRequests int
	// ReuseDetections counts rotated refresh tokens that came back after
	// the grace period: each revoked its grant. GraceReuses counts those
	// that came back within it.
	ReuseDetections int
	GraceReuses     int
}

// Held is how many entries the provider keeps now, each bounded by
// Config.MaxEntries.
type Held struct {
	Users, Codes, Tokens int
}

// Held returns how many users, codes and tokens the provider keeps.
func (h *Handler) Held() Held {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Held{Users: len(h.users), Codes: len(h.codes), Tokens: len(h.issued)}
}

// Stats returns the request counters.
func (h *Handler) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stats
}

// TokenInfo describes a token the provider issued. It holds the token
// itself: it is for tests, never for logs.
type TokenInfo struct {
	// Value is the token.
	Value string
	// Type is "access_token" or "refresh_token".
	Type string
	// Subject and ClientID say whom the token was issued to, for which
	// client.
	Subject  string
	ClientID string
	// Scopes are the token's scopes.
	Scopes []string
	// IssuedAt is when the token was issued; ExpiresAt when it expires
	// (zero for refresh tokens, which do not).
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Revoked reports a revocation: at the revocation endpoint, because
	// its code was replayed, or because a rotated refresh token of its
	// grant was reused.
	Revoked bool
	// Rotated reports a refresh token that was redeemed and replaced.
	Rotated bool
}

// Tokens returns every token the provider issued, in issue order.
func (h *Handler) Tokens() []TokenInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]TokenInfo, 0, len(h.issued))
	for _, t := range h.issued {
		out = append(out, TokenInfo{
			Value:     t.value,
			Type:      t.typ,
			Subject:   t.grant.subject,
			ClientID:  t.grant.clientID,
			Scopes:    slices.Clone(t.scopes),
			IssuedAt:  t.issuedAt,
			ExpiresAt: t.expiresAt,
			Revoked:   t.revoked,
			Rotated:   t.rotated,
		})
	}
	return out
}

// IsRevoked reports whether token was issued by the provider and revoked
// since (see TokenInfo.Revoked). A rotated refresh token that was not
// revoked is not reported; an unknown token is not either.
func (h *Handler) IsRevoked(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.tokens[token]
	return t != nil && t.revoked
}
