package main

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// TestEndToEnd drives the demo as a browser would, through the dev
// provider's sign-in form: sign in, connect (verified), reauthorize with an
// extra scope, deny a connection and retry it, disconnect, sign out.
func TestEndToEnd(t *testing.T) {
	ts := startServer(t, testConfig(t.TempDir()))
	b := newBrowser(t, ts.URL)

	// Signed out: the sign-in form, and Tether's routes say 401.
	_, page := b.do("GET", "/", nil)
	if !strings.Contains(page, `id="sign-in"`) {
		t.Fatalf("the signed-out page has no sign-in form:\n%s", page)
	}
	b.api("GET", "/me/external_accounts", nil, http.StatusUnauthorized, nil)

	// A bad username is refused with the rule.
	resp, page := b.do("POST", "/login", url.Values{"username": {"Not OK!"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), usernameRule) {
		t.Fatalf("bad username: %d\n%s", resp.StatusCode, page)
	}

	page = b.login("Ada") // usernames are lowercased
	if !strings.Contains(page, `<strong id="current-user">ada</strong>`) || !strings.Contains(page, "No external accounts yet") {
		t.Fatalf("the signed-in page:\n%s", page)
	}
	if !strings.Contains(page, `data-connect="oauth_custom_dev"`) {
		t.Fatalf("no Connect button for the dev provider:\n%s", page)
	}

	// Connect through the dev provider: its form, approve, the callback,
	// back on the page.
	a := b.connect("oauth_custom_dev", url.Values{"oidc_login_hint": {"ada"}})
	if a.Verification.Status != verification.StatusUnverified {
		t.Fatalf("after connect: status %s, want unverified", a.Verification.Status)
	}
	authURL := a.Verification.ExternalVerificationRedirectURL
	if !strings.HasPrefix(authURL, ts.URL+"/dev-oidc/authorize?") {
		t.Fatalf("authorization URL %q is not the dev provider's", authURL)
	}
	form := b.openProvider(authURL)
	if form.Sub != "ada" {
		t.Errorf("the dev provider's form is prefilled with sub %q, want ada (login_hint)", form.Sub)
	}
	ada := devIdentity{Sub: "ada", Email: "ada@example.com", Name: "Ada Lovelace", EmailVerified: true}
	page = b.submit(form, "approve", ada)
	if !strings.Contains(page, `data-status="verified"`) || !strings.Contains(page, "ada@example.com") {
		t.Fatalf("the page after approving does not show the verified account:\n%s", page)
	}
	got := find(t, b.accounts(), a.ID)
	wantScopes := []string{"email", "offline_access", "openid", "profile"} // offline_access: the dev provider lists it, and a connect wants a refresh token
	switch {
	case got.Verification.Status != verification.StatusVerified:
		t.Fatalf("after approve: status %s (error %v), want verified", got.Verification.Status, got.Verification.Error)
	case got.ProviderUserID != "ada" || got.EmailAddress != "ada@example.com":
		t.Errorf("identity %q %q, want ada ada@example.com", got.ProviderUserID, got.EmailAddress)
	case got.EmailAddressVerified == nil || !*got.EmailAddressVerified:
		t.Errorf("email_address_verified %v, want true", got.EmailAddressVerified)
	case !slices.Equal(sorted(got.ApprovedScopes), wantScopes):
		t.Errorf("approved scopes %v, want %v", got.ApprovedScopes, wantScopes)
	case got.Verification.ExternalVerificationRedirectURL != "" || got.Verification.Error != nil:
		t.Errorf("a verified account keeps a redirect URL %q or an error %v", got.Verification.ExternalVerificationRedirectURL, got.Verification.Error)
	}
	callbacks := 0
	for _, u := range b.visited() {
		if u.Path == "/identity/oauth_callback" {
			callbacks++
		}
	}
	if callbacks != 1 {
		t.Errorf("the browser went through the callback %d times, want 1", callbacks)
	}

	// Reauthorize with an extra scope: the approved scopes grow.
	var re account.ExternalAccount
	b.api("PATCH", "/me/external_accounts/"+a.ID+"/reauthorize",
		url.Values{"additional_scope": {"contacts.read"}, "redirect_url": {"/"}, "oidc_login_hint": {"ada@example.com"}},
		http.StatusOK, &re)
	if re.Verification.Status != verification.StatusUnverified || re.Verification.ExternalVerificationRedirectURL == "" {
		t.Fatalf("after reauthorize: %s with redirect URL %q", re.Verification.Status, re.Verification.ExternalVerificationRedirectURL)
	}
	form = b.openProvider(re.Verification.ExternalVerificationRedirectURL)
	if form.Sub != "ada" {
		t.Errorf("reauthorize: the form is prefilled with sub %q, want ada", form.Sub)
	}
	if !strings.Contains(form.Fields.Get("scope"), "contacts.read") {
		t.Errorf("reauthorize asks for %q, want contacts.read too", form.Fields.Get("scope"))
	}
	page = b.submit(form, "approve", ada)
	got = find(t, b.accounts(), a.ID)
	wantScopes = []string{"contacts.read", "email", "offline_access", "openid", "profile"}
	if got.Verification.Status != verification.StatusVerified || !slices.Equal(sorted(got.ApprovedScopes), wantScopes) {
		t.Fatalf("after reauthorizing: %s with scopes %v, want verified with %v", got.Verification.Status, got.ApprovedScopes, wantScopes)
	}
	if !strings.Contains(page, "<li>contacts.read</li>") {
		t.Errorf("the page does not show the new scope:\n%s", page)
	}

	// Deny once: the error shows, attempts 1, and a fresh redirect URL
	// lets the user retry.
	second := b.connect("oauth_custom_dev", nil)
	firstURL := second.Verification.ExternalVerificationRedirectURL
	page = b.submit(b.openProvider(firstURL), "deny", devIdentity{})
	denied := find(t, b.accounts(), second.ID)
	v := denied.Verification
	switch {
	case v.Status != verification.StatusUnverified:
		t.Fatalf("after deny: status %s, want unverified (retryable)", v.Status)
	case v.Attempts != 1:
		t.Errorf("after deny: attempts %d, want 1", v.Attempts)
	case v.Error == nil || v.Error.Code != verification.ErrAccessDenied.Code:
		t.Errorf("after deny: error %v, want %s", v.Error, verification.ErrAccessDenied.Code)
	case v.ExternalVerificationRedirectURL == "" || v.ExternalVerificationRedirectURL == firstURL:
		t.Errorf("after deny: redirect URL %q, want a fresh one", v.ExternalVerificationRedirectURL)
	}
	plain := html.UnescapeString(page)
	if !strings.Contains(plain, verification.ErrAccessDenied.LongMessage) {
		t.Errorf("the page does not show the error's long message %q:\n%s", verification.ErrAccessDenied.LongMessage, page)
	}
	if !strings.Contains(plain, `href="`+v.ExternalVerificationRedirectURL+`" data-retry="`+second.ID+`">Retry</a>`) {
		t.Errorf("the page has no Retry link to the fresh redirect URL:\n%s", page)
	}
	if !strings.Contains(page, `<span class="attempts">1</span> of 3`) {
		t.Errorf("the page does not show attempts 1 of 3:\n%s", page)
	}

	// The retry link works: approve as another identity this time.
	b.submit(b.openProvider(v.ExternalVerificationRedirectURL), "approve",
		devIdentity{Sub: "ada-work", Email: "ada@work.example", EmailVerified: false})
	retried := find(t, b.accounts(), second.ID)
	if retried.Verification.Status != verification.StatusVerified || retried.Verification.Attempts != 2 || retried.ProviderUserID != "ada-work" {
		t.Fatalf("after retry: %s, attempts %d, identity %q; want verified, 2, ada-work",
			retried.Verification.Status, retried.Verification.Attempts, retried.ProviderUserID)
	}
	if retried.EmailAddressVerified == nil || *retried.EmailAddressVerified {
		t.Errorf("email_address_verified %v, want false", retried.EmailAddressVerified)
	}

	// Cross-origin writes stay refused (net/http.CrossOriginProtection).
	req, _ := http.NewRequest("DELETE", ts.URL+"/identity/me/external_accounts/"+a.ID, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := b.c.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site DELETE: %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", ts.URL+"/login", strings.NewReader("username=mallory"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := b.c.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST /login: %d, want 403", resp.StatusCode)
	}

	// Another user sees none of ada's accounts, and cannot take its
	// identity at the dev provider.
	bob := newBrowser(t, ts.URL)
	bob.login("bob")
	if list := bob.accounts(); len(list) != 0 {
		t.Errorf("bob sees %d accounts", len(list))
	}
	bob.api("DELETE", "/me/external_accounts/"+a.ID, nil, http.StatusNotFound, nil)
	taken := bob.connect("oauth_custom_dev", nil)
	bob.submit(bob.openProvider(taken.Verification.ExternalVerificationRedirectURL), "approve", ada)
	if got := find(t, bob.accounts(), taken.ID); got.Verification.Status != verification.StatusFailed ||
		got.Verification.Error == nil || got.Verification.Error.Code != verification.ErrExternalAccountExists.Code {
		t.Errorf("bob connecting ada's identity: %s %v, want failed with %s", got.Verification.Status, got.Verification.Error, verification.ErrExternalAccountExists.Code)
	}

	// Disconnect both accounts.
	for _, id := range []string{a.ID, second.ID} {
		var del struct {
			Object  string `json:"object"`
			ID      string `json:"id"`
			Deleted bool   `json:"deleted"`
		}
		b.api("DELETE", "/me/external_accounts/"+id, nil, http.StatusOK, &del)
		if !del.Deleted || del.ID != id || del.Object != "external_account" {
			t.Errorf("DELETE %s: %+v", id, del)
		}
	}
	if list := b.accounts(); len(list) != 0 {
		t.Errorf("%d accounts left after disconnecting", len(list))
	}
	b.api("GET", "/me/external_accounts/"+a.ID, nil, http.StatusNotFound, nil)
	if _, page := b.do("GET", "/", nil); !strings.Contains(page, "No external accounts yet") {
		t.Errorf("the page after disconnecting:\n%s", page)
	}

	// Sign out.
	resp, page = b.do("POST", "/logout", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="sign-in"`) {
		t.Errorf("after sign-out: %d\n%s", resp.StatusCode, page)
	}
	b.api("GET", "/me/external_accounts", nil, http.StatusUnauthorized, nil)

	// The log has one line per request, with paths and never a query: the
	// callback's code and state appear nowhere.
	if err := ts.Stop(); err != nil {
		t.Fatal(err)
	}
	logs := ts.Log.String()
	if !strings.Contains(logs, "msg=request method=GET path=/identity/oauth_callback status=303") {
		t.Errorf("no request line for the callback in the log:\n%s", logs)
	}
	for _, u := range b.visited() {
		if u.Path != "/identity/oauth_callback" {
			continue
		}
		for _, k := range []string{"code", "state"} {
			if v := u.Query().Get(k); v != "" && strings.Contains(logs, v) {
				t.Errorf("the log contains the callback's %s", k)
			}
		}
	}
	if strings.Contains(logs, "?") {
		t.Errorf("the log contains a query string:\n%s", logs)
	}
}

// TestRestart checks what survives a restart on the same files: the key
// file, the accounts of a username, its sealed tokens' key; and that the key
// itself is never logged.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.SessionKey = strings.Repeat("s", minSessionKeyLen)
	ts := startServer(t, cfg)
	b := newBrowser(t, ts.URL)
	b.login("grace")
	a := b.connect("oauth_custom_dev", nil)
	b.submit(b.openProvider(a.Verification.ExternalVerificationRedirectURL), "approve",
		devIdentity{Sub: "grace", Email: "grace@example.com", EmailVerified: true})
	other := b.connect("oauth_custom_dev", nil)
	b.submit(b.openProvider(other.Verification.ExternalVerificationRedirectURL), "approve",
		devIdentity{Sub: "grace-2", Email: "grace@example.org", EmailVerified: true})
	if err := ts.Stop(); err != nil {
		t.Fatal(err)
	}

	keyFile := filepath.Join(dir, "tether-demo.keys")
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := account.ParseKeyring(strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatalf("the key file is not in TETHER_KEYS form: %v", err)
	}
	secret := strings.TrimSpace(string(key))[strings.IndexByte(string(key), ':')+1:]
	if !strings.Contains(ts.Log.String(), "created a token-sealing key") || strings.Contains(ts.Log.String(), secret) {
		t.Errorf("the first start's log should announce the key file, never the key:\n%s", ts.Log.String())
	}

	// Same files, same session key: the session and the account are back.
	ts2 := startServer(t, cfg)
	logs := ts2.Log.String()
	if !strings.Contains(logs, "token-sealing keys from the key file") || !strings.Contains(logs, "key_id="+kr.PrimaryKeyID()) || strings.Contains(logs, secret) {
		t.Errorf("the second start should reuse the key file:\n%s", logs)
	}
	b.base = ts2.URL // the cookie jar is per host, and the host is the same
	got := find(t, b.accounts(), a.ID)
	if got.Verification.Status != verification.StatusVerified || got.ProviderUserID != "grace" {
		t.Errorf("after restart: %s %q, want verified grace", got.Verification.Status, got.ProviderUserID)
	}

	// A new browser signing in as the same username finds it too.
	b2 := newBrowser(t, ts2.URL)
	b2.login("grace")
	find(t, b2.accounts(), a.ID)

	// The tokens sealed before the restart open after it: disconnecting
	// revokes them at the provider.
	b2.api("DELETE", "/me/external_accounts/"+a.ID, nil, http.StatusOK, nil)
	if err := ts2.Stop(); err != nil {
		t.Fatal(err)
	}
	logs = ts2.Log.String()
	if strings.Contains(logs, "tokens unreadable") || !strings.Contains(logs, "path=/dev-oidc/revoke status=200") {
		t.Errorf("tokens sealed before the restart were not revoked after it:\n%s", logs)
	}

	// With another key (the key file ignored for TETHER_KEYS), they do not.
	cfg.Keys = account.EncodeKey(account.GenerateKey("other"))
	ts3 := startServer(t, cfg)
	b3 := newBrowser(t, ts3.URL)
	b3.login("grace")
	b3.api("DELETE", "/me/external_accounts/"+other.ID, nil, http.StatusOK, nil)
	if err := ts3.Stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts3.Log.String(), "tokens unreadable") {
		t.Errorf("tokens opened with another key:\n%s", ts3.Log)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestBaseURL runs the demo as if behind a proxy at an https origin that
// does not resolve here: the dev provider's discovery still works (it is
// served in process), the callback URL follows the base URL, and the session
// cookie is Secure with the __Host- prefix.
func TestBaseURL(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.BaseURL = "https://demo.example.invalid"
	ts := startServer(t, cfg)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(ts.URL+"/login", url.Values{"username": {"ada"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 ||
		cookies[0].Name != "__Host-tether_demo_session" || !cookies[0].Secure || !cookies[0].HttpOnly {
		t.Fatalf("login behind https: %d %v", resp.StatusCode, cookies)
	}
	if !strings.Contains(ts.Log.String(), "callback_url=https://demo.example.invalid/identity/oauth_callback") {
		t.Errorf("the callback URL does not follow -base-url:\n%s", ts.Log)
	}

	// Connect answers an authorization URL at the base URL's dev provider.
	req, _ := http.NewRequest("POST", ts.URL+"/identity/me/external_accounts",
		strings.NewReader(url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"https://demo.example.invalid/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookies[0])
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var a account.ExternalAccount
	err = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("connect: %d %v", resp.StatusCode, err)
	}
	if u := a.Verification.ExternalVerificationRedirectURL; !strings.HasPrefix(u, "https://demo.example.invalid/dev-oidc/authorize?") ||
		!strings.Contains(u, url.QueryEscape("https://demo.example.invalid/identity/oauth_callback")) {
		t.Errorf("authorization URL %q", u)
	}
}

// TestTwoTabs connects two accounts from one browser at once, as from two
// tabs: both flows share the browser's binding cookie, so both callbacks
// verify, whichever comes back first (issue 10, item 4).
func TestTwoTabs(t *testing.T) {
	ts := startServer(t, testConfig(t.TempDir()))
	for _, secondFirst := range []bool{false, true} {
		b := newBrowser(t, ts.URL)
		user := "tabs-" + rand8()
		b.login(user)
		var tabs []*account.ExternalAccount
		var forms []providerForm
		for _, label := range []string{"one", "two"} {
			a := b.connect("oauth_custom_dev", url.Values{"label": {label}})
			tabs = append(tabs, a)
			forms = append(forms, b.openProvider(a.Verification.ExternalVerificationRedirectURL))
		}
		order := []int{0, 1}
		if secondFirst {
			order = []int{1, 0}
		}
		for _, i := range order {
			b.submit(forms[i], "approve", devIdentity{Sub: user + "-" + tabs[i].Label})
		}
		list := b.accounts()
		for _, a := range tabs {
			if got := find(t, list, a.ID); got.Verification.Status != verification.StatusVerified {
				t.Errorf("second tab first=%v: tab %q is %s (error %v)", secondFirst, a.Label, got.Verification.Status, got.Verification.Error)
			}
		}
	}
}
