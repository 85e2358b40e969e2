package github

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/claims"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeUser(t *testing.T, name string) map[string]any {
	t.Helper()
	m, err := claims.Decode(fixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decodeEmails(t *testing.T, name string) []map[string]any {
	t.Helper()
	m, err := claims.Decode(append(append([]byte(`{"emails":`), fixture(t, name)...), '}'))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range m["emails"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func TestMapUser(t *testing.T) {
	tests := []struct {
		fixture string
		want    provider.Identity
	}{
		{"user.json", provider.Identity{ProviderUserID: "583231", EmailAddress: "octocat@github.com", FirstName: "The", LastName: "Octocat",
			AvatarURL: "https://avatars.githubusercontent.com/u/583231?v=4", Username: "octocat"}},
		{"user_no_name_no_email.json", provider.Identity{ProviderUserID: "1", AvatarURL: "https://avatars.githubusercontent.com/u/1?v=4", Username: "monalisa"}},
		// Beyond 2^53: a float64 would make it ...992.
		{"user_large_id.json", provider.Identity{ProviderUserID: "9007199254740993", FirstName: "Ada", LastName: "King Lovelace",
			AvatarURL: "https://avatars.githubusercontent.com/u/9007199254740993?v=4", Username: "future-user"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			got := mapUser(decodeUser(t, tt.fixture))
			if got.ProviderUserID != tt.want.ProviderUserID || got.EmailAddress != tt.want.EmailAddress || got.FirstName != tt.want.FirstName ||
				got.LastName != tt.want.LastName || got.AvatarURL != tt.want.AvatarURL || got.Username != tt.want.Username {
				t.Errorf("identity %+v\nwant     %+v", *got, tt.want)
			}
			if got.EmailVerified != nil {
				t.Error("the public email's verification is unknown: EmailVerified must be nil")
			}
			if got.Claims["node_id"] == nil && tt.fixture != "user_large_id.json" {
				t.Error("Claims lost the profile")
			}
		})
	}
}

func TestApplyEmails(t *testing.T) {
	tests := []struct {
		fixture  string
		email    string
		verified *bool
	}{
		{"emails.json", "mona@example.com", new(true)},
		// Decision: an unverified primary address is kept with
		// EmailVerified false, not swapped for a verified secondary one.
		{"emails_unverified_primary.json", "new-address@example.com", new(false)},
		{"emails_empty.json", "octocat@github.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			id := mapUser(decodeUser(t, "user.json"))
			applyEmails(id, decodeEmails(t, tt.fixture))
			if id.EmailAddress != tt.email || (id.EmailVerified == nil) != (tt.verified == nil) ||
				(id.EmailVerified != nil && *id.EmailVerified != *tt.verified) {
				t.Errorf("email %q verified %v, want %q %v", id.EmailAddress, id.EmailVerified, tt.email, tt.verified)
			}
		})
	}
}
