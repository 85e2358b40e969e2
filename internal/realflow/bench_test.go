package realflow

import (
	"net/http"
	"testing"
)

// The flow benchmarks run one connect flow of a new user and identity per
// iteration, every hop over loopback HTTP against one in-process provider:
// compare them in one run (go test -bench Flow|Floor -count 6, then
// benchstat). Tether's own cost is a flow minus BenchmarkProviderFloor.

func BenchmarkFlowSQLite(b *testing.B) { benchTether(b, "SQLite") }

func BenchmarkFlowPostgres(b *testing.B) { benchTether(b, "PostgreSQL") }

func BenchmarkFlowRedis(b *testing.B) { benchTether(b, "Redis") }

// BenchmarkFlowMemory is the flow on memstore: what Tether costs besides
// its store.
func BenchmarkFlowMemory(b *testing.B) { benchTether(b, "memory") }

func benchTether(b *testing.B, kind string) {
	be := newBackend(b, kind)
	idp := newIDP(b)
	h := newHost(b, be, idp, newKeyring(b), nil)
	br := newBrowser()
	loop(b, func(n int) { tetherFlow(b, h, idp, br, n) })
}

// loop runs flow once to warm up (discovery and keys fetched, as a running
// host has them), then b.N times.
func loop(b *testing.B, flow func(n int)) {
	flow(-1)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		flow(n)
		n++
	}
}

func BenchmarkFlowBare(b *testing.B) {
	idp := newIDP(b)
	rp := newBareRP(b, idp)
	br := newBrowser()
	loop(b, func(n int) { bareFlowOnce(b, rp, idp, br, n) })
}

func BenchmarkProviderFloor(b *testing.B) {
	idp := newIDP(b)
	f := &floor{idp: idp, client: &http.Client{}, redir: "http://127.0.0.1:1/oauth_callback"}
	br := newBrowser()
	loop(b, func(int) { f.flow(b, br) })
}
