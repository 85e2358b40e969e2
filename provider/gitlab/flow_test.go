package gitlab_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/gitlab"
	"github.com/tetherauth/tether/provider/providertest"
)

// newFake is a self-managed GitLab with the relative URL root /gitlab.
func newFake(t *testing.T) *providertest.Mounted {
	t.Helper()
	f := providertest.NewMounted(t, providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}}, "/gitlab", map[string]string{
		"/gitlab/oauth/authorize":      providertest.PathAuthorize,
		"/gitlab/oauth/token":          providertest.PathToken,
		"/gitlab/oauth/discovery/keys": providertest.PathJWKS,
		"/gitlab/oauth/revoke":         providertest.PathRevoke,
	})
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token.json")))
	f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", "id_token_unconfirmed.json")))
	return f
}

func newProvider(t *testing.T, f *providertest.Mounted) *gitlab.Provider {
	t.Helper()
	p, err := gitlab.New(gitlab.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL + "/gitlab/"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlowSelfManaged(t *testing.T) {
	f := newFake(t)
	f.SetLogin("1")
	p := newProvider(t, f)
	if md := p.Metadata(); md.Issuer != f.URL+"/gitlab" {
		t.Errorf("issuer %q", md.Issuer)
	}
	e := testkit.New(t, p)
	a := e.Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: "1",
		Email:          "admin@example.com",
		EmailVerified:  new(true),
		FirstName:      "Administrator",
		AvatarURL:      "https://gitlab.example.com/uploads/-/system/user/avatar/1/avatar.png",
		Username:       "root",
		Scopes:         []string{"openid", "profile", "email"},
	})
	if err := e.Service.Destroy(context.Background(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestUnconfirmedEmail(t *testing.T) {
	f := newFake(t)
	f.SetLogin("4815162342")
	id, tok, err := testkit.Exchange(t, newProvider(t, f), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.ProviderUserID != "4815162342" || id.Username != "newcomer" || id.EmailVerified == nil || *id.EmailVerified || id.FirstName != "" {
		t.Errorf("identity %+v", *id)
	}
	if _, err := newProvider(t, f).Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken}); err != nil {
		t.Errorf("Refresh: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]gitlab.Config{
		"bad base URL": {Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, BaseURL: "gitlab.example.com"},
	} {
		if _, err := gitlab.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "gitlab: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, _ := gitlab.New(gitlab.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}})
	if md := p.Metadata(); md.Issuer != "https://gitlab.com" {
		t.Errorf("issuer %q", md.Issuer)
	}
}
