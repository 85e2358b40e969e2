package discord

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/provider/internal/claims"
)

func TestMapUser(t *testing.T) {
	d := avatars(DefaultCDNURL)
	tests := []struct {
		fixture                              string
		id, email, first, last, avatar, user string
		verified                             *bool
	}{
		{"user.json", "80351110224678912", "nelly@discord.com", "Nelly", "Furtado",
			"https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png", "nelly", new(true)},
		// No email scope, no avatar: the default avatar of a migrated user.
		{"user_no_email_no_avatar.json", "1234567890123456789", "", "", "",
			"https://cdn.discordapp.com/embed/avatars/1.png", "quiet", nil},
		// A numeric id beyond 2^53, an animated avatar, a legacy
		// discriminator and an unverified email.
		{"user_unverified_legacy.json", "18446744073709551615", "legacy@example.com", "Legacy", "",
			"https://cdn.discordapp.com/avatars/18446744073709551615/a_d5efa99b3eeaa7dd43acca82f5692432.gif", "Legacy#1337", new(false)},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			m, err := claims.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			id, err := d.mapUser(m)
			if err != nil {
				t.Fatal(err)
			}
			if id.ProviderUserID != tt.id || id.EmailAddress != tt.email || id.FirstName != tt.first || id.LastName != tt.last ||
				id.AvatarURL != tt.avatar || id.Username != tt.user {
				t.Errorf("identity %+v", *id)
			}
			if (id.EmailVerified == nil) != (tt.verified == nil) || (id.EmailVerified != nil && *id.EmailVerified != *tt.verified) {
				t.Errorf("verified %v, want %v", id.EmailVerified, tt.verified)
			}
		})
	}
}

func TestDefaultAvatarLegacy(t *testing.T) {
	d := avatars("https://cdn.example")
	if got := d.avatarURL("80351110224678912", "", "1337"); got != "https://cdn.example/embed/avatars/2.png" {
		t.Errorf("legacy default avatar %s", got) // 1337 % 5
	}
}
