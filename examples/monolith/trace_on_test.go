//go:build trace

package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

const traceSupport = true

// With -trace-stdout, connecting an account prints the spans of the
// operations, their store calls and the provider's requests, and none of
// the flow's secrets.
func TestTraceSpansPrinted(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	cfg := testConfig(t.TempDir())
	cfg.TraceStdout = true
	ts := startServer(t, cfg)
	b := newBrowser(t, ts.URL)
	b.login("tracy")
	a := b.connect("oauth_custom_dev", nil)
	page := b.submit(b.openProvider(a.Verification.ExternalVerificationRedirectURL), "approve",
		devIdentity{Sub: "tracy", Email: "tracy@example.com", EmailVerified: true})
	_ = page
	if err := ts.Stop(); err != nil {
		t.Fatal(err)
	}
	os.Stdout = stdout
	w.Close()
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, r)
	out := buf.String()
	for _, want := range []string{`"Name": "tether.Connect"`, `"Name": "tether.Complete"`, `"Name": "tether.store.GetFlow"`, `"Name": "tether.store.UpdateAccountFlow"`, `"Name": "tether.provider POST"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the trace has no %s", want)
		}
	}
	if strings.Contains(out, "code=") || strings.Contains(out, "state=") {
		t.Error("the trace shows a code or a state")
	}
}
