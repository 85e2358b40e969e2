package atlassian_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/atlassian"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// TestRefreshRefused403: Atlassian refuses a used, expired or revoked
// refresh token with HTTP 403 (not RFC 6749's 400), which must still read
// as invalid_grant: the grant is gone.
func TestRefreshRefused403(t *testing.T) {
	f := providertest.NewOAuth2(t, providertest.OAuth2Config{AuthMethod: providertest.AuthMethodPost, TokenPath: "/oauth/token", RevokePath: "-"})
	f.SetTokenError(&providertest.TokenError{Status: http.StatusForbidden, Code: "invalid_grant", Description: "Unknown or invalid refresh token."})
	p, err := atlassian.New(atlassian.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL:     f.URL, APIURL: f.URL, HTTP: provider.HTTPSettings{Client: f.Client()},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: "rt-used-once"})
	var oe *provider.OAuthError
	if !errors.Is(err, verification.ErrTokenRetrieval) || !errors.As(err, &oe) || oe.Status != http.StatusForbidden || oe.Code != "invalid_grant" {
		t.Fatalf("Refresh = %v, want ErrTokenRetrieval wrapping OAuthError{403, invalid_grant}", err)
	}
	if form := f.LastTokenForm(); form.Get("grant_type") != "refresh_token" || form.Get("client_secret") != f.ClientSecret() {
		t.Errorf("refresh request %v: want grant_type=refresh_token with the client credentials in the body", form.Get("grant_type"))
	}
}
