package notion

import (
	"context"
	"errors"
	"testing"

	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/verification"
)

// TestMapBotWorkspaceOwned: an installation owned by a workspace has no
// user to link.
func TestMapBotWorkspaceOwned(t *testing.T) {
	me := map[string]any{"object": "user", "type": "bot", "bot": map[string]any{"owner": map[string]any{"type": "workspace", "workspace": true}}}
	if _, err := mapBot(me); !errors.Is(err, verification.ErrFetchUser) {
		t.Errorf("mapBot of a workspace-owned bot: %v, want verification.ErrFetchUser", err)
	}
}

// TestProfileFromToken: the user comes from the token response's owner
// without a request (the API has no client), and the workspace is kept in
// the claims.
func TestProfileFromToken(t *testing.T) {
	token := map[string]any{
		"access_token": "secret_access", "bot_id": "b3414d65", "workspace_id": "j565j4d7", "workspace_name": "Ada's Workspace",
		"owner": map[string]any{"type": "user", "user": map[string]any{
			"object": "user", "id": "5389a034-eb5c-47b5-8a9e-f79c99ef166c", "name": "Ada Lovelace", "type": "person",
			"person": map[string]any{"email": "ada@example.com"}}},
	}
	api := hooks.NewAPI(nil, "secret_access", nil, "", func(k string) any { return token[k] })
	id, err := profile(context.Background(), api, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "5389a034-eb5c-47b5-8a9e-f79c99ef166c" || id.EmailAddress != "ada@example.com" || id.FirstName != "Ada" ||
		id.Claims["workspace_name"] != "Ada's Workspace" || id.Claims["bot_id"] != "b3414d65" {
		t.Errorf("identity %+v", *id)
	}
	if _, leaked := id.Claims["access_token"]; leaked || api.TokenExtra("access_token") != nil {
		t.Error("the access token reached the claims or TokenExtra")
	}
}
