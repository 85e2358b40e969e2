package discord

import "testing"

// TestDefaultAvatarLegacy: a user with a legacy discriminator and no
// avatar gets the default avatar numbered by discriminator modulo 5 (the
// conformance table's examples cover the rest of the mapping).
func TestDefaultAvatarLegacy(t *testing.T) {
	d := avatars("https://cdn.example")
	if got := d.avatarURL("80351110224678912", "", "1337"); got != "https://cdn.example/embed/avatars/2.png" {
		t.Errorf("legacy default avatar %s", got) // 1337 % 5
	}
}
