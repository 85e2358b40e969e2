package realflow

import (
	"flag"
	"os"
	"testing"
)

// TestMain leaves TestCrashChild out of normal runs: it is the child
// process of TestCrashDuringCallback, which runs this binary again with
// -test.run=^TestCrashChild$ and the child's variables set.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv(envChild) == "" {
		if err := flag.Set("test.skip", "^TestCrashChild$"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
