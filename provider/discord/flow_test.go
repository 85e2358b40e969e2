package discord_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/discord"
	"github.com/tetherauth/tether/provider/providertest"
)

// newFake serves Discord's documented shapes under its paths: the OAuth 2.0
// endpoints (client_secret_basic, space-separated scopes, refresh tokens),
// GET /api/users/@me and RFC 7009 revocation.
func newFake(t *testing.T, user string) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:    providertest.AuthMethodBasic,
		AuthorizePath: "/oauth2/authorize",
		TokenPath:     "/api/oauth2/token",
		RevokePath:    "/api/oauth2/token/revoke",
	})
	body, err := os.ReadFile(filepath.Join("testdata", user))
	if err != nil {
		t.Fatal(err)
	}
	f.HandleAPI("GET /api/users/@me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.SetLogin("80351110224678912")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *discord.Provider {
	t.Helper()
	p, err := discord.New(discord.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t, "user.json")
	p := newProvider(t, f)
	e := testkit.New(t, p)
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "80351110224678912",
		Email:          "nelly@discord.com",
		EmailVerified:  new(true),
		FirstName:      "Nelly",
		LastName:       "Furtado",
		AvatarURL:      "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png",
		Username:       "nelly",
		Scopes:         []string{"identify", "email"},
	})
	if q := f.LastAuthorize(); q.Get("code_challenge_method") != "S256" || q.Get("scope") != "identify email" {
		t.Errorf("authorization request %v", q)
	}
	// Destroy revokes at Discord.
	if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestUnverifiedEmail(t *testing.T) {
	f := newFake(t, "user_unverified_legacy.json")
	a := testkit.New(t, newProvider(t, f)).Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "18446744073709551615", Email: "legacy@example.com", EmailVerified: new(false),
		FirstName: "Legacy", AvatarURL: "https://cdn.discordapp.com/avatars/18446744073709551615/a_d5efa99b3eeaa7dd43acca82f5692432.gif",
		Username: "Legacy#1337", Scopes: []string{"identify", "email"},
	})
}

func TestRefresh(t *testing.T) {
	f := newFake(t, "user.json")
	p := newProvider(t, f)
	// Exchange directly, to hold the refresh token.
	verifier := xoauth2.GenerateVerifier()
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", CodeChallenge: xoauth2.S256ChallengeFromVerifier(verifier), RedirectURI: testkit.CallbackURL})
	if err != nil {
		t.Fatal(err)
	}
	cb := testkit.Browse(t, f.Client(), u)
	_, tok, err := p.Exchange(context.Background(), provider.ExchangeRequest{Code: cb.Code, CodeVerifier: verifier, RedirectURI: testkit.CallbackURL})
	if err != nil {
		t.Fatal(err)
	}
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil || next.AccessToken == "" || next.RefreshToken == "" {
		t.Fatalf("Refresh: %v", err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Errorf("reused refresh token: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]discord.Config{
		"bad base URL": {Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, BaseURL: "discord.com"},
	} {
		if _, err := discord.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "discord: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
