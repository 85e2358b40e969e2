package bitbucket_test

import (
	"net/http"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/bitbucket"
	"github.com/tetherauth/tether/provider/providertest"
)

// TestWithoutEmailScope: a consumer without the email permission gets
// HTTP 403 from /2.0/user/emails; the account still signs in, without an
// address.
func TestWithoutEmailScope(t *testing.T) {
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{AuthorizePath: "/site/oauth2/authorize", TokenPath: "/site/oauth2/access_token", RevokePath: "-"})
	f.HandleAPI("GET /2.0/user", func(w http.ResponseWriter, _ *http.Request, _ providertest.OAuth2Token) {
		providertest.WriteJSON(w, http.StatusOK, map[string]any{"type": "user", "uuid": "{0b5e7a3c-1d2f-4e6a-9b8c-7d6e5f4a3b2c}", "nickname": "nomail"})
	})
	f.HandleAPI("GET /2.0/user/emails", func(w http.ResponseWriter, _ *http.Request, _ providertest.OAuth2Token) {
		providertest.WriteJSON(w, http.StatusForbidden, map[string]any{"type": "error", "error": map[string]any{
			"message": "Your credentials lack one or more required privilege scopes.", "detail": map[string]any{"granted": []string{"account"}, "required": []string{"email"}}}})
	})
	f.SetLogin("nomail")
	p, err := bitbucket.New(bitbucket.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		Scopes:      []string{"account"}, BaseURL: f.URL, APIURL: f.URL, HTTP: provider.HTTPSettings{Client: f.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if id.ProviderUserID != "{0b5e7a3c-1d2f-4e6a-9b8c-7d6e5f4a3b2c}" || id.EmailAddress != "" || id.EmailVerified != nil || id.Username != "nomail" {
		t.Errorf("identity %+v", *id)
	}
}
