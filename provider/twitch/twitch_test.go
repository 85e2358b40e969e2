package twitch_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/twitch"
	"github.com/tetherauth/tether/verification"
)

// TestQuirks covers what the conformance suite cannot state: Twitch's
// {"status","message"} error bodies (a refused refresh token is
// invalid_grant, so that the grant counts as lost; another refusal has no
// code), and a revocation request that carries the client id but no client
// secret.
func TestQuirks(t *testing.T) {
	const refreshToken = "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01"
	f := providertest.NewMounted(t, providertest.Config{}, "/oauth2", nil)
	var form url.Values
	var auth string
	f.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		if r.PostFormValue("refresh_token") != refreshToken {
			_, _ = w.Write([]byte(`{"status":400,"message":"missing client id"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":400,"message":"Invalid refresh token"}`))
	})
	f.HandleFunc("/oauth2/revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		form, auth = r.PostForm, r.Header.Get("Authorization")
	})
	p, err := twitch.New(twitch.Config{Credentials: provider.Credentials{ClientID: "hof5gwx0su6owfnys0yan9c87zr6t", ClientSecret: "twitch-secret"},
		BaseURL: f.URL, HTTP: provider.HTTPSettings{Client: f.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: refreshToken})
	var oe *provider.OAuthError
	if !errors.Is(err, verification.ErrTokenRetrieval) || !errors.As(err, &oe) || oe.Status != http.StatusBadRequest || oe.Code != "invalid_grant" {
		t.Errorf("refused refresh: %v, want ErrTokenRetrieval wrapping OAuthError{400, invalid_grant}", err)
	}
	if strings.Contains(err.Error(), refreshToken) || strings.Contains(err.Error(), "Invalid refresh token") {
		t.Errorf("the error repeats the token or the body: %v", err)
	}

	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: "another-refresh-token"}); !errors.As(err, &oe) || oe.Code != "" {
		t.Errorf("another refusal: %v, want an OAuthError without a code", err)
	}

	if err := p.Revoke(context.Background(), "rfx2uswqe8l4g1mkagrvg5tv0ks3", "access_token"); err != nil {
		t.Fatal(err)
	}
	if form.Get("client_id") != "hof5gwx0su6owfnys0yan9c87zr6t" || form.Get("token") != "rfx2uswqe8l4g1mkagrvg5tv0ks3" ||
		form.Has("client_secret") || auth != "" {
		t.Errorf("revocation request: form %v, Authorization %q", form, auth)
	}
}
