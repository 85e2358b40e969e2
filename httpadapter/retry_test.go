package httpadapter

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tetherauth/tether/verification"
)

// TestRetryKeepsPromptAndLoginHint: after a retryable failure (the user
// declined at the provider), the fresh authorization URL the Service puts on
// the account must ask what the original asked, oidc_prompt and
// oidc_login_hint included; only state, PKCE and nonce are new. Otherwise a
// retried reauthorization could come back with another account
// (external_account_identity_mismatch).
func TestRetryKeepsPromptAndLoginHint(t *testing.T) {
	e := newEnv(t, envConfig{})
	b := e.browser("alice")
	a := b.connect(url.Values{"oidc_prompt": {"select_account"}, "oidc_login_hint": {"alice@example.com"}})
	ask := func(a string) url.Values {
		u, err := url.Parse(a)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query()
	}
	first := ask(a.Verification.ExternalVerificationRedirectURL)
	if first.Get("prompt") != "select_account" || first.Get("login_hint") != "alice@example.com" {
		t.Fatalf("the first authorization URL does not carry prompt and login_hint: %v", first)
	}
	e.deny(true)
	if res := b.get(b.authorize(a)); res.status != http.StatusSeeOther {
		t.Fatalf("denied callback: %d %s", res.status, res)
	}
	got := wantAccount(t, b.get(e.url("/me/external_accounts/"+a.ID)))
	if got.Verification.Status != verification.StatusUnverified {
		t.Fatalf("after a denial: %+v", got.Verification)
	}
	retry := ask(got.Verification.ExternalVerificationRedirectURL)
	if retry.Get("state") == first.Get("state") {
		t.Fatal("the retry reuses the state")
	}
	for _, k := range []string{"prompt", "login_hint", "scope", "redirect_uri", "client_id"} {
		if retry.Get(k) != first.Get(k) {
			t.Errorf("the retry's %s is %q, the original's %q", k, retry.Get(k), first.Get(k))
		}
	}
}
