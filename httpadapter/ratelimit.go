package httpadapter

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tetherauth/tether/verification"
)

// ErrTooManyRequests (429) answers a signed-out client that starts sign-ins
// or sign-ups faster than SignInOptions.Allow lets it.
var ErrTooManyRequests = &verification.Error{Code: "too_many_requests", Message: "Too many requests", LongMessage: "Too many sign-in attempts from here. Wait a minute and try again."}

// Defaults of the signed-out limiter: a client (by its IP address) may start
// DefaultSignInBurst sign-ins and sign-ups at once, then one every
// DefaultSignInEvery.
const (
	DefaultSignInBurst = 20
	DefaultSignInEvery = 6 * time.Second
	// maxLimiterClients bounds the limiter's memory: past it, the oldest
	// half of the clients is forgotten.
	maxLimiterClients = 10_000
)

// PerClientLimit returns a SignInOptions.Allow that lets each client (by
// the IP address of r.RemoteAddr) start burst sign-ins or sign-ups at
// once, then one every every. It keeps at most 10,000 clients in memory.
func PerClientLimit(burst int, every time.Duration) func(*http.Request) bool {
	return newIPLimiter(burst, every).allow
}

// ipLimiter is a token bucket per client IP address, in memory, bounded.
type ipLimiter struct {
	burst float64
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newIPLimiter(burst int, every time.Duration) *ipLimiter {
	return &ipLimiter{burst: float64(burst), every: every, now: time.Now, clients: make(map[string]*bucket)}
}

// allow takes a token for r's client.
func (l *ipLimiter) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients[host]
	if !ok {
		if len(l.clients) >= maxLimiterClients {
			l.forgetOldest(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.clients[host] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// forgetOldest drops the clients not seen for longer than the median:
// about half of them.
func (l *ipLimiter) forgetOldest(now time.Time) {
	var total time.Duration
	for _, b := range l.clients {
		total += now.Sub(b.last)
	}
	mean := total / time.Duration(len(l.clients))
	for k, b := range l.clients {
		if now.Sub(b.last) >= mean {
			delete(l.clients, k)
		}
	}
}
