package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/verification"
)

// attemptWire is the part of Clerk's sign-in and sign-up objects the demo
// contract reads.
type attemptWire struct {
	Object        string                       `json:"object"`
	Status        string                       `json:"status"`
	FirstFactor   *verificationWire            `json:"first_factor_verification"`
	Verifications *map[string]verificationWire `json:"verifications"`
}

type verificationWire struct {
	Status      string `json:"status"`
	RedirectURL string `json:"external_verification_redirect_url"`
	Error       *struct {
		Code string `json:"code"`
	} `json:"error"`
}

type clientWire struct {
	Object string       `json:"object"`
	SignIn *attemptWire `json:"sign_in"`
	SignUp *attemptWire `json:"sign_up"`
}

// providerSignIn posts to /identity/sign_ins or /identity/sign_ups, approves
// id at the dev provider and returns the page the browser lands on.
func (b *browser) providerSignIn(route string, id devIdentity) string {
	b.t.Helper()
	var a attemptWire
	b.api("POST", route, url.Values{"strategy": {"oauth_custom_dev"}, "redirect_url": {"/"}}, http.StatusOK, &a)
	var authURL string
	switch route {
	case "/sign_ins":
		if a.Object != "sign_in_attempt" || a.FirstFactor == nil {
			b.t.Fatalf("POST /identity/sign_ins answered %+v", a)
		}
		authURL = a.FirstFactor.RedirectURL
	default:
		ea, ok := (*a.Verifications)["external_account"]
		if a.Object != "sign_up_attempt" || !ok {
			b.t.Fatalf("POST /identity/sign_ups answered %+v", a)
		}
		authURL = ea.RedirectURL
	}
	if authURL == "" {
		b.t.Fatalf("%s: no external_verification_redirect_url", route)
	}
	return b.submit(b.openProvider(authURL), "approve", id)
}

func (b *browser) client() clientWire {
	b.t.Helper()
	var c clientWire
	b.api("GET", "/client", nil, http.StatusOK, &c)
	if c.Object != "client" {
		b.t.Fatalf("GET /identity/client: %+v", c)
	}
	return c
}

// The demo's sign-in contract, driven over HTTP as the checks drive it
// (issue 11).
func TestSignInContract(t *testing.T) {
	ts := startServer(t, testConfig(t.TempDir()))
	neo := devIdentity{Sub: "neo-" + rand8(), Email: "neo@example.com", Name: "Neo", EmailVerified: true}

	// The signed-out page offers Sign in with Dev.
	b := newBrowser(t, ts.URL)
	if _, page := b.do("GET", "/", nil); !strings.Contains(page, "Sign in with Dev") {
		t.Fatal("the signed-out page has no Sign in with Dev")
	}
	// A new identity: the sign-in ends transferable.
	page := b.providerSignIn("/sign_ins", neo)
	if strings.Contains(page, `id="current-user"`) {
		t.Fatal("a new identity signed somebody in")
	}
	c := b.client()
	if c.SignIn == nil || c.SignIn.FirstFactor.Status != string(verification.StatusTransferable) ||
		c.SignIn.FirstFactor.Error == nil || c.SignIn.FirstFactor.Error.Code != "external_account_not_found" {
		t.Fatalf("client after a new identity: %+v", c.SignIn)
	}
	// Create an account: the demo creates the user and signs it in.
	b.api("POST", "/sign_ups", url.Values{"transfer": {"true"}}, http.StatusOK, nil)
	list := b.accounts()
	if len(list) != 1 || !list[0].Verified() || list[0].ProviderUserID != neo.Sub {
		t.Fatalf("the new user's accounts: %+v", list)
	}
	_, page = b.do("GET", "/", nil)
	if !strings.Contains(page, `<strong id="current-user">neo</strong>`) {
		t.Fatalf("not signed in as neo:\n%s", page)
	}

	// Sign out, sign in again: the same user.
	b.do("POST", "/logout", url.Values{})
	page = b.providerSignIn("/sign_ins", neo)
	if !strings.Contains(page, `<strong id="current-user">neo</strong>`) {
		t.Fatalf("signing in again did not give neo back:\n%s", page)
	}
	if again := b.accounts(); len(again) != 1 || again[0].ID != list[0].ID {
		t.Fatalf("accounts after signing in again: %+v", again)
	}

	// A sign-up with a linked identity ends transferable, and a sign-in
	// transfer signs its owner in.
	other := newBrowser(t, ts.URL)
	other.providerSignIn("/sign_ups", neo)
	c = other.client()
	if c.SignUp == nil || (*c.SignUp.Verifications)["external_account"].Status != "transferable" ||
		(*c.SignUp.Verifications)["external_account"].Error.Code != "external_account_exists" {
		t.Fatalf("client after signing up with a linked identity: %+v", c.SignUp)
	}
	other.api("POST", "/sign_ins", url.Values{"transfer": {"true"}}, http.StatusOK, nil)
	if got := other.accounts(); len(got) != 1 || got[0].ID != list[0].ID {
		t.Fatalf("the owner's accounts after a sign-in transfer: %+v", got)
	}

	// A second new identity whose name is taken gets a unique one.
	morpheus := devIdentity{Sub: "m-" + rand8(), Email: "neo@example.org", EmailVerified: true}
	third := newBrowser(t, ts.URL)
	third.providerSignIn("/sign_ins", morpheus)
	third.api("POST", "/sign_ups", url.Values{"transfer": {"true"}}, http.StatusOK, nil)
	if _, page := third.do("GET", "/", nil); !strings.Contains(page, `<strong id="current-user">neo-2</strong>`) {
		t.Fatalf("the second neo is not neo-2:\n%s", page)
	}
}
