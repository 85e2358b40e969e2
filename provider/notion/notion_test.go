package notion

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// TestAuthCodeURL checks the default authorization URL, which the
// conformance harness cannot see: no scope parameter, owner=user, no PKCE.
func TestAuthCodeURL(t *testing.T) {
	p, err := New(Config{Credentials: provider.Credentials{ClientID: "id", ClientSecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", RedirectURI: "https://app.example.com/cb"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if u.Host+u.Path != "api.notion.com/v1/oauth/authorize" || q.Get("owner") != "user" || q.Has("scope") || q.Has("code_challenge") {
		t.Errorf("AuthCodeURL = %s", raw)
	}
}

// TestMapBotWorkspaceOwned: an installation owned by a workspace has no
// user to link.
func TestMapBotWorkspaceOwned(t *testing.T) {
	me := map[string]any{"object": "user", "type": "bot", "bot": map[string]any{"owner": map[string]any{"type": "workspace", "workspace": true}}}
	if _, err := mapBot(me); !errors.Is(err, verification.ErrFetchUser) {
		t.Errorf("mapBot of a workspace-owned bot: %v, want verification.ErrFetchUser", err)
	}
}
