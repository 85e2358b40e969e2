package claims

import (
	"encoding/json"
	"testing"
)

func TestID(t *testing.T) {
	m, err := Decode([]byte(`{"n": 12345678901234567890, "small": 42, "s": " 80351110224678912 ", "frac": 1.5, "exp": 1e3,
		"neg": -1, "zero": 0, "lead": 007, "bool": true, "null": null, "obj": {}}`))
	if err == nil {
		t.Fatal("a leading zero is not JSON")
	}
	m, err = Decode([]byte(`{"n": 12345678901234567890, "small": 42, "s": " 80351110224678912 ", "frac": 1.5, "exp": 1e3,
		"neg": -1, "zero": 0, "bool": true, "null": null, "obj": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"n": "12345678901234567890", "small": "42", "s": "80351110224678912", "frac": "", "exp": "",
		"neg": "", "zero": "0", "bool": "", "null": "", "obj": "", "missing": "",
	}
	for k, want := range tests {
		if got := ID(m, k); got != want {
			t.Errorf("ID(%s) = %q, want %q", k, got, want)
		}
	}
	// Without UseNumber, a float64 is read only when exact.
	var f map[string]any
	_ = json.Unmarshal([]byte(`{"ok": 9007199254740992, "lossy": 9007199254740993123, "frac": 2.5}`), &f)
	if got := ID(f, "ok"); got != "9007199254740992" {
		t.Errorf("ID(ok) = %q", got)
	}
	if got := ID(f, "lossy"); got != "" {
		t.Errorf("ID(lossy) = %q, want \"\": it lost precision", got)
	}
	if got := ID(f, "frac"); got != "" {
		t.Errorf("ID(frac) = %q", got)
	}
}

func TestDecode(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `"x"`, `{} {}`, `{"a":1`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
}

func TestBoolAndString(t *testing.T) {
	m := map[string]any{"t": true, "f": false, "st": "True", "sf": "false", "sx": "yes", "n": json.Number("1"), "s": "  x  "}
	for k, want := range map[string]*bool{"t": new(true), "f": new(false), "st": new(true), "sf": new(false), "sx": nil, "n": nil, "missing": nil} {
		got := Bool(m, k)
		if (got == nil) != (want == nil) || (got != nil && *got != *want) {
			t.Errorf("Bool(%s) = %v", k, got)
		}
	}
	if String(m, "s") != "x" || String(m, "t") != "" {
		t.Error("String")
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct{ in, first, last string }{
		{" Ada  King Lovelace ", "Ada", "King Lovelace"},
		{"Plato", "Plato", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if f, l := SplitName(tt.in); f != tt.first || l != tt.last {
			t.Errorf("SplitName(%q) = %q, %q", tt.in, f, l)
		}
	}
}
