package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowser clicks through the demo in a real, headless Chromium: sign
// in, connect the dev provider, approve on its page, and the page shows the
// account verified; then reauthorize with an extra scope, deny and retry,
// disconnect. It saves screenshots to TETHER_SCREENSHOT_DIR, or to a
// temporary directory.
func TestBrowser(t *testing.T) {
	bin := os.Getenv("TETHER_CHROMIUM")
	if bin == "" {
		t.Skip("TETHER_CHROMIUM is not set (the Chromium binary; .ci/run installs Debian's chromium and sets it)")
	}
	shots := os.Getenv("TETHER_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, testConfig(t.TempDir()))

	ctx := startChrome(t, bin)

	screenshot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			path := filepath.Join(shots, name+".png")
			if err := os.WriteFile(path, png, 0o644); err != nil {
				return err
			}
			t.Logf("screenshot: %s", path)
			return nil
		})
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			at, _ := chromedp.Run(ctx, chromedp.Location())
			_ = chromedp.Do(ctx, screenshot("failed-"+strings.ReplaceAll(name, " ", "-")))
			t.Fatalf("%s (at %s): %v", name, at, err)
		}
	}
	// get runs an action that returns a value.
	get := func(what string, action chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, action)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	const (
		approve  = chromedp.CSS(`button[name="decision"][value="approve"]`)
		deny     = chromedp.CSS(`button[name="decision"][value="deny"]`)
		verified = `article.account[data-status="verified"]`
		connect  = chromedp.CSS(`button[data-connect="oauth_custom_dev"]`)
	)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	step("sign in",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(css(`#username`)),
		screenshot("1-sign-in"),
		chromedp.SendKeys(css(`#username`), "ada"),
		chromedp.Click(css(`#sign-in`)),
		chromedp.WaitVisible(connect),
	)
	if user := get("current user", chromedp.Text(css(`#current-user`))); user != "ada" {
		t.Fatalf("signed in as %q, want ada", user)
	}

	step("connect",
		chromedp.Click(connect),
		chromedp.WaitVisible(approve),
		screenshot("2-dev-provider"),
	)
	if sub := get("prefilled sub", chromedp.Value(css(`#sub`))); sub != "ada" {
		t.Errorf("the dev provider's form is prefilled with sub %q, want ada", sub)
	}

	step("approve",
		chromedp.Click(approve),
		chromedp.WaitVisible(css(verified)),
		chromedp.WaitVisible(css(`#outcome.ok`)),
		screenshot("3-verified"),
	)
	if text := get("outcome", chromedp.Text(css(`#outcome`))); !strings.Contains(text, "verified") {
		t.Errorf("the outcome says %q, want it to say verified", text)
	}

	step("reauthorize with an extra scope",
		chromedp.SendKeys(css(verified+` form.reauthorize input[name="scopes"]`), "contacts.read"),
		chromedp.Click(css(verified+` form.reauthorize button`)),
		chromedp.WaitVisible(approve),
		chromedp.Click(approve),
		chromedp.WaitVisible(css(`#outcome.ok`)),
	)
	if text := get("scopes", chromedp.Text(css(verified+` .scopes`))); !strings.Contains(text, "contacts.read") {
		t.Errorf("approved scopes after reauthorizing: %q, want contacts.read among them", text)
	}

	step("deny",
		chromedp.Click(connect),
		chromedp.WaitVisible(deny),
		chromedp.Click(deny),
		chromedp.WaitVisible(css(`a.retry`)),
		chromedp.WaitVisible(css(`#outcome.warn`)),
		screenshot("4-denied"),
	)
	if text := get("outcome", chromedp.Text(css(`#outcome`))); !strings.Contains(text, "You did not grant access") {
		t.Errorf("the outcome after deny says %q", text)
	}

	step("retry",
		chromedp.Click(css(`a.retry`)),
		chromedp.WaitVisible(approve),
		chromedp.SetValue(css(`#sub`), "ada-work"),
		chromedp.Click(approve),
		chromedp.WaitVisible(css(`#outcome.ok`)),
		screenshot("5-two-accounts"),
	)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+verified+`').length`))
	if err != nil || n != 2 {
		t.Errorf("%d verified accounts after the retry (%v), want 2", n, err)
	}

	for range 2 {
		id := get("account id", chromedp.Evaluate[string](`document.querySelector('article.account').dataset.id`))
		step("disconnect "+id,
			chromedp.Click(css(`#`+id+` [data-disconnect]`)),
			chromedp.WaitNotPresent(css(`#`+id)),
		)
	}
	step("no accounts left", chromedp.WaitVisible(css(`p.empty`)))

	step("sign out",
		chromedp.Click(css(`#sign-out`)),
		chromedp.WaitVisible(css(`#username`)),
	)
}

// startChrome starts a headless Chromium for t, with a fresh profile,
// talking to nothing but the test's server, that accepts every JavaScript
// dialog. It stops when t ends.
func startChrome(t *testing.T, bin string) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Nothing but the test's own server: no updates, reports or lookups.
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1024, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)

	// Accept the "Disconnect …?" confirmation. The subscription starts
	// now; the goroutine answers each dialog until the context ends.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	return ctx
}

// TestBrowserSignIn signs in with the Dev provider in a real Chromium: a
// new identity, "Create an account", sign out, sign in again with the same
// identity, and the same user is back (issue 11).
func TestBrowserSignIn(t *testing.T) {
	bin := os.Getenv("TETHER_CHROMIUM")
	if bin == "" {
		t.Skip("TETHER_CHROMIUM is not set (the Chromium binary; .ci/run installs Debian's chromium and sets it)")
	}
	ts := startServer(t, testConfig(t.TempDir()))
	ctx := startChrome(t, bin)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			at, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s (at %s): %v", name, at, err)
		}
	}
	const approve = chromedp.CSS(`button[name="decision"][value="approve"]`)
	signInWithDev := func(name string) {
		t.Helper()
		step(name,
			chromedp.Navigate(ts.URL+"/"),
			chromedp.WaitVisible(css(`button[data-sign-in="oauth_custom_dev"]`)),
			chromedp.Click(css(`button[data-sign-in="oauth_custom_dev"]`)),
			chromedp.WaitVisible(approve),
			chromedp.SetValue(css(`#sub`), "trinity-sub"),
			chromedp.SetValue(css(`#email`), "trinity@example.com"),
			chromedp.Click(approve),
		)
	}
	signInWithDev("sign in with Dev as a new identity")
	step("create an account",
		chromedp.WaitVisible(css(`#create-account`)),
		chromedp.Click(css(`#create-account`)),
		chromedp.WaitVisible(css(`#current-user`)),
		chromedp.WaitVisible(css(`article.account[data-status="verified"]`)),
	)
	first, err := chromedp.Run(ctx, chromedp.Text(css(`#current-user`)))
	if err != nil || first != "trinity" {
		t.Fatalf("after creating the account, signed in as %q (%v), want trinity", first, err)
	}
	step("sign out", chromedp.Click(css(`#sign-out`)), chromedp.WaitVisible(css(`#username`)))
	signInWithDev("sign in with Dev again")
	step("signed in again", chromedp.WaitVisible(css(`#current-user`)))
	again, err := chromedp.Run(ctx, chromedp.Text(css(`#current-user`)))
	if err != nil || again != first {
		t.Fatalf("signing in again gave %q (%v), want %q", again, err, first)
	}
}
