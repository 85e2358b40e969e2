package linear_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linear"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// newFake serves Linear's documented shapes under its paths: the
// authorization and token endpoints (client credentials in the form,
// comma-separated scopes, PKCE), the GraphQL endpoint answering the viewer
// query from testdata, and the revocation endpoint authenticated by the
// access token to revoke.
func newFake(t *testing.T, viewer string) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:     providertest.AuthMethodPost,
		RequirePKCE:    true,
		AuthorizePath:  "/oauth/authorize",
		TokenPath:      "/oauth/token",
		RevokePath:     "-",
		ScopeSeparator: ",",
	})
	body, err := os.ReadFile(filepath.Join("testdata", viewer))
	if err != nil {
		t.Fatal(err)
	}
	f.HandleAPI("POST /graphql", func(w http.ResponseWriter, r *http.Request, _ providertest.OAuth2Token) {
		var q struct {
			Query string `json:"query"`
		}
		if json.NewDecoder(r.Body).Decode(&q) != nil || !strings.Contains(q.Query, "viewer") || r.Header.Get("Content-Type") != "application/json" {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"message": "bad query"}}})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.HandleAPI("POST /oauth/revoke", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		f.RevokeGrant(tok.Value)
		w.WriteHeader(http.StatusOK)
	})
	f.SetLogin("ada")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *linear.Provider {
	t.Helper()
	p, err := linear.New(linear.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL:     f.URL, APIURL: f.URL,
		Scopes: []string{"read", "write"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t, "viewer.json")
	p := newProvider(t, f)
	id, tok, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := provider.Identity{
		ProviderUserID: "2c3bd4d2-6a8b-4a6e-9f0e-4c9f7a6b1d25",
		EmailAddress:   "ada@example.com",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		AvatarURL:      "https://public.linear.app/avatars/2c3bd4d2.png",
		Username:       "ada",
		Claims:         id.Claims,
	}
	if !reflect.DeepEqual(*id, want) {
		t.Errorf("identity %+v", *id)
	}
	if q := f.LastAuthorize(); q.Get("scope") != "read,write" || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authorization request %v", q)
	}
	if tok.RefreshToken == "" || strings.Join(tok.Scopes, " ") != "read write" {
		t.Errorf("token: refresh %v, scopes %v", tok.RefreshToken != "", tok.Scopes)
	}
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil || next.AccessToken == "" {
		t.Fatalf("Refresh: %v", err)
	}
	if err := p.Revoke(context.Background(), next.RefreshToken, "refresh_token"); !errors.Is(err, provider.ErrRevocationUnsupported) {
		t.Fatalf("Revoke(refresh_token) = %v, want ErrRevocationUnsupported", err)
	}
	if err := p.Revoke(context.Background(), next.AccessToken, "access_token"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if tk, _ := f.Lookup(next.RefreshToken); !tk.Revoked {
		t.Error("revoking the access token left the grant's refresh token valid")
	}
}

// TestMinimalViewer: no email (EmailVerified stays nil: Linear never says),
// no name, a null avatar.
func TestMinimalViewer(t *testing.T) {
	f := newFake(t, "viewer_minimal.json")
	id, _, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "0f8e9c1a-27b4-4c41-8a53-93bd7f1b9d0e" || id.EmailAddress != "" || id.EmailVerified != nil ||
		id.FirstName != "" || id.LastName != "" || id.AvatarURL != "" || id.Username != "mononym" {
		t.Errorf("identity %+v", *id)
	}
}

// TestGraphQLError: HTTP 200 with "errors" and no viewer is no identity.
func TestGraphQLError(t *testing.T) {
	f := newFake(t, "errors.json")
	_, tok, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if !errors.Is(err, verification.ErrFetchUser) || tok != nil {
		t.Fatalf("Exchange with a GraphQL error = %v, %v; want oauth_fetch_user_error", tok, err)
	}
}

func TestNewErrors(t *testing.T) {
	creds := provider.Credentials{ClientID: "i", ClientSecret: "s"}
	for name, cfg := range map[string]linear.Config{
		"no id":        {Credentials: provider.Credentials{ClientSecret: "s"}},
		"bad base URL": {Credentials: creds, BaseURL: "linear.app"},
		"bad API URL":  {Credentials: creds, APIURL: "ftp://api.linear.app"},
	} {
		if _, err := linear.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "linear: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
