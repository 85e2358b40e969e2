package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a Keyring key: AES-256.
const KeySize = 32

// Key is one AES-256 key of a Keyring, named by an ID that is written in
// front of every ciphertext it seals so that the right key opens it after a
// rotation.
type Key struct {
	// ID names the key: 1 to 255 bytes of letters, digits, '-' and '_'.
	ID string
	// Secret is the 32-byte key.
	Secret []byte
}

// String hides the secret.
func (k Key) String() string { return "account.Key{ID: " + k.ID + ", Secret: REDACTED}" }

// GoString hides the secret from %#v.
func (k Key) GoString() string { return k.String() }

// GenerateKey returns a new random key named id.
func GenerateKey(id string) Key {
	k := Key{ID: id, Secret: make([]byte, KeySize)}
	rand.Read(k.Secret)
	return k
}

// Keyring seals and opens the secrets Tether keeps (provider tokens) with
// AES-256-GCM. It seals with its primary key and opens with any of its keys,
// so keys rotate without losing what older keys sealed: put the new key
// first and keep the old ones until everything has been resealed.
//
// A sealed value is: format byte (1), key-id length, key id, 12-byte random
// nonce, ciphertext and tag. The associated data is the header followed by
// the caller's associated data (the account id for tokens), so a ciphertext
// moved to another account, or relabelled with another key id, does not
// open. With random nonces a key must seal fewer than 2^32 values.
//
// A Keyring is safe for concurrent use.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
}

const sealFormat = 1

// ErrOpen is returned by Keyring.Open for a value that is not a ciphertext
// of this keyring for this associated data. It says nothing more, by design.
var ErrOpen = errors.New("account: sealed value does not open")

// NewKeyring returns a Keyring that seals with primary and opens with
// primary and older.
func NewKeyring(primary Key, older ...Key) (*Keyring, error) {
	kr := &Keyring{primary: primary.ID, aeads: make(map[string]cipher.AEAD, 1+len(older))}
	for _, k := range append([]Key{primary}, older...) {
		if err := validKeyID(k.ID); err != nil {
			return nil, err
		}
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("account: key %q is %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		if _, dup := kr.aeads[k.ID]; dup {
			return nil, fmt.Errorf("account: key id %q used twice", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("account: key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("account: key %q: %w", k.ID, err)
		}
		kr.aeads[k.ID] = aead
	}
	return kr, nil
}

// ParseKeyring reads keys written as "id:base64,id:base64" (standard or URL
// base64, padded or not); the first key is the primary. It is how a host
// passes keys through one environment variable.
func ParseKeyring(s string) (*Keyring, error) {
	var keys []Key
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, enc, ok := strings.Cut(part, ":")
		if !ok {
			return nil, errors.New("account: keyring entry without ':' (want id:base64)")
		}
		secret, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("account: key %q: not base64", id)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("account: keyring has no keys")
	}
	return NewKeyring(keys[0], keys[1:]...)
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// EncodeKey writes k in ParseKeyring's form.
func EncodeKey(k Key) string { return k.ID + ":" + base64.RawURLEncoding.EncodeToString(k.Secret) }

func validKeyID(id string) error {
	if id == "" || len(id) > 255 {
		return fmt.Errorf("account: key id must be 1 to 255 bytes")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("account: key id %q has a character other than letters, digits, '-' and '_'", id)
		}
	}
	return nil
}

// PrimaryKeyID returns the id of the key that seals.
func (kr *Keyring) PrimaryKeyID() string { return kr.primary }

// Seal encrypts plaintext with the primary key, bound to ad.
func (kr *Keyring) Seal(plaintext, ad []byte) []byte {
	aead := kr.aeads[kr.primary]
	hdrLen := 2 + len(kr.primary)
	out := make([]byte, hdrLen+aead.NonceSize(), hdrLen+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealFormat
	out[1] = byte(len(kr.primary))
	copy(out[2:], kr.primary)
	rand.Read(out[hdrLen:])
	nonce := out[hdrLen:]
	return aead.Seal(out, nonce, plaintext, associated(out[:hdrLen], ad))
}

// Open decrypts a value sealed by any key of the keyring for ad. Anything
// else, including a value sealed for other associated data, is ErrOpen.
func (kr *Keyring) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != sealFormat {
		return nil, ErrOpen
	}
	hdrLen := 2 + int(sealed[1])
	if len(sealed) < hdrLen {
		return nil, ErrOpen
	}
	aead, ok := kr.aeads[string(sealed[2:hdrLen])]
	if !ok || len(sealed) < hdrLen+aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	nonce := sealed[hdrLen : hdrLen+aead.NonceSize()]
	pt, err := aead.Open(nil, nonce, sealed[hdrLen+aead.NonceSize():], associated(sealed[:hdrLen], ad))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// SealedKeyID returns the id of the key that sealed a value, "" when it is
// not a sealed value. Hosts use it to find values to reseal after a
// rotation.
func SealedKeyID(sealed []byte) string {
	if len(sealed) < 2 || sealed[0] != sealFormat || len(sealed) < 2+int(sealed[1]) {
		return ""
	}
	return string(sealed[2 : 2+int(sealed[1])])
}

func associated(header, ad []byte) []byte {
	out := make([]byte, 0, len(header)+len(ad))
	return append(append(out, header...), ad...)
}
