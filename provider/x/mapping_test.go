package x

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/provider/internal/claims"
)

func TestMapUser(t *testing.T) {
	tests := []struct {
		fixture                        string
		id, first, last, avatar, login string
		wantErr                        bool
	}{
		{"users_me.json", "2244994945", "X", "Dev", "https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg", "TwitterDev", false},
		{"users_me_minimal.json", "1460299593467867136", "", "", "", "no_avatar_yet", false},
		{"users_me_error.json", "", "", "", "", "", true},
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
			id, err := mapUser(m)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id.ProviderUserID != tt.id || id.FirstName != tt.first || id.LastName != tt.last || id.AvatarURL != tt.avatar || id.Username != tt.login {
				t.Errorf("identity %+v", *id)
			}
			if id.EmailAddress != "" || id.EmailVerified != nil {
				t.Error("X shares no email address")
			}
		})
	}
}
