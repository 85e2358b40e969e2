package account

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tetherauth/tether/verification"
)

// ExternalAccount is an account at an external provider linked to a user of
// the host application: Clerk's ExternalAccount resource.
//
// An ExternalAccount is created unverified by Connect and verified by the
// OAuth callback; its identity (Provider, ProviderUserID) is set by the first
// successful callback and never changes afterwards. Timestamps have
// millisecond precision, as on the wire.
type ExternalAccount struct {
	// ID is "eac_" followed by a random, time-ordered suffix.
	ID string
	// UserID is the host's user id. It is not part of the Frontend API JSON.
	UserID string
	// IdentificationID is "idn_" followed by a random suffix: the identity
	// (provider, provider user id) this account verifies.
	IdentificationID string
	// Provider is the strategy of the provider: oauth_google,
	// oauth_custom_dev.
	Provider verification.Strategy
	// ProviderUserID is the provider's stable id of the account (the OIDC
	// "sub", GitHub's numeric id); "" until the first verification.
	ProviderUserID string
	EmailAddress   string
	// EmailAddressVerified is the provider's word on EmailAddress, nil when
	// unknown.
	EmailAddressVerified *bool
	// ApprovedScopes are the scopes the provider granted.
	ApprovedScopes []string
	FirstName      string
	LastName       string
	AvatarURL      string
	// Username is the account's login name at the provider, "" when none.
	Username string
	// Label tells apart several accounts of one provider; "" when none.
	Label string
	// PublicMetadata is set by the host only.
	PublicMetadata map[string]any
	// Verification is the latest verification of the account.
	Verification verification.Verification
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version is the optimistic-concurrency counter: 1 after Create, bumped
	// by every Update. It is not on the wire.
	Version int64
}

// ObjectName is the "object" of an external account on the wire.
const ObjectName = "external_account"

// ProviderSlug returns the provider's slug: "google" for oauth_google, "dev"
// for oauth_custom_dev.
func (a *ExternalAccount) ProviderSlug() string { return a.Provider.Slug() }

// ProviderTitle returns a human title such as "Google Account". Slugs are
// title-cased word by word ("gitlab" gives "Gitlab Account"); catalogue
// providers with other spellings are listed.
func (a *ExternalAccount) ProviderTitle() string {
	slug := a.ProviderSlug()
	if t, ok := providerTitles[slug]; ok && !a.Provider.IsCustom() {
		return t + " Account"
	}
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '_' || r == '-' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	if len(words) == 0 {
		return "Account"
	}
	return strings.Join(words, " ") + " Account"
}

var providerTitles = map[string]string{
	"github":   "GitHub",
	"gitlab":   "GitLab",
	"linkedin": "LinkedIn",
	"x":        "X",
	"tiktok":   "TikTok",
	"hubspot":  "HubSpot",
}

// AccountIdentifier returns what identifies the account to a person: the
// username, else the email address, else the label.
func (a *ExternalAccount) AccountIdentifier() string {
	switch {
	case a.Username != "":
		return a.Username
	case a.EmailAddress != "":
		return a.EmailAddress
	default:
		return a.Label
	}
}

// Verified reports whether the account's latest verification is verified.
func (a *ExternalAccount) Verified() bool {
	return a.Verification.Status == verification.StatusVerified
}

// HasIdentity reports whether a verification has ever bound the account to
// an identity at its provider.
func (a *ExternalAccount) HasIdentity() bool { return a.ProviderUserID != "" }

// Clone returns a deep copy of a, so that stores and callers never share
// mutable state.
func (a *ExternalAccount) Clone() *ExternalAccount {
	if a == nil {
		return nil
	}
	c := *a
	c.ApprovedScopes = slices.Clone(a.ApprovedScopes)
	if a.EmailAddressVerified != nil {
		v := *a.EmailAddressVerified
		c.EmailAddressVerified = &v
	}
	c.PublicMetadata = cloneMetadata(a.PublicMetadata)
	if a.Verification.Error != nil {
		e := *a.Verification.Error
		c.Verification.Error = &e
	}
	return &c
}

