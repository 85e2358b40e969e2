package x_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/x"
	"github.com/tetherauth/tether/verification"
)

// newFake serves X's documented shapes: authorization on the website,
// tokens, revocation and users on the API, PKCE required, HTTP Basic
// client authentication.
func newFake(t *testing.T) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:    providertest.AuthMethodBasic,
		RequirePKCE:   true,
		AuthorizePath: "/i/oauth2/authorize",
		TokenPath:     "/2/oauth2/token",
		RevokePath:    "/2/oauth2/revoke",
		TokenResponse: func(b map[string]any) { b["expires_in"] = 7200 },
	})
	body, err := os.ReadFile(filepath.Join("testdata", "users_me.json"))
	if err != nil {
		t.Fatal(err)
	}
	f.HandleAPI("GET /2/users/me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		if r.URL.Query().Get("user.fields") != "profile_image_url" {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"title": "Invalid Request"})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.SetLogin("2244994945")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *x.Provider {
	t.Helper()
	p, err := x.New(x.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL, APIURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlowWithoutEmail(t *testing.T) {
	f := newFake(t)
	e := testkit.New(t, newProvider(t, f))
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "2244994945",
		Email:          "", // X shares none
		EmailVerified:  nil,
		FirstName:      "X",
		LastName:       "Dev",
		AvatarURL:      "https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg",
		Username:       "TwitterDev",
		Scopes:         []string{"tweet.read", "users.read", "offline.access"},
	})
	if h := f.LastTokenHeader(); !strings.HasPrefix(h.Get("Authorization"), "Basic ") {
		t.Error("the token request did not use HTTP Basic")
	}
	if form := f.LastTokenForm(); form.Get("code_verifier") == "" || form.Has("client_secret") {
		t.Errorf("token request %v", form)
	}
	if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestPKCERequired(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, f)
	// The provider refuses to build a URL without a challenge, and to
	// exchange without a verifier.
	if _, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", RedirectURI: testkit.CallbackURL}); err == nil {
		t.Error("AuthCodeURL without a code challenge succeeded")
	}
	_, _, err := p.Exchange(context.Background(), provider.ExchangeRequest{Code: "c", RedirectURI: testkit.CallbackURL})
	if !errors.Is(err, verification.ErrTokenExchange) || f.TokenRequests() != 0 {
		t.Errorf("Exchange without a verifier: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]x.Config{
		"bad API URL": {Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, APIURL: "api.x.com"},
	} {
		if _, err := x.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "x: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
