package testkit

import (
	"sync"
	"time"
)

// Clock is a clock tests move by hand. Its zero value reads the zero
// time; NewClock starts it at the current time. When Follow is on, real
// time that passes is added, so that leases and timeouts measured by it
// expire while a test waits. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	follow time.Time
}

// NewClock returns a Clock at the current time, in UTC.
func NewClock() *Clock { return &Clock{now: time.Now().UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.follow.IsZero() {
		return c.now.Add(time.Since(c.follow))
	}
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	if !c.follow.IsZero() {
		c.follow = time.Now()
	}
	c.mu.Unlock()
}

// Follow makes the clock run with real time from now on.
func (c *Clock) Follow() {
	c.mu.Lock()
	if c.follow.IsZero() {
		c.follow = time.Now()
	}
	c.mu.Unlock()
}

// NewClockAt returns a Clock at t.
func NewClockAt(t time.Time) *Clock { return &Clock{now: t} }

// LogBuffer is a log sink safe for concurrent writers, for tests that read
// what was logged.
type LogBuffer struct {
	mu  sync.Mutex
	buf []byte
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
