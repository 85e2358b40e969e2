package google_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// TestHostedDomain: with Config.HostedDomain, the authorization asks for
// the domain and the signed hd claim decides; a gmail.com account, which
// has none, is refused.
func TestHostedDomain(t *testing.T) {
	const workspaceSub, gmailSub = "10769150350006150715113082367", "110169484474386276334"
	f := providertest.NewMounted(t, providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}}, "", map[string]string{
		"/o/oauth2/v2/auth": providertest.PathAuthorize,
		"/token":            providertest.PathToken,
		"/oauth2/v3/certs":  providertest.PathJWKS,
	})
	verified := true
	f.AddUser(providertest.User{Subject: workspaceSub, Email: "jsmith@example.com", EmailVerified: &verified, Extra: map[string]any{"hd": "example.com"}})
	f.AddUser(providertest.User{Subject: gmailSub, Email: "ada.lovelace@gmail.com", EmailVerified: &verified})
	p, err := google.New(google.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL, HostedDomain: "example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	f.SetLogin(workspaceSub)
	id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil || id.Claims["hd"] != "example.com" {
		t.Fatalf("Workspace account: %v", err)
	}
	// A gmail.com account has no hd: refused on the signed claim.
	f.SetLogin(gmailSub)
	_, _, err = testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), "hosted domain") {
		t.Errorf("account outside the domain: %v", err)
	}
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", CodeChallenge: strings.Repeat("c", 43), Nonce: "n", RedirectURI: testkit.CallbackURL})
	if err != nil || testkit.Query(t, u).Get("hd") != "example.com" {
		t.Errorf("hd parameter: %v", err)
	}
}

func TestOfflineParameters(t *testing.T) {
	p, err := google.New(google.Config{Credentials: provider.Credentials{ClientID: "id", ClientSecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		offline      bool
		prompt, want string
	}{
		{true, "", "consent"},
		{true, "select_account", "select_account consent"},
		{true, "consent", "consent"},
		{true, "none", "none"},
		{false, "", ""},
		{false, "select_account", "select_account"},
	}
	for _, tt := range tests {
		u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{
			State: "s", CodeChallenge: strings.Repeat("c", 43), Nonce: "n", RedirectURI: testkit.CallbackURL,
			Prompt: tt.prompt, Offline: tt.offline,
		})
		if err != nil {
			t.Fatal(err)
		}
		q := testkit.Query(t, u)
		if q.Get("prompt") != tt.want || (q.Get("access_type") == "offline") != tt.offline {
			t.Errorf("offline %t prompt %q: %v", tt.offline, tt.prompt, q)
		}
		if !strings.HasPrefix(u, "https://accounts.google.com/o/oauth2/v2/auth?") {
			t.Errorf("URL %s", u)
		}
	}
}
