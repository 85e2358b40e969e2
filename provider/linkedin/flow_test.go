package linkedin_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/linkedin"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// newFake mimics LinkedIn: its paths, client_secret_post, no PKCE, and ID
// tokens without a nonce.
func newFake(t *testing.T) *providertest.Mounted {
	t.Helper()
	f := providertest.NewMounted(t, providertest.Config{
		AuthMethods:            []string{providertest.AuthMethodPost},
		PKCEOptional:           true,
		DisableIssuerParameter: true,
	}, "/oauth", map[string]string{
		"/oauth/v2/authorization": providertest.PathAuthorize,
		"/oauth/v2/accessToken":   providertest.PathToken,
		"/oauth/openid/jwks":      providertest.PathJWKS,
		"/oauth/v2/revoke":        providertest.PathRevoke,
	})
	f.SetFaults(providertest.Faults{IDToken: providertest.IDTokenMissingNonce})
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token.json")))
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token_no_email.json")))
	return f
}

func newProvider(t *testing.T, f *providertest.Mounted) *linkedin.Provider {
	t.Helper()
	p, err := linkedin.New(linkedin.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t)
	f.SetLogin("782bbtaQ")
	p := newProvider(t, f)
	e := testkit.New(t, p)
	a := e.Connect("user_1")
	u, _ := url.Parse(a.Verification.ExternalVerificationRedirectURL)
	if q := u.Query(); q.Has("code_challenge") || q.Get("nonce") == "" {
		t.Errorf("authorization URL %v: want a nonce and no PKCE", q)
	}
	c, err := e.Complete(testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Check(t, c.Account, testkit.Want{
		ProviderUserID: "782bbtaQ",
		Email:          "doe@email.com",
		EmailVerified:  new(true), // sent as the string "true"
		FirstName:      "John",
		LastName:       "Doe",
		AvatarURL:      "https://media.licdn-ei.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile-displayphoto-shrink_100_100/0/",
		Scopes:         []string{"openid", "profile", "email"},
	})
	if err := e.Service.Destroy(context.Background(), "user_1", c.Account.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestNoEmail(t *testing.T) {
	f := newFake(t)
	f.SetLogin("yrZCpj2Z12")
	id, _, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{Scopes: []string{"openid", "profile"}})
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "yrZCpj2Z12" || id.EmailAddress != "" || id.EmailVerified != nil || id.FirstName != "Solo" || id.LastName != "" || id.AvatarURL != "" {
		t.Errorf("identity %+v", *id)
	}
}

func TestWrongNonceStillRefused(t *testing.T) {
	f := newFake(t)
	f.SetLogin("782bbtaQ")
	f.SetFaults(providertest.Faults{IDToken: providertest.IDTokenWrongNonce})
	_, _, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("error %v", err)
	}
}

func TestPKCEOptIn(t *testing.T) {
	p, err := linkedin.New(linkedin.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, PKCE: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.AuthCodeURL(context.Background(), provider.AuthRequest{State: "s", CodeChallenge: strings.Repeat("c", 43), Nonce: "n", RedirectURI: testkit.CallbackURL})
	if err != nil || !strings.Contains(u, "code_challenge_method=S256") || !strings.HasPrefix(u, "https://www.linkedin.com/oauth/v2/authorization?") {
		t.Errorf("URL %s, %v", u, err)
	}
	if md := p.Metadata(); md.Issuer != linkedin.Issuer {
		t.Errorf("issuer %q", md.Issuer)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]linkedin.Config{
		"bad base URL": {Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, BaseURL: "www.linkedin.com"},
	} {
		if _, err := linkedin.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "linkedin: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
