package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADME checks that the README's "Embedding it" section shows main.go
// (without its first comment), so that the example there always compiles.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Embedding it\n")
	if !ok {
		t.Fatal(`README.md has no "## Embedding it" section`)
	}
	_, block, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal(`the "Embedding it" section has no go code block`)
	}
	block, _, ok = strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatal("the go code block does not end")
	}
	want := string(src)
	for strings.HasPrefix(want, "//") {
		_, want, _ = strings.Cut(want, "\n")
	}
	want = strings.TrimSuffix(want, "\n")
	if block == want {
		return
	}
	got, exp := strings.Split(block, "\n"), strings.Split(want, "\n")
	for i := range max(len(got), len(exp)) {
		var g, e string
		if i < len(got) {
			g = got[i]
		}
		if i < len(exp) {
			e = exp[i]
		}
		if g != e {
			t.Fatalf("README.md's embedding example differs from examples/embed/main.go at line %d:\nREADME:  %q\nmain.go: %q", i+1, g, e)
		}
	}
}
