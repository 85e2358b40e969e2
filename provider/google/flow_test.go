package google_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/google"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// newFake is a providertest provider under Google's endpoint paths,
// authenticating clients with client_secret_post, with the users of the
// fixtures.
func newFake(t *testing.T) *providertest.Mounted {
	t.Helper()
	f := providertest.NewMounted(t, providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}}, "", map[string]string{
		"/o/oauth2/v2/auth": providertest.PathAuthorize,
		"/token":            providertest.PathToken,
		"/oauth2/v3/certs":  providertest.PathJWKS,
		"/revoke":           providertest.PathRevoke,
	})
	for _, name := range []string{"id_token_workspace.json", "id_token_gmail.json", "id_token_unverified_no_profile.json"} {
		f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", name)))
	}
	return f
}

func newProvider(t *testing.T, f *providertest.Mounted, change ...func(*google.Config)) *google.Provider {
	t.Helper()
	cfg := google.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL}
	for _, c := range change {
		c(&cfg)
	}
	p, err := google.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t)
	f.SetLogin("110169484474386276334")
	e := testkit.New(t, newProvider(t, f))
	a := e.Connect("user_1")
	q := query(t, a.Verification.ExternalVerificationRedirectURL)
	if q.Get("access_type") != "offline" || q.Get("prompt") != "consent" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authorization URL %v: want a nonce, PKCE, and a refresh token asked for", q)
	}
	c, err := e.Complete(testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Check(t, c.Account, testkit.Want{
		ProviderUserID: "110169484474386276334",
		Email:          "ada.lovelace@gmail.com",
		EmailVerified:  new(true),
		FirstName:      "Ada",
		LastName:       "Lovelace",
		AvatarURL:      "https://lh3.googleusercontent.com/a/ACg8ocK-ada=s96-c",
		Scopes:         []string{"openid", "email", "profile"},
	})
	if st := f.Stats(); st.UserinfoRequests != 0 {
		t.Errorf("%d userinfo requests: the ID token has the claims", st.UserinfoRequests)
	}
	// Destroy revokes the grant at Google.
	if err := e.Service.Destroy(context.Background(), "user_1", c.Account.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestFixtures(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, f)
	tests := []struct {
		sub                        string
		email, first, last, avatar string
		verified                   *bool
		hd                         string
	}{
		// A Workspace account; Google's documented example sends
		// email_verified as a string.
		{"10769150350006150715113082367", "jsmith@example.com", "John", "Smith", "https://lh3.googleusercontent.com/a/ACg8ocJ-jsmith=s96-c", new(true), "example.com"},
		{"110169484474386276334", "ada.lovelace@gmail.com", "Ada", "Lovelace", "https://lh3.googleusercontent.com/a/ACg8ocK-ada=s96-c", new(true), ""},
		// Unverified, without the profile scope's claims.
		{"117340912353491123456", "someone@example.org", "", "", "", new(false), ""},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			f.SetLogin(tt.sub)
			id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if id.ProviderUserID != tt.sub || id.EmailAddress != tt.email || id.FirstName != tt.first || id.LastName != tt.last || id.AvatarURL != tt.avatar {
				t.Errorf("identity %+v", *id)
			}
			if id.EmailVerified == nil || *id.EmailVerified != *tt.verified {
				t.Errorf("verified %v", id.EmailVerified)
			}
			if hd, _ := id.Claims["hd"].(string); hd != tt.hd {
				t.Errorf("hd claim %q, want %q", hd, tt.hd)
			}
		})
	}
}

func TestHostedDomain(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, f, func(c *google.Config) { c.HostedDomain = "example.com" })
	f.SetLogin("10769150350006150715113082367")
	id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil || id.Claims["hd"] != "example.com" {
		t.Fatalf("Workspace account: %v", err)
	}
	// A gmail.com account has no hd: refused on the signed claim.
	f.SetLogin("110169484474386276334")
	_, _, err = testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), "hosted domain") {
		t.Errorf("account outside the domain: %v", err)
	}
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", CodeChallenge: strings.Repeat("c", 43), Nonce: "n", RedirectURI: testkit.CallbackURL})
	if err != nil || query(t, u).Get("hd") != "example.com" {
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
		q := query(t, u)
		if q.Get("prompt") != tt.want || (q.Get("access_type") == "offline") != tt.offline {
			t.Errorf("offline %t prompt %q: %v", tt.offline, tt.prompt, q)
		}
		if !strings.HasPrefix(u, "https://accounts.google.com/o/oauth2/v2/auth?") {
			t.Errorf("URL %s", u)
		}
	}
}

func TestRefresh(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, f)
	f.SetLogin("110169484474386276334")
	_, tok, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil || next.AccessToken == "" {
		t.Fatalf("Refresh: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]google.Config{
		"bad base URL": {Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, BaseURL: "localhost:8080"},
	} {
		if _, err := google.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "google: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, _ := google.New(google.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}})
	if md := p.Metadata(); !md.OpenID || md.Issuer != google.Issuer || md.Title != "Google" {
		t.Errorf("metadata %+v", md)
	}
}

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
