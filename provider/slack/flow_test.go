package slack_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/slack"
	"github.com/tetherauth/tether/verification"
)

// newFake is a providertest provider under Slack's paths, with auth.revoke
// answering as Slack does (HTTP 200, "ok").
func newFake(t *testing.T, revoked *atomic.Int32) *providertest.Mounted {
	t.Helper()
	f := providertest.NewMounted(t, providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}, DisableIssuerParameter: true}, "", map[string]string{
		"/openid/connect/authorize": providertest.PathAuthorize,
		"/api/openid.connect.token": providertest.PathToken,
		"/openid/connect/keys":      providertest.PathJWKS,
	})
	var mu sync.Mutex
	gone := map[string]bool{}
	f.HandleFunc("POST /api/auth.revoke", func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		defer mu.Unlock()
		if tok == "" {
			providertest.WriteJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "not_authed"})
			return
		}
		if gone[tok] {
			providertest.WriteJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "token_revoked"})
			return
		}
		gone[tok] = true
		revoked.Add(1)
		providertest.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "revoked": true})
	})
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token.json")))
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token_other_team.json")))
	return f
}

func newProvider(t *testing.T, f *providertest.Mounted, team string) *slack.Provider {
	t.Helper()
	p, err := slack.New(slack.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL, TeamID: team})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	var revoked atomic.Int32
	f := newFake(t, &revoked)
	f.SetLogin("U0R7MFMJM")
	e := testkit.New(t, newProvider(t, f, ""))
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "U0R7MFMJM",
		Email:          "alice@example.com",
		EmailVerified:  new(true),
		FirstName:      "Alice", // Slack's given and family names are empty
		LastName:       "Liddell",
		AvatarURL:      "https://secure.gravatar.com/avatar/bc1e5b9a0e57d7e0d5b93cbe2b3c4f15.jpg?s=512",
		Scopes:         []string{"openid", "profile", "email"},
	})
	if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	if revoked.Load() == 0 {
		t.Error("Destroy did not call auth.revoke")
	}
}

func TestTeam(t *testing.T) {
	var revoked atomic.Int32
	f := newFake(t, &revoked)
	p := newProvider(t, f, "T0R7GR")
	f.SetLogin("U0R7MFMJM")
	id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil || id.Claims[slack.TeamIDClaim] != "T0R7GR" {
		t.Fatalf("own workspace: %v", err)
	}
	f.SetLogin("W012A3CDE")
	if _, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{}); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("other workspace: %v", err)
	}
}

func TestRevokeErrors(t *testing.T) {
	var revoked atomic.Int32
	f := newFake(t, &revoked)
	p := newProvider(t, f, "")
	if err := p.Revoke(context.Background(), "", "access_token"); err == nil {
		t.Error("empty token: no error")
	}
	// An already revoked token counts as revoked.
	for range 2 {
		if err := p.Revoke(context.Background(), "xoxp-1", ""); err != nil {
			t.Errorf("Revoke: %v", err)
		}
	}
	if revoked.Load() != 1 {
		t.Errorf("%d revocations", revoked.Load())
	}
	f.HandleFunc("POST /broken/api/auth.revoke", func(w http.ResponseWriter, r *http.Request) {
		providertest.WriteJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "ratelimited"})
	})
	broken, err := slack.New(slack.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, BaseURL: f.URL + "/broken"})
	if err != nil {
		t.Fatal(err)
	}
	err = broken.Revoke(context.Background(), "xoxp-token", "")
	var oe *provider.OAuthError
	if !errors.As(err, &oe) || oe.Code != "ratelimited" || strings.Contains(err.Error(), "xoxp-token") {
		t.Errorf("error %v", err)
	}
}
