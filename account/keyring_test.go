package account_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
)

func TestKeyringSealOpen(t *testing.T) {
	k1 := account.GenerateKey("k1")
	kr, err := account.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"access_token":"ya29.secret"}`)
	sealed := kr.Seal(secret, []byte("eac_1"))
	if bytes.Contains(sealed, []byte("ya29")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	if account.SealedKeyID(sealed) != "k1" {
		t.Fatalf("SealedKeyID = %q", account.SealedKeyID(sealed))
	}
	got, err := kr.Open(sealed, []byte("eac_1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if again := kr.Seal(secret, []byte("eac_1")); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one plaintext are equal: nonce reused")
	}

	// Moved to another account: does not open.
	if _, err := kr.Open(sealed, []byte("eac_2")); !errors.Is(err, account.ErrOpen) {
		t.Fatalf("Open with another account id: %v", err)
	}
	// Tampered anywhere: does not open.
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := kr.Open(bad, []byte("eac_1")); err == nil {
			t.Fatalf("a flip of byte %d still opens", i)
		}
	}
	for _, bad := range [][]byte{nil, {1}, {1, 5, 'k'}, {2, 2, 'k', '1'}} {
		if _, err := kr.Open(bad, nil); !errors.Is(err, account.ErrOpen) {
			t.Fatalf("Open(%v) = %v", bad, err)
		}
	}
}

func TestKeyringRotation(t *testing.T) {
	old := account.GenerateKey("2025-01")
	oldRing, _ := account.NewKeyring(old)
	sealed := oldRing.Seal([]byte("refresh-token"), []byte("eac_1"))

	newKey := account.GenerateKey("2026-11")
	rotated, err := account.NewKeyring(newKey, old)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Open(sealed, []byte("eac_1"))
	if err != nil || string(got) != "refresh-token" {
		t.Fatalf("new primary cannot open old tokens: %q %v", got, err)
	}
	if id := account.SealedKeyID(rotated.Seal([]byte("x"), nil)); id != "2026-11" {
		t.Fatalf("sealed with %q, want the new primary", id)
	}
	// Dropping the old key makes its values unreadable, by design.
	newOnly, _ := account.NewKeyring(newKey)
	if _, err := newOnly.Open(sealed, []byte("eac_1")); !errors.Is(err, account.ErrOpen) {
		t.Fatalf("opened without the key: %v", err)
	}
}

func TestKeyringConfig(t *testing.T) {
	k := account.GenerateKey("a")
	tests := []struct {
		name string
		keys []account.Key
	}{
		{"short key", []account.Key{{ID: "a", Secret: make([]byte, 16)}}},
		{"empty id", []account.Key{{ID: "", Secret: k.Secret}}},
		{"bad id", []account.Key{{ID: "a:b", Secret: k.Secret}}},
		{"duplicate id", []account.Key{k, k}},
	}
	for _, tc := range tests {
		if _, err := account.NewKeyring(tc.keys[0], tc.keys[1:]...); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	kr, err := account.ParseKeyring(account.EncodeKey(account.GenerateKey("new")) + "," + account.EncodeKey(k))
	if err != nil || kr.PrimaryKeyID() != "new" {
		t.Fatalf("ParseKeyring: %v", err)
	}
	for _, bad := range []string{"", "nocolon", "a:!!!", "a:" + strings.Repeat("A", 10)} {
		if _, err := account.ParseKeyring(bad); err == nil {
			t.Errorf("ParseKeyring(%q) accepted", bad)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", k, k, k); strings.Contains(s, string(k.Secret)) || !strings.Contains(s, "REDACTED") {
		t.Fatalf("key printed: %s", s)
	}
}
