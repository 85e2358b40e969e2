package redisstore

import (
	"encoding/json"
	"maps"
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

// accountJSON is the stored form of an account, without its version.
type accountJSON struct {
	ID               string           `json:"id"`
	UserID           string           `json:"uid,omitempty"`
	IdentificationID string           `json:"idn,omitempty"`
	Provider         string           `json:"p,omitempty"`
	ProviderUserID   string           `json:"pu,omitempty"`
	Email            string           `json:"em,omitempty"`
	EmailVerified    *bool            `json:"ev,omitempty"`
	Scopes           []string         `json:"sc,omitempty"`
	FirstName        string           `json:"fn,omitempty"`
	LastName         string           `json:"ln,omitempty"`
	AvatarURL        string           `json:"av,omitempty"`
	Username         string           `json:"un,omitempty"`
	Label            string           `json:"lb,omitempty"`
	Metadata         map[string]any   `json:"md,omitempty"`
	Verification     verificationJSON `json:"vf"`
	CreatedAt        *int64           `json:"ca,omitempty"`
	UpdatedAt        *int64           `json:"ua,omitempty"`
}

// verificationJSON is the stored form of a verification, FlowKey included.
type verificationJSON struct {
	Status      string     `json:"s,omitempty"`
	Strategy    string     `json:"st,omitempty"`
	Attempts    int        `json:"a,omitempty"`
	ExpireAt    *int64     `json:"x,omitempty"`
	Error       *errorJSON `json:"e,omitempty"`
	RedirectURL string     `json:"r,omitempty"`
	FlowKey     string     `json:"k,omitempty"`
}

// errorJSON is the stored form of a verification's error; its cause is
// not stored.
type errorJSON struct {
	Code        string            `json:"c"`
	Message     string            `json:"m,omitempty"`
	LongMessage string            `json:"l,omitempty"`
	Meta        map[string]string `json:"mt,omitempty"`
}

// encodeAccount returns the JSON of a without its Version, which lives in
// the record's "v" field.
func encodeAccount(a *account.ExternalAccount) ([]byte, error) {
	v := a.Verification
	j := accountJSON{
		ID:               a.ID,
		UserID:           a.UserID,
		IdentificationID: a.IdentificationID,
		Provider:         a.Provider.String(),
		ProviderUserID:   a.ProviderUserID,
		Email:            a.EmailAddress,
		EmailVerified:    a.EmailAddressVerified,
		Scopes:           a.ApprovedScopes,
		FirstName:        a.FirstName,
		LastName:         a.LastName,
		AvatarURL:        a.AvatarURL,
		Username:         a.Username,
		Label:            a.Label,
		Metadata:         a.PublicMetadata,
		Verification: verificationJSON{
			Status:      string(v.Status),
			Strategy:    v.Strategy.String(),
			Attempts:    v.Attempts,
			ExpireAt:    verification.UnixMilli(v.ExpireAt),
			RedirectURL: v.ExternalVerificationRedirectURL,
			FlowKey:     v.FlowKey,
		},
		CreatedAt: verification.UnixMilli(a.CreatedAt),
		UpdatedAt: verification.UnixMilli(a.UpdatedAt),
	}
	if e := v.Error; e != nil {
		j.Verification.Error = &errorJSON{Code: e.Code, Message: e.Message, LongMessage: e.LongMessage, Meta: e.Meta}
	}
	b, err := json.Marshal(j)
	if err != nil {
		// Only PublicMetadata can fail (a value JSON cannot hold).
		return nil, verification.ErrFormParamInvalid.WithParam("public_metadata").Wrap(err)
	}
	return b, nil
}

// decodeAccount is the inverse of encodeAccount; version comes from the
// record's "v" field.
func decodeAccount(b []byte, version int64) (*account.ExternalAccount, error) {
	var j accountJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, corrupt("account", err)
	}
	var p, vs verification.Strategy
	if err := p.UnmarshalText([]byte(j.Provider)); err != nil {
		return nil, corrupt("account", err)
	}
	if err := vs.UnmarshalText([]byte(j.Verification.Strategy)); err != nil {
		return nil, corrupt("account", err)
	}
	a := &account.ExternalAccount{
		ID:                   j.ID,
		UserID:               j.UserID,
		IdentificationID:     j.IdentificationID,
		Provider:             p,
		ProviderUserID:       j.ProviderUserID,
		EmailAddress:         j.Email,
		EmailAddressVerified: j.EmailVerified,
		ApprovedScopes:       j.Scopes,
		FirstName:            j.FirstName,
		LastName:             j.LastName,
		AvatarURL:            j.AvatarURL,
		Username:             j.Username,
		Label:                j.Label,
		PublicMetadata:       j.Metadata,
		Verification: verification.Verification{
			Status:                          verification.Status(j.Verification.Status),
			Strategy:                        vs,
			Attempts:                        j.Verification.Attempts,
			ExpireAt:                        verification.FromUnixMilli(j.Verification.ExpireAt),
			ExternalVerificationRedirectURL: j.Verification.RedirectURL,
			FlowKey:                         j.Verification.FlowKey,
		},
		CreatedAt: verification.FromUnixMilli(j.CreatedAt),
		UpdatedAt: verification.FromUnixMilli(j.UpdatedAt),
		Version:   version,
	}
	if e := j.Verification.Error; e != nil {
		a.Verification.Error = &verification.Error{Code: e.Code, Message: e.Message, LongMessage: e.LongMessage, Meta: maps.Clone(e.Meta)}
	}
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
