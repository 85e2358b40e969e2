package main

import (
	"strings"
	"testing"
)

// -trace-stdout prints the Service's spans in a build with -tags trace,
// and is refused with a clear message in a build without.
func TestTraceStdout(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.TraceStdout = true
	tp, _, err := tracing(cfg)
	if traceSupport {
		if err != nil || tp == nil {
			t.Fatalf("tracing with -tags trace: %v, %v", tp, err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "-tags trace") {
		t.Fatalf("-trace-stdout without the tag: %v", err)
	}
	runTagged(t, "trace", "TestTraceStdout", "TestTraceSpansPrinted")
}
