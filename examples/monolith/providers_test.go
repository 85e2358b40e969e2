package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// TestConfiguredProviders enables every provider the environment can name.
// Google and GitHub get a button and an authorization URL at the real
// provider, which the test never follows: no real provider is contacted.
// The generic OpenID Connect provider is a providertest server, and a
// connection goes through it.
func TestConfiguredProviders(t *testing.T) {
	idp := providertest.New(providertest.Config{})
	t.Cleanup(idp.Close)
	idp.AddUser(providertest.User{Subject: "corp-7", Email: "kim@corp.example", EmailVerified: new(true)})
	idp.SetLogin("corp-7")

	cfg := testConfig(t.TempDir())
	cfg.Google = credentials{"google-client.apps.googleusercontent.com", "google-secret"}
	cfg.GitHub = credentials{"Iv1.github-client", "github-secret"}
	cfg.OIDC = genericOIDC{
		Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
		Strategy: verification.MustParseStrategy("oauth_custom_corp"),
	}
	ts := startServer(t, cfg)
	b := newBrowser(t, ts.URL)
	page := b.login("kim")
	for _, s := range []string{"oauth_custom_dev", "oauth_google", "oauth_github", "oauth_custom_corp"} {
		if !strings.Contains(page, `data-connect="`+s+`"`) {
			t.Errorf("no Connect button for %s", s)
		}
	}
	if strings.Contains(ts.Log.String(), "google-secret") || strings.Contains(ts.Log.String(), "github-secret") {
		t.Errorf("a client secret is in the log:\n%s", ts.Log)
	}

	callback := url.QueryEscape(ts.URL + "/identity/oauth_callback")
	for strategy, prefix := range map[string]string{
		"oauth_google": "https://accounts.google.com/",
		"oauth_github": "https://github.com/login/oauth/authorize?",
	} {
		a := b.connect(strategy, nil)
		u := a.Verification.ExternalVerificationRedirectURL
		if !strings.HasPrefix(u, prefix) || !strings.Contains(u, "redirect_uri="+callback) {
			t.Errorf("%s: authorization URL %q, want %s… with redirect_uri %s", strategy, u, prefix, callback)
		}
		b.api("DELETE", "/me/external_accounts/"+a.ID, nil, http.StatusOK, nil)
	}

	a := b.connect("oauth_custom_corp", nil)
	resp, _ := b.do("GET", a.Verification.ExternalVerificationRedirectURL, nil)
	if resp.Request.URL.String() != ts.URL+"/" {
		t.Fatalf("the OIDC provider's flow ended at %s", resp.Request.URL)
	}
	got := find(t, b.accounts(), a.ID)
	if got.Verification.Status != verification.StatusVerified || got.ProviderUserID != "corp-7" || got.EmailAddress != "kim@corp.example" {
		t.Errorf("OIDC account: %s %q %q (%v)", got.Verification.Status, got.ProviderUserID, got.EmailAddress, got.Verification.Error)
	}
}
