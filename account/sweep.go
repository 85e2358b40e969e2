package account

import (
	"context"
	"log/slog"
	"time"
)

// Sweep defaults.
const (
	// DefaultAbandonAfter is how long after its verification expired a
	// never-verified account is removed by the sweep.
	DefaultAbandonAfter = 24 * time.Hour
	// DefaultSweepInterval is how often Run sweeps.
	DefaultSweepInterval = 5 * time.Minute
	// sweepBatch bounds one DeleteAbandoned call, so a sweep never holds a
	// store for long.
	sweepBatch = 500
	// maxSweepBatches bounds one sweep; the next one continues.
	maxSweepBatches = 20
)

// SweepResult says what one sweep removed.
type SweepResult struct {
	// Flows is how many expired flows the flow store deleted (0 for stores
	// whose backend expires them itself).
	Flows int
	// Accounts is how many never-verified accounts were deleted because
	// their verification expired more than Config.AbandonAfter ago.
	Accounts int
}

// Sweep removes expired flows and abandoned accounts: accounts that never
// verified (no provider identity) and whose verification expired more than
// Config.AbandonAfter ago. Verified accounts, and accounts whose
// reauthorization failed or expired, are never removed. A sweep deletes at
// most 10,000 accounts; the next sweep continues.
//
// Run calls Sweep on a timer; a host that prefers its own scheduler calls
// Sweep instead. Several processes may sweep the same stores at once.
func (s *Service) Sweep(ctx context.Context) (_ SweepResult, err error) {
	ctx, end := s.operation(ctx, "Sweep")
	defer func() { end(err) }()
	var r SweepResult
	n, err := s.flows.DeleteExpired(ctx)
	r.Flows = n
	if err != nil {
		return r, err
	}
	before := s.clock().Add(-s.abandonAfter)
	for range maxSweepBatches {
		n, err := s.accounts.DeleteAbandoned(ctx, before, sweepBatch)
		r.Accounts += n
		if err != nil || n < sweepBatch {
			return r, err
		}
	}
	return r, nil
}

// Run sweeps every interval (DefaultSweepInterval when interval <= 0)
// until ctx is done, then returns. Errors are logged and the next sweep
// runs as planned. Start it once per process: go svc.Run(ctx, 0).
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Sweep(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.LogAttrs(ctx, levelError, "tether: sweep failed", errAttr(err))
		case r.Flows > 0 || r.Accounts > 0:
			s.log.LogAttrs(ctx, levelInfo, "tether: sweep", slog.Int("flows", r.Flows), slog.Int("accounts", r.Accounts))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
