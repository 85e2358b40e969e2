package account_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// nativeIDToken plays a native app: it signs sub in at the provider as its
// own client and returns the ID token it got, with nonce in it.
func nativeIDToken(t *testing.T, e *env, app provider.Provider, sub, nonce string) string {
	t.Helper()
	e.idp.SetLogin(sub)
	verifier := strings.Repeat("n", 43)
	u, err := app.AuthCodeURL(t.Context(), provider.AuthRequest{State: "st", CodeChallenge: s256(verifier), Nonce: nonce, RedirectURI: callbackURL, Scopes: []string{"openid", "email"}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := providertest.Authorize(t.Context(), e.idp.Client(), u)
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := app.Exchange(t.Context(), provider.ExchangeRequest{Code: cb.Query().Get("code"), CodeVerifier: verifier, RedirectURI: callbackURL, Nonce: nonce})
	if err != nil || tok.IDToken == "" {
		t.Fatalf("the app's exchange: %v", err)
	}
	return tok.IDToken
}

// Sign in with an ID token a native app obtained (issue 11): the audience
// must be one of the host's client ids, the nonce the app's, and a token
// works once.
func TestSignInWithIDToken(t *testing.T) {
	e := newEnv(t)
	google := verification.MustParseStrategy("oauth_google")
	ctx := t.Context()
	// The native app's own client at the provider: providertest's client.
	app, err := oidc.New(ctx, oidc.Config{Strategy: google, Issuer: e.idp.Issuer(), ClientID: e.idp.ClientID(), ClientSecret: e.idp.ClientSecret(), HTTP: provider.HTTPSettings{Now: e.clock.Now}})
	if err != nil {
		t.Fatal(err)
	}
	// The host's provider: its web client, and the app's as an additional
	// audience.
	build := func(additional ...string) *account.Service {
		web, err := oidc.New(ctx, oidc.Config{Strategy: google, Issuer: e.idp.Issuer(), ClientID: "web-client", ClientSecret: "web-secret",
			AdditionalAudiences: additional, HTTP: provider.HTTPSettings{Now: e.clock.Now}})
		if err != nil {
			t.Fatal(err)
		}
		reg, _ := provider.NewRegistry(web)
		svc, err := account.New(account.Config{Accounts: e.store, Flows: e.store, Providers: reg, Keyring: e.keyring, CallbackURL: callbackURL, Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := build(e.idp.ClientID())

	// A new identity: transferable, then a user.
	tok := nativeIDToken(t, e, app, "native-sub", "app-nonce")
	_, err = svc.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "app-1", Strategy: "oauth_token_google", Token: tok, Nonce: "another-nonce"})
	wantCode(t, err, verification.ErrIDTokenInvalid)
	tok = nativeIDToken(t, e, app, "native-sub", "app-nonce")
	at, err := svc.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "app-1", Strategy: "oauth_token_google", Token: tok, Nonce: "app-nonce"})
	if err != nil {
		t.Fatal(err)
	}
	if !at.NeedsUser() || at.Identity.ProviderUserID != "native-sub" || at.Verification.Strategy.String() != "oauth_token_google" {
		t.Fatalf("ID token sign-in of a new identity = %+v", at)
	}
	// Replayed: refused, even by another client.
	_, err = svc.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "app-2", Strategy: "oauth_token_google", Token: tok, Nonce: "app-nonce"})
	wantCode(t, err, verification.ErrIDTokenInvalid)

	var users createUsers
	up, err := svc.TransferToNewUser(ctx, "app-1", account.SignIn, users.create)
	if err != nil || up.UserID != "user_new_1" {
		t.Fatalf("transfer: %+v, %v", up, err)
	}
	// The identity now signs its user in.
	tok = nativeIDToken(t, e, app, "native-sub", "n2")
	at, err = svc.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "app-3", Strategy: "oauth_token_google", Token: tok, Nonce: "n2"})
	if err != nil || at.Status != account.StatusComplete || at.UserID != "user_new_1" {
		t.Fatalf("ID token sign-in of a linked identity = %+v, %v", at, err)
	}

	// A token for a client the host does not name is foreign: refused.
	strict := build()
	tok = nativeIDToken(t, e, app, "native-sub", "n3")
	_, err = strict.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "app-4", Strategy: "oauth_token_google", Token: tok})
	wantCode(t, err, verification.ErrIDTokenInvalid)

	// Bad strategies and tokens.
	for _, p := range []account.IDTokenParams{
		{Binding: "b", Strategy: "oauth_google", Token: tok},
		{Binding: "b", Strategy: "oauth_token_github", Token: tok},
	} {
		if _, err := svc.SignInWithIDToken(ctx, p); err == nil {
			t.Errorf("%s accepted", p.Strategy)
		}
	}
	_, err = svc.SignInWithIDToken(ctx, account.IDTokenParams{Binding: "b", Strategy: "oauth_token_google", Token: "not.a.jwt"})
	wantCode(t, err, verification.ErrIDTokenInvalid)
	if strings.Contains(e.logs.String(), tok[:20]) {
		t.Fatal("an ID token reached the log")
	}
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
