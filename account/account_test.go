package account_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

func TestExternalAccountJSON(t *testing.T) {
	yes := true
	created := time.UnixMilli(1764072000000).UTC()
	a := &account.ExternalAccount{
		ID:                   "eac_1",
		UserID:               "user_42",
		IdentificationID:     "idn_1",
		Provider:             verification.MustParseStrategy("oauth_google"),
		ProviderUserID:       "1122334455",
		EmailAddress:         "ada@example.com",
		EmailAddressVerified: &yes,
		ApprovedScopes:       []string{"openid", "email", "profile"},
		FirstName:            "Ada",
		LastName:             "Lovelace",
		AvatarURL:            "https://lh3.example/ada.png",
		Label:                "Work",
		PublicMetadata:       map[string]any{"team": "core"},
		Verification: verification.Verification{
			Status:   verification.StatusVerified,
			Strategy: verification.MustParseStrategy("oauth_google"),
			Attempts: 1,
			ExpireAt: created.Add(10 * time.Minute),
		},
		CreatedAt: created,
		UpdatedAt: created.Add(time.Second),
		Version:   7,
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"object":"external_account","id":"eac_1","identification_id":"idn_1","provider":"oauth_google",` +
		`"provider_user_id":"1122334455","email_address":"ada@example.com","email_address_verified":true,` +
		`"approved_scopes":"openid email profile","first_name":"Ada","last_name":"Lovelace",` +
		`"image_url":"https://lh3.example/ada.png","avatar_url":"https://lh3.example/ada.png","username":null,"label":"Work",` +
		`"public_metadata":{"team":"core"},"verification":{"object":"verification_oauth","status":"verified","strategy":"oauth_google",` +
		`"attempts":1,"expire_at":1764072600000,"error":null,"external_verification_redirect_url":null},` +
		`"created_at":1764072000000,"updated_at":1764072001000}`
	if string(b) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", b, want)
	}
	if strings.Contains(string(b), "user_42") {
		t.Fatal("UserID on the wire")
	}

	var back account.ExternalAccount
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	// UserID and Version are not on the wire; everything else round-trips.
	a.UserID, a.Version = "", 0
	if !reflect.DeepEqual(&back, a) {
		t.Fatalf("round trip:\n got  %+v\n want %+v", back, *a)
	}
}

func TestExternalAccountJSONEmpty(t *testing.T) {
	a := &account.ExternalAccount{ID: "eac_2", Provider: verification.MustParseStrategy("oauth_custom_dev")}
	b, _ := json.Marshal(a)
	for _, frag := range []string{`"email_address_verified":null`, `"approved_scopes":""`, `"public_metadata":{}`, `"username":null`, `"label":null`, `"created_at":null`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s: %s", frag, b)
		}
	}
	var back account.ExternalAccount
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.ApprovedScopes != nil || back.PublicMetadata != nil || back.EmailAddressVerified != nil {
		t.Fatalf("empty fields did not read back empty: %+v", back)
	}
	// The deprecated alias alone is read.
	if err := json.Unmarshal([]byte(`{"object":"external_account","avatar_url":"https://a/b.png"}`), &back); err != nil || back.AvatarURL != "https://a/b.png" {
		t.Fatalf("avatar_url alias: %v %q", err, back.AvatarURL)
	}
	if err := json.Unmarshal([]byte(`{"object":"session"}`), &back); err == nil {
		t.Fatal("wrong object accepted")
	}
}

func TestHelpers(t *testing.T) {
	tests := []struct {
		provider, title string
		a               account.ExternalAccount
		identifier      string
	}{
		{"oauth_google", "Google Account", account.ExternalAccount{EmailAddress: "a@b.c", Label: "l"}, "a@b.c"},
		{"oauth_github", "GitHub Account", account.ExternalAccount{Username: "octocat", EmailAddress: "a@b.c"}, "octocat"},
		{"oauth_custom_my-idp", "My Idp Account", account.ExternalAccount{Label: "Corp"}, "Corp"},
		{"oauth_custom_github", "Github Account", account.ExternalAccount{}, ""},
		{"oauth_x", "X Account", account.ExternalAccount{}, ""},
	}
	for _, tc := range tests {
		a := tc.a
		a.Provider = verification.MustParseStrategy(tc.provider)
		if got := a.ProviderTitle(); got != tc.title {
			t.Errorf("%s: ProviderTitle = %q, want %q", tc.provider, got, tc.title)
		}
		if got := a.AccountIdentifier(); got != tc.identifier {
			t.Errorf("%s: AccountIdentifier = %q, want %q", tc.provider, got, tc.identifier)
		}
	}
	a := account.ExternalAccount{Provider: verification.MustParseStrategy("oauth_google")}
	if a.ProviderSlug() != "google" {
		t.Errorf("ProviderSlug = %q", a.ProviderSlug())
	}
}

func TestClone(t *testing.T) {
	yes := true
	a := &account.ExternalAccount{
		EmailAddressVerified: &yes,
		ApprovedScopes:       []string{"a"},
		PublicMetadata:       map[string]any{"k": map[string]any{"n": 1.0}},
		Verification:         verification.Verification{Error: verification.ErrAccessDenied.WithParam("x")},
	}
	c := a.Clone()
	*c.EmailAddressVerified = false
	c.ApprovedScopes[0] = "b"
	c.PublicMetadata["k"].(map[string]any)["n"] = 2.0
	c.Verification.Error.Code = "changed"
	if !*a.EmailAddressVerified || a.ApprovedScopes[0] != "a" || a.PublicMetadata["k"].(map[string]any)["n"] != 1.0 || a.Verification.Error.Code != "oauth_access_denied" {
		t.Fatalf("Clone shares state: %+v", a)
	}
}

func TestNewID(t *testing.T) {
	seen := make(map[string]bool)
	var prev string
	for i := range 2000 {
		id := account.NewID(account.AccountIDPrefix)
		if !strings.HasPrefix(id, "eac_") || len(id) != len("eac_")+36 {
			t.Fatalf("NewID = %q", id)
		}
		for _, c := range id[4:] {
			if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", c) {
				t.Fatalf("NewID %q has %q", id, c)
			}
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if i == 1000 {
			time.Sleep(2 * time.Millisecond) // a later millisecond sorts later
			prev = id
		}
		if i == 1001 && id <= prev {
			t.Fatalf("ids do not sort by creation: %q after %q", id, prev)
		}
	}
	if !strings.HasPrefix(account.NewID(account.IdentificationIDPrefix), "idn_") {
		t.Fatal("idn prefix")
	}
}

func TestMergeScopesViaJSON(t *testing.T) {
	// approved_scopes on the wire are one space-separated string; extra
	// spaces do not make empty scopes.
	var a account.ExternalAccount
	if err := json.Unmarshal([]byte(`{"approved_scopes":"  openid   email "}`), &a); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.ApprovedScopes, []string{"openid", "email"}) {
		t.Fatalf("scopes = %q", a.ApprovedScopes)
	}
}
