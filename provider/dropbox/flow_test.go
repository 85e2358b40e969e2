package dropbox_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/dropbox"
	"github.com/tetherauth/tether/provider/providertest"
)

// newFake serves Dropbox's documented shapes under its paths: the
// authorization and token endpoints (client_secret_basic, PKCE), the
// get_current_account RPC (a POST without a body) and the revocation RPC,
// which takes the access token to revoke as its bearer token.
func newFake(t *testing.T, account string) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:    providertest.AuthMethodBasic,
		RequirePKCE:   true,
		AuthorizePath: "/oauth2/authorize",
		TokenPath:     "/oauth2/token",
		RevokePath:    "-",
	})
	body, err := os.ReadFile(filepath.Join("testdata", account))
	if err != nil {
		t.Fatal(err)
	}
	f.HandleAPI("POST /2/users/get_current_account", func(w http.ResponseWriter, r *http.Request, _ providertest.OAuth2Token) {
		if r.ContentLength > 0 {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error_summary": "unexpected body"})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.HandleAPI("POST /2/auth/token/revoke", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		f.RevokeGrant(tok.Value)
		providertest.WriteRaw(w, http.StatusOK, []byte("null"))
	})
	f.SetLogin("franz")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *dropbox.Provider {
	t.Helper()
	p, err := dropbox.New(dropbox.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL:     f.URL, APIURL: f.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t, "account.json")
	p := newProvider(t, f)
	id, tok, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := provider.Identity{
		ProviderUserID: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
		EmailAddress:   "franz@dropbox.com",
		EmailVerified:  new(true),
		FirstName:      "Franz",
		LastName:       "Ferdinand",
		AvatarURL:      "https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAHWGmIXV3sUuOmBfTz0wPsiqHUpBWvv3ZA?vers=1556069330102&size=128x128",
		Claims:         id.Claims,
	}
	if !reflect.DeepEqual(*id, want) || id.Claims["country"] != "US" {
		t.Errorf("identity %+v", *id)
	}
	if q := f.LastAuthorize(); q.Get("token_access_type") != "offline" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != "account_info.read" {
		t.Errorf("authorization request %v", q)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with token_access_type=offline")
	}
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil || next.AccessToken == "" {
		t.Fatalf("Refresh: %v", err)
	}

	// Revocation: by refresh token it is unsupported (nothing is sent);
	// by access token it ends the whole grant.
	if err := p.Revoke(context.Background(), next.RefreshToken, "refresh_token"); !errors.Is(err, provider.ErrRevocationUnsupported) {
		t.Fatalf("Revoke(refresh_token) = %v, want ErrRevocationUnsupported", err)
	}
	if err := p.Revoke(context.Background(), next.AccessToken, "access_token"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if tk, _ := f.Lookup(next.RefreshToken); !tk.Revoked {
		t.Error("revoking the access token left its refresh token valid")
	}
	if err := p.Revoke(context.Background(), next.AccessToken, "access_token"); err == nil || strings.Contains(err.Error(), next.AccessToken) {
		t.Errorf("Revoke of a revoked token = %v: want an error without the token", err)
	}
}

// TestUnverifiedWithoutNames: an unverified address is reported as such,
// and an account without names has none.
func TestUnverifiedWithoutNames(t *testing.T) {
	f := newFake(t, "account_unverified.json")
	id, _, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "dbid:AAB0tw9Gq6yFz1XoLR3dKkQ0XqnVHo8dfBY" || id.EmailVerified == nil || *id.EmailVerified ||
		id.FirstName != "" || id.LastName != "" || id.AvatarURL != "" {
		t.Errorf("identity %+v", *id)
	}
}

func TestNewErrors(t *testing.T) {
	creds := provider.Credentials{ClientID: "i", ClientSecret: "s"}
	for name, cfg := range map[string]dropbox.Config{
		"no secret":    {Credentials: provider.Credentials{ClientID: "i"}},
		"bad base URL": {Credentials: creds, BaseURL: "www.dropbox.com"},
		"bad API URL":  {Credentials: creds, APIURL: "https://api.dropboxapi.com/#x"},
	} {
		if _, err := dropbox.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "dropbox: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
