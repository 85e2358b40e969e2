package spotify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/spotify"
)

// newFake serves Spotify's documented shapes under its paths: the
// Accounts service (client_secret_basic, PKCE, rotating refresh tokens, no
// revocation endpoint) and GET /v1/me.
func newFake(t *testing.T, me string) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:    providertest.AuthMethodBasic,
		RequirePKCE:   true,
		AuthorizePath: "/authorize",
		TokenPath:     "/api/token",
		RevokePath:    "-",
	})
	body, err := os.ReadFile(filepath.Join("testdata", me))
	if err != nil {
		t.Fatal(err)
	}
	f.HandleAPI("GET /v1/me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.SetLogin("wizzler")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *spotify.Provider {
	t.Helper()
	p, err := spotify.New(spotify.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL:     f.URL, APIURL: f.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFlow exchanges a code directly: oauth_spotify joins the registry's
// catalogue (and so testkit's account Service) when the lead adds it there.
func TestFlow(t *testing.T) {
	f := newFake(t, "me.json")
	id, tok, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := provider.Identity{
		ProviderUserID: "aB3dE5fG7h",
		EmailAddress:   "email@example.com",
		FirstName:      "JM",
		LastName:       "Wizzler",
		AvatarURL:      "https://i.scdn.co/image/ab67616d00001e02ff9ca10b55ce82ae553c8228",
		Username:       "wizzler",
		Claims:         id.Claims,
	}
	if !reflect.DeepEqual(*id, want) || id.Claims["product"] != "premium" {
		t.Errorf("identity %+v", *id)
	}
	if fmt.Sprint(tok.Scopes) != "[user-read-email user-read-private]" || tok.RefreshToken == "" {
		t.Errorf("token scopes %v", tok.Scopes)
	}
	if q := f.LastAuthorize(); q.Get("code_challenge_method") != "S256" || q.Get("scope") != "user-read-email user-read-private" {
		t.Errorf("authorization request %v", q)
	}
}

func TestMinimalProfile(t *testing.T) {
	f := newFake(t, "me_minimal.json")
	id, tok, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "31l77y2al5lnn7mxfrmd4bpfhqke" || id.EmailAddress != "" || id.EmailVerified != nil || id.FirstName != "" || id.AvatarURL != "" {
		t.Errorf("identity %+v", *id)
	}
	// Refresh rotates the refresh token; the old one is spent.
	p := newProvider(t, f)
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil || next.AccessToken == "" || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("Refresh: %v", err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Errorf("reused refresh token: %v", err)
	}
}

func TestNoRevoker(t *testing.T) {
	var p any = newProvider(t, newFake(t, "me.json"))
	if _, ok := p.(provider.Revoker); ok {
		t.Error("Spotify has no revocation endpoint, yet the provider is a provider.Revoker")
	}
}

func TestNewErrors(t *testing.T) {
	creds := provider.Credentials{ClientID: "i", ClientSecret: "s"}
	for name, cfg := range map[string]spotify.Config{
		"bad base URL": {Credentials: creds, BaseURL: "accounts.spotify.com"},
		"bad API URL":  {Credentials: creds, APIURL: "https://api.spotify.com/?x=1"},
	} {
		if _, err := spotify.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "spotify: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
