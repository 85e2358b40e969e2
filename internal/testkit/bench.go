package testkit

import (
	"testing"
	"time"
)

// BenchmarkAccessToken measures Service.AccessToken on s: "not-due" on a
// token that needs no refresh (the store's round trips are the whole
// cost), and "refresh" with the token due at every call (lease, provider
// refresh, compare-and-swap write, release). roundTrips, when not nil,
// counts the store's round trips (queries, pipelines) so far; the
// benchmark reports them per operation.
func BenchmarkAccessToken(b *testing.B, s Stores, roundTrips func() int64) {
	clock := NewClock()
	l := Link(b, clock, 0, s)
	svc, user, a, ctx := l.Services[0], l.UserID, l.Account, b.Context()
	run := func(b *testing.B, before func()) {
		b.ReportAllocs()
		var start int64
		if roundTrips != nil {
			start = roundTrips()
		}
		for b.Loop() {
			if before != nil {
				before()
			}
			if _, err := svc.AccessToken(ctx, user, a.ID); err != nil {
				b.Fatal(err)
			}
		}
		if roundTrips != nil {
			b.ReportMetric(float64(roundTrips()-start)/float64(b.N), "roundtrips/op")
		}
	}
	b.Run("not-due", func(b *testing.B) { run(b, nil) })
	b.Run("refresh", func(b *testing.B) { run(b, func() { clock.Advance(time.Hour) }) })
}
