package facebook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/facebook"
	"github.com/tetherauth/tether/provider/providertest"
)

const version = "v25.0"

// newFake serves Facebook Login's documented shapes: the login dialog, the
// token endpoint (client_secret_post, no scope and no refresh token in the
// response), GET /me with fields and appsecret_proof, and DELETE
// /me/permissions.
func newFake(t *testing.T, me string) *providertest.OAuth2 {
	t.Helper()
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{
		AuthMethod:     providertest.AuthMethodPost,
		AuthorizePath:  "/" + version + "/dialog/oauth",
		TokenPath:      "/" + version + "/oauth/access_token",
		RevokePath:     "-",
		ScopeSeparator: ",",
		NoRefreshToken: true,
		TokenResponse:  func(b map[string]any) { delete(b, "scope"); b["expires_in"] = 5183944 },
	})
	body, err := os.ReadFile(filepath.Join("testdata", me))
	if err != nil {
		t.Fatal(err)
	}
	proofOK := func(r *http.Request, tok providertest.OAuth2Token) bool {
		m := hmac.New(sha256.New, []byte(f.ClientSecret()))
		m.Write([]byte(tok.Value))
		return r.URL.Query().Get("appsecret_proof") == hex.EncodeToString(m.Sum(nil))
	}
	f.HandleAPI("GET /"+version+"/me", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		if !proofOK(r, tok) || !strings.Contains(r.URL.Query().Get("fields"), "first_name") {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": "Invalid appsecret_proof", "type": "GraphMethodException", "code": 100}})
			return
		}
		providertest.WriteRaw(w, http.StatusOK, body)
	})
	f.HandleAPI("DELETE /"+version+"/me/permissions", func(w http.ResponseWriter, r *http.Request, tok providertest.OAuth2Token) {
		if !proofOK(r, tok) {
			providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": 100}})
			return
		}
		f.RevokeGrant(tok.Value)
		providertest.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
	})
	f.SetLogin("10158291648734956")
	return f
}

func newProvider(t *testing.T, f *providertest.OAuth2) *facebook.Provider {
	t.Helper()
	p, err := facebook.New(facebook.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL, GraphURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t, "me.json")
	p := newProvider(t, f)
	if _, ok := any(p).(provider.Refresher); ok {
		t.Error("Facebook has no refresh tokens: the provider must not be a Refresher")
	}
	e := testkit.New(t, p)
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "10158291648734956", // app-scoped
		Email:          "jane@example.com",
		EmailVerified:  nil, // Facebook does not say
		FirstName:      "Jane",
		LastName:       "Doe",
		AvatarURL:      "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158291648734956&height=50&width=50&ext=1700000000&hash=AbCdEf",
		Scopes:         []string{"email", "public_profile"},
	})
	if q := f.LastAuthorize(); q.Get("scope") != "email,public_profile" {
		t.Errorf("scope %q", q.Get("scope"))
	}
	if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Error("the permissions were not removed")
		}
	}
}

func TestDeclinedEmail(t *testing.T) {
	f := newFake(t, "me_declined_email.json")
	a := testkit.New(t, newProvider(t, f)).Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "122094716372136421", FirstName: "Prince",
		Scopes: []string{"public_profile"}, // email was declined
	})
}

func TestRevokeRefreshToken(t *testing.T) {
	f := newFake(t, "me.json")
	if err := newProvider(t, f).Revoke(context.Background(), "rt", "refresh_token"); !errors.Is(err, provider.ErrRevocationUnsupported) {
		t.Errorf("error %v", err)
	}
}