func cloneMetadata(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	// Metadata is JSON by contract; a JSON round trip is the deep copy that
	// is correct for every value it can hold.
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	var c map[string]any
	if json.Unmarshal(b, &c) != nil {
		return m
	}
	return c
}

// wireAccount is Clerk's external_account JSON.
type wireAccount struct {
	Object               string                     `json:"object"`
	ID                   string                     `json:"id"`
	IdentificationID     string                     `json:"identification_id"`
	Provider             string                     `json:"provider"`
	ProviderUserID       string                     `json:"provider_user_id"`
	EmailAddress         string                     `json:"email_address"`
	EmailAddressVerified *bool                      `json:"email_address_verified"`
	ApprovedScopes       string                     `json:"approved_scopes"`
	FirstName            string                     `json:"first_name"`
	LastName             string                     `json:"last_name"`
	ImageURL             string                     `json:"image_url"`
	AvatarURL            string                     `json:"avatar_url"`
	Username             *string                    `json:"username"`
	Label                *string                    `json:"label"`
	PublicMetadata       map[string]any             `json:"public_metadata"`
	Verification         *verification.Verification `json:"verification"`
	CreatedAt            *int64                     `json:"created_at"`
	UpdatedAt            *int64                     `json:"updated_at"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalJSON writes Clerk's external_account object: approved scopes as one
// space-separated string, timestamps in epoch milliseconds, image_url with
// its deprecated alias avatar_url, null username and label when empty.
// UserID and Version are not written. The receiver is a value so that an
// ExternalAccount marshals the same way as a pointer to one.
func (a ExternalAccount) MarshalJSON() ([]byte, error) {
	w := wireAccount{
		Object:               ObjectName,
		ID:                   a.ID,
		IdentificationID:     a.IdentificationID,
		Provider:             a.Provider.String(),
		ProviderUserID:       a.ProviderUserID,
		EmailAddress:         a.EmailAddress,
		EmailAddressVerified: a.EmailAddressVerified,
		ApprovedScopes:       strings.Join(a.ApprovedScopes, " "),
		FirstName:            a.FirstName,
		LastName:             a.LastName,
		ImageURL:             a.AvatarURL,
		AvatarURL:            a.AvatarURL,
		Username:             nullable(a.Username),
		Label:                nullable(a.Label),
		PublicMetadata:       a.PublicMetadata,
		Verification:         &a.Verification,
		CreatedAt:            verification.UnixMilli(a.CreatedAt),
		UpdatedAt:            verification.UnixMilli(a.UpdatedAt),
	}
	if w.PublicMetadata == nil {
		w.PublicMetadata = map[string]any{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Clerk's external_account object. image_url wins over
// avatar_url when both are set; an empty public_metadata reads as nil.
func (a *ExternalAccount) UnmarshalJSON(b []byte) error {
	var w wireAccount
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.Object != "" && w.Object != ObjectName {
		return fmt.Errorf("account: object %q is not %s", w.Object, ObjectName)
	}
	var p verification.Strategy
	if err := p.UnmarshalText([]byte(w.Provider)); err != nil {
		return err
	}
	*a = ExternalAccount{
		ID:                   w.ID,
		IdentificationID:     w.IdentificationID,
		Provider:             p,
		ProviderUserID:       w.ProviderUserID,
		EmailAddress:         w.EmailAddress,
		EmailAddressVerified: w.EmailAddressVerified,
		ApprovedScopes:       strings.Fields(w.ApprovedScopes),
		FirstName:            w.FirstName,
		LastName:             w.LastName,
		AvatarURL:            w.ImageURL,
		CreatedAt:            verification.FromUnixMilli(w.CreatedAt),
		UpdatedAt:            verification.FromUnixMilli(w.UpdatedAt),
	}
	if a.AvatarURL == "" {
		a.AvatarURL = w.AvatarURL
	}
	if len(a.ApprovedScopes) == 0 {
		a.ApprovedScopes = nil
	}
	if w.Username != nil {
		a.Username = *w.Username
	}
	if w.Label != nil {
		a.Label = *w.Label
	}
	if len(w.PublicMetadata) > 0 {
		a.PublicMetadata = w.PublicMetadata
	}
	if w.Verification != nil {
		a.Verification = *w.Verification
	}
	return nil
}
