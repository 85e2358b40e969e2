package account

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// ID prefixes.
const (
	AccountIDPrefix        = "eac_"
	IdentificationIDPrefix = "idn_"
)

// crockford is Crockford's base32 alphabet in lower case. Its characters are
// in ascending byte order, so encoded IDs sort like the bytes they encode.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns prefix followed by 36 characters encoding a 48-bit
// millisecond timestamp and 128 bits from crypto/rand. IDs made in different
// milliseconds sort by creation time; the random part makes them
// unguessable and unique.
func NewID(prefix string) string {
	var b [22]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:]) // never fails (crypto/rand.Read crashes the program rather than return an error)
	return prefix + encodeBase32(b[:])
}

// encodeBase32 encodes b (22 bytes, 176 bits) big-endian into 36 characters,
// the last one padded with zero bits.
func encodeBase32(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, crockford[(acc>>bits)&31])
		}
	}
	if bits > 0 {
		out = append(out, crockford[(acc<<(5-bits))&31])
	}
	return string(out)
}
