package httpadapter

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/twitter"
	"github.com/tetherauth/tether/verification"
)

// An OAuth 1.0a provider (oauth_twitter) through the documented routes: the
// connect answers X's authorization page, X calls back with state,
// oauth_token and oauth_verifier (no code), and the callback redirects as
// for any provider; a refusal (denied) is oauth_access_denied with a fresh
// attempt.
func TestOAuth1RoundTrip(t *testing.T) {
	x := providertest.NewOAuth1(t, providertest.OAuth1Config{})
	x.AddUser(providertest.OAuth1User{ID: "1790012345678901234", ScreenName: "alice", Name: "Alice A", Email: "alice@example.com"})
	e := newEnv(t, envConfig{providers: func(t *testing.T, _ string) []provider.Provider {
		key, secret := x.Consumer()
		p, err := twitter.New(twitter.Config{Credentials: provider.Credentials{ClientID: key, ClientSecret: secret}, BaseURL: x.URL})
		if err != nil {
			t.Fatal(err)
		}
		return []provider.Provider{p}
	}})
	b := e.browser("alice")

	// Refused at X: the account carries the error and a new attempt.
	a := b.connect(url.Values{"strategy": {"oauth_twitter"}})
	denied, err := x.Deny(a.Verification.ExternalVerificationRedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	if res := b.get(denied); res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings" {
		t.Fatalf("denied callback: %d %s", res.status, res)
	}
	a = wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
	v := a.Verification
	if v.Status != verification.StatusUnverified || v.Error == nil || v.Error.Code != verification.ErrAccessDenied.Code ||
		!strings.HasPrefix(v.ExternalVerificationRedirectURL, x.URL+"/oauth/authenticate?oauth_token=") {
		t.Fatalf("after a denial: %+v", v)
	}

	// Approved: X's page redirects the browser to the callback.
	x.SetLogin("1790012345678901234")
	callback := b.authorize(a)
	if q := mustParse(t, callback).Query(); q.Get("state") == "" || q.Get("oauth_verifier") == "" || q.Has("code") {
		t.Fatalf("X calls back with %v", q)
	}
	if res := b.get(callback); res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings" {
		t.Fatalf("callback: %d %s", res.status, res)
	}
	got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
	if !got.Verified() || got.ProviderUserID != "1790012345678901234" || got.Username != "alice" || got.EmailAddress != "alice@example.com" {
		t.Fatalf("after the callback: %+v", got)
	}
	// Replayed: refused, no redirect.
	wantError(t, b.get(callback), http.StatusBadRequest, verification.ErrCallbackInvalid.Code, "")
}
