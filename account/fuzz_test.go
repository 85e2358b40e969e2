package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// FuzzServiceInputs feeds arbitrary request input to Connect, Reauthorize
// and Complete: nothing panics, and every error is an API error with a code.
func FuzzServiceInputs(f *testing.F) {
	f.Add("user_1", "oauth_custom_dev", "/settings", "Work", "extra", "consent", "ada@example.com", "state", "code")
	f.Add("", "oauth_google", "//evil.com", "\x00", "a b", "none login", "\r\n", "", "")
	f.Add("u", "oauth_custom_", "javascript:alert(1)", string(make([]byte, 300)), "\"", "select_account", "x", "\xff", "\xfe")

	idp := providertest.New(providertest.Config{})
	f.Cleanup(idp.Close)
	prov, err := oidc.New(context.Background(), oidc.Config{
		Strategy: devStrategy, Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
	})
	if err != nil {
		f.Fatal(err)
	}
	reg, _ := provider.NewRegistry(prov)
	store := memstore.New(memstore.Options{})
	kr, _ := account.NewKeyring(account.GenerateKey("k1"))
	svc, err := account.New(account.Config{Accounts: store, Flows: store, Providers: reg, Keyring: kr, CallbackURL: callbackURL})
	if err != nil {
		f.Fatal(err)
	}
	apiError := func(t *testing.T, what string, err error) {
		var verr *verification.Error
		if err != nil && (!errors.As(err, &verr) || verr.Code == "" || verr.Code == verification.ErrInternal.Code) {
			t.Fatalf("%s: %v is not an API error", what, err)
		}
	}
	f.Fuzz(func(t *testing.T, user, strategy, redirect, label, scope, prompt, hint, state, code string) {
		ctx := context.Background()
		a, err := svc.Connect(ctx, account.ConnectParams{
			UserID: user, Strategy: strategy, RedirectURL: redirect, AdditionalScopes: []string{scope},
			Label: label, OIDCPrompt: prompt, OIDCLoginHint: hint, Binding: state,
		})
		apiError(t, "Connect", err)
		if err == nil {
			_, err = svc.Reauthorize(ctx, account.ReauthorizeParams{
				UserID: user, AccountID: a.ID, AdditionalScopes: []string{scope}, RedirectURL: redirect,
				OIDCPrompt: prompt, OIDCLoginHint: hint,
			})
			apiError(t, "Reauthorize", err)
		}
		c, err := svc.Complete(ctx, account.CallbackParams{State: state, Code: code, Iss: hint, Error: scope, UserID: user, Binding: label})
		apiError(t, "Complete", err)
		if c != nil {
			t.Fatalf("a made-up state completed a flow")
		}
	})
}
