package facebook

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherauth/tether/provider/internal/claims"
)

func decode(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := claims.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapMe(t *testing.T) {
	tests := []struct {
		fixture                        string
		id, email, first, last, avatar string
		granted                        string
	}{
		{"me.json", "10158291648734956", "jane@example.com", "Jane", "Doe",
			"https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158291648734956&height=50&width=50&ext=1700000000&hash=AbCdEf",
			"[email public_profile]"},
		// Email declined, no first/last names, the default silhouette.
		{"me_declined_email.json", "122094716372136421", "", "Prince", "", "", "[public_profile]"},
		// An id sent as a JSON number beyond 2^53 keeps every digit.
		{"me_numeric_id.json", "10158291648734957", "", "Numeric", "Id", "", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			me := decode(t, tt.fixture)
			id := mapMe(me)
			if id.ProviderUserID != tt.id || id.EmailAddress != tt.email || id.FirstName != tt.first || id.LastName != tt.last || id.AvatarURL != tt.avatar {
				t.Errorf("identity %+v", *id)
			}
			if id.EmailVerified != nil {
				t.Error("Facebook does not say whether the email is verified")
			}
			if got := fmt.Sprint(grantedPermissions(me)); got != tt.granted {
				t.Errorf("granted %s, want %s", got, tt.granted)
			}
		})
	}
	if grantedPermissions(map[string]any{}) != nil {
		t.Error("no permissions edge must mean \"not said\"")
	}
}

func TestProof(t *testing.T) {
	// The hex HMAC-SHA256 of the token keyed with the app secret.
	f := &graph{appSecret: "secret"}
	if got := f.proof("token"); got != "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a" {
		t.Errorf("proof %s", got)
	}
}
