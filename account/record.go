package account

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/tetherauth/tether/verification"
)

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

// EncodeRecord returns the compact JSON form of a, without its Version:
// short names, empty fields left out, times as Unix milliseconds, the
// verification's FlowKey included. It is the stored form of an account for
// stores that keep one document per account (store/redisstore), and the
// form in which a flow carries the account it will update. It fails only
// when PublicMetadata holds a value JSON cannot encode.
func EncodeRecord(a *ExternalAccount) ([]byte, error) {
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
	return json.Marshal(j)
}

// DecodeRecord is the inverse of EncodeRecord; the account's Version is
// 0. Names it does not know are ignored, so a later form can add fields.
func DecodeRecord(b []byte) (*ExternalAccount, error) {
	var j accountJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("account: record: %w", err)
	}
	var p, vs verification.Strategy
	if err := p.UnmarshalText([]byte(j.Provider)); err != nil {
		return nil, fmt.Errorf("account: record: %w", err)
	}
	if err := vs.UnmarshalText([]byte(j.Verification.Strategy)); err != nil {
		return nil, fmt.Errorf("account: record: %w", err)
	}
	a := &ExternalAccount{
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
	}
	if e := j.Verification.Error; e != nil {
		a.Verification.Error = &verification.Error{Code: e.Code, Message: e.Message, LongMessage: e.LongMessage, Meta: maps.Clone(e.Meta)}
	}
	return a, nil
}
