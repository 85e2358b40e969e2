// Package claims reads the values Tether needs out of decoded JSON: ID token
// claims, userinfo responses and provider profiles. Values of the wrong type
// read as absent, never as an error or a panic, because providers send
// whatever they send.
package claims

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Decode decodes a JSON object, numbers as json.Number so that large ids
// (beyond 2^53, such as Discord's or Facebook's when sent as numbers) keep
// every digit. Anything but one JSON object is an error.
func Decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("claims: not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("claims: trailing data after the JSON object")
	}
	return m, nil
}

// String returns m[key] when it is a string, trimmed, else "".
func String(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return strings.TrimSpace(s)
}

// Bool returns m[key] when it is a boolean or the string "true" or "false"
// (any case), which some providers send (Apple's email_verified); nil
// otherwise.
func Bool(m map[string]any, key string) *bool {
	switch v := m[key].(type) {
	case bool:
		return &v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return new(true)
		case "false":
			return new(false)
		}
	}
	return nil
}

// Object returns m[key] when it is a JSON object, else nil.
func Object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// integerPattern is a non-negative decimal integer without leading zeros.
var integerPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,39})$`)

// ID returns the identifier m[key] as a string: a non-empty string as is
// (trimmed), a JSON integer in decimal with every digit (a json.Number, as
// Decode makes them), or a float64 that holds an integer exactly (below
// 2^53, as encoding/json makes them without UseNumber). Anything else,
// fractions and exponents included, is "": an id that cannot be read
// exactly must not be read approximately, or two accounts could share it.
func ID(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		if integerPattern.MatchString(v.String()) {
			return v.String()
		}
	case float64:
		if v >= 0 && v <= 1<<53 && v == math.Trunc(v) {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

// SplitName splits a display name at its first space: "Ada King Lovelace"
// is "Ada" and "King Lovelace". It is the fallback for providers that send
// one name without given and family names.
func SplitName(name string) (first, last string) {
	first, last, _ = strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}
