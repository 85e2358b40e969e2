package redisstore

import (
	"encoding/json"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Values are compact JSON with short names and every empty field left out.
// JSON because PublicMetadata is JSON by contract (a host's values must
// come back as encoding/json gives them, as memstore's copies do), because
// it needs nothing outside the standard library, and because an operator
// can read it with redis-cli; msgpack would save only the quotes and
// separators of values that are mostly strings, and would add a
// dependency. Short names and omitted zero values make a verified account
// with a profile about 490 bytes (840 in the wire form). Decoding ignores
// unknown names, so a later format adds fields without a migration.
// Versions, the user id and the identity also live in hash fields of their
// own so that Lua scripts compare them without decoding JSON; sealed token
// blobs are stored as raw bytes, not base64.

// encodeAccount returns the JSON of a without its Version, which lives in
// the record's "v" field (account.EncodeRecord's form).
func encodeAccount(a *account.ExternalAccount) ([]byte, error) {
	b, err := account.EncodeRecord(a)
	if err != nil {
		// Only PublicMetadata can fail (a value JSON cannot hold).
		return nil, verification.ErrFormParamInvalid.WithParam("public_metadata").Wrap(err)
	}
	return b, nil
}

// decodeAccount is the inverse of encodeAccount; version comes from the
// record's "v" field.
func decodeAccount(b []byte, version int64) (*account.ExternalAccount, error) {
	a, err := account.DecodeRecord(b)
	if err != nil {
		return nil, corrupt("account", err)
	}
	a.Version = version
	return a, nil
}

// flowJSON is the stored form of a flow, without its state hash (the key).
type flowJSON struct {
	Kind        string   `json:"kd,omitempty"`
	UserID      string   `json:"uid,omitempty"`
	AccountID   string   `json:"aid,omitempty"`
	Strategy    string   `json:"st,omitempty"`
	Secrets     []byte   `json:"s,omitempty"`
	RedirectURL string   `json:"r,omitempty"`
	Scopes      []string `json:"sc,omitempty"`
	Prompt      string   `json:"pr,omitempty"`
	LoginHint   string   `json:"lh,omitempty"`
	Offline     bool     `json:"of,omitempty"`
	BindingHash string   `json:"b,omitempty"`
	CreatedAt   *int64   `json:"ca,omitempty"`
	ExpiresAt   *int64   `json:"xa,omitempty"`
}

// encodeFlow returns the JSON of f without its StateHash, which is the key.
func encodeFlow(f *account.Flow) ([]byte, error) {
	b, err := json.Marshal(flowJSON{
		Kind:        string(f.Kind),
		UserID:      f.UserID,
		AccountID:   f.AccountID,
		Strategy:    f.Strategy.String(),
		Secrets:     f.Secrets,
		RedirectURL: f.RedirectURL,
		Scopes:      f.Scopes,
		Prompt:      f.Prompt,
		LoginHint:   f.LoginHint,
		Offline:     f.Offline,
		BindingHash: f.BindingHash,
		CreatedAt:   verification.UnixMilli(f.CreatedAt),
		ExpiresAt:   verification.UnixMilli(f.ExpiresAt),
	})
	if err != nil {
		return nil, verification.ErrInternal.Wrap(err)
	}
	return b, nil
}

// decodeFlow is the inverse of encodeFlow.
func decodeFlow(stateHash string, b []byte) (*account.Flow, error) {
	var j flowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, corrupt("flow", err)
	}
	var st verification.Strategy
	if err := st.UnmarshalText([]byte(j.Strategy)); err != nil {
		return nil, corrupt("flow", err)
	}
	return &account.Flow{
		StateHash:   stateHash,
		Kind:        account.FlowKind(j.Kind),
		UserID:      j.UserID,
		AccountID:   j.AccountID,
		Strategy:    st,
		Secrets:     j.Secrets,
		RedirectURL: j.RedirectURL,
		Scopes:      j.Scopes,
		Prompt:      j.Prompt,
		LoginHint:   j.LoginHint,
		Offline:     j.Offline,
		BindingHash: j.BindingHash,
		CreatedAt:   verification.FromUnixMilli(j.CreatedAt),
		ExpiresAt:   verification.FromUnixMilli(j.ExpiresAt),
	}, nil
}

// timeField is a token record's "t": epoch milliseconds, "" for the zero
// time.
func timeField(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatInt(t.UnixMilli())
}
