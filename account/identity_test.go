package account

import (
	"errors"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

func TestCleanIdentity(t *testing.T) {
	yes := true
	in := &provider.Identity{
		ProviderUserID: "1234567890",
		EmailAddress:   "ada@example.com",
		EmailVerified:  &yes,
		FirstName:      " Ada\x00 ",
		LastName:       "Love\u2028lace\xff",
		Username:       strings.Repeat("u", 300),
		AvatarURL:      "https://img.example/a.png",
	}
	got, err := cleanIdentity(in)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Ada" || got.LastName != "Lovelace" || len(got.Username) != maxProfileText ||
		got.EmailAddress != "ada@example.com" || got.EmailVerified != &yes || got.AvatarURL != in.AvatarURL {
		t.Fatalf("cleaned: %+v", got)
	}
	if in.FirstName != " Ada\x00 " {
		t.Fatal("cleanIdentity modified its argument")
	}

	for _, avatar := range []string{"javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/a.png", "/relative.png",
		"https://u:p@img.example/a", "https://img.example/a b.png", "https:img.example", "https://img.example/\x00"} {
		got, _ := cleanIdentity(&provider.Identity{ProviderUserID: "1", AvatarURL: avatar})
		if got.AvatarURL != "" {
			t.Errorf("avatar %q kept", avatar)
		}
	}
	for _, email := range []string{"no-at-sign", "@example.com", "ada@", "a da@example.com", "ada@example.com\r\nBcc: x", strings.Repeat("a", 321) + "@x"} {
		got, _ := cleanIdentity(&provider.Identity{ProviderUserID: "1", EmailAddress: email, EmailVerified: &yes})
		if got.EmailAddress != "" || got.EmailVerified != nil {
			t.Errorf("email %q kept", email)
		}
	}
	for _, sub := range []string{"", "a\x00b", "a\nb", "\xff", strings.Repeat("1", 256)} {
		if _, err := cleanIdentity(&provider.Identity{ProviderUserID: sub}); !errors.Is(err, verification.ErrFetchUser) {
			t.Errorf("provider user id %q: %v", sub, err)
		}
	}
}
