package line_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/line"
	"github.com/tetherauth/tether/provider/providertest"
)

// TestRevoke covers LINE's revocation, which the conformance suite cannot
// state: the access token in "access_token" with the channel's id and
// secret in the form; refresh tokens are not sent.
func TestRevoke(t *testing.T) {
	f := providertest.NewMounted(t, providertest.Config{}, "", nil)
	var forms []url.Values
	f.HandleFunc("/oauth2/v2.1/revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		forms = append(forms, r.PostForm)
		if r.PostForm.Get("access_token") == "expired" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"access token expired"}`))
		}
	})
	p, err := line.New(line.Config{Credentials: provider.Credentials{ClientID: "1234567890", ClientSecret: "line-channel-secret"},
		BaseURL: f.URL, APIURL: f.URL, HTTP: provider.HTTPSettings{Client: f.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	var rv provider.Revoker = p
	ctx := context.Background()
	if err := rv.Revoke(ctx, "bNl4YEFPI/hjFWhTqexp4MuEw5YPs7qhr6dJDXKwNPuLka", "access_token"); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"access_token": {"bNl4YEFPI/hjFWhTqexp4MuEw5YPs7qhr6dJDXKwNPuLka"}, "client_id": {"1234567890"}, "client_secret": {"line-channel-secret"}}
	if len(forms) != 1 || forms[0].Encode() != want.Encode() {
		t.Errorf("revocation forms %v, want [%v]", forms, want)
	}
	if err := rv.Revoke(ctx, "Aa1FdeggRhTnPNNpxr8p", "refresh_token"); !errors.Is(err, provider.ErrRevocationUnsupported) || len(forms) != 1 {
		t.Errorf("refresh token: %v after %d requests, want ErrRevocationUnsupported and none sent", err, len(forms)-1)
	}
	var oe *provider.OAuthError
	if err := rv.Revoke(ctx, "expired", "access_token"); !errors.As(err, &oe) || oe.Status != http.StatusBadRequest || oe.Code != "invalid_request" {
		t.Errorf("refused revocation: %v", err)
	}
}
