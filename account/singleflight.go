package account

import (
	"context"
	"sync"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// singleFlight runs one function per key at a time; callers that arrive
// while it runs wait for its result instead of running it again.
type singleFlight struct {
	timeout time.Duration
	mu      sync.Mutex
	calls   map[string]*flight
}

type flight struct {
	done chan struct{}
	tok  *provider.Token
	err  error
}

// do runs fn for key, or waits for the run in progress. fn runs with ctx's
// values but not its cancellation, bounded by the flight's timeout, so a
// caller that gives up does not fail the others; each caller still returns
// when its own ctx is done.
func (g *singleFlight) do(ctx context.Context, key string, fn func(context.Context) (*provider.Token, error)) (*provider.Token, error) {
	g.mu.Lock()
	f, running := g.calls[key]
	if !running {
		if g.calls == nil {
			g.calls = make(map[string]*flight)
		}
		f = &flight{done: make(chan struct{})}
		g.calls[key] = f
	}
	g.mu.Unlock()
	if !running {
		go func() {
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.timeout)
			defer cancel()
			f.tok, f.err = fn(fctx)
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		c := *f.tok
		c.Scopes = append([]string(nil), f.tok.Scopes...)
		return &c, nil
	case <-ctx.Done():
		return nil, verification.ErrTokenRetrieval.Wrap(ctx.Err())
	}
}
