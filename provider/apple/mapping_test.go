package apple

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
)

func TestMapIdentityUserParam(t *testing.T) {
	user, err := os.ReadFile(filepath.Join("testdata", "user.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		params      map[string][]string
		first, last string
	}{
		{"first authorization", map[string][]string{"user": {string(user)}}, "Jane", "Appleseed"},
		{"later authorization", nil, "", ""},
		{"malformed", map[string][]string{"user": {`{"name":`}}, "", ""},
		{"repeated", map[string][]string{"user": {string(user), string(user)}}, "", ""},
		{"no name (email scope only)", map[string][]string{"user": {`{"email":"a@b.example"}`}}, "", ""},
		{"control characters", map[string][]string{"user": {`{"name":{"firstName":"A\u0000B","lastName":" Lee "}}`}}, "", "Lee"},
		{"huge", map[string][]string{"user": {`{"name":{"firstName":"` + strings.Repeat("x", 5000) + `"}}`}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := &provider.Identity{ProviderUserID: "sub", EmailAddress: "token@example.com"}
			if err := mapIdentity(id, nil, tt.params); err != nil {
				t.Fatal(err)
			}
			if id.FirstName != tt.first || id.LastName != tt.last {
				t.Errorf("names %q %q", id.FirstName, id.LastName)
			}
			if id.EmailAddress != "token@example.com" {
				t.Error("the unsigned user parameter replaced the ID token's email")
			}
		})
	}
}
