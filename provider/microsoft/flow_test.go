package microsoft_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/microsoft"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

const (
	tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47" // the work account's
	tenantB = "5f6a7b8c-1d2e-4f3a-9b8c-7d6e5f4a3b2c" // the edov account's

	workSub     = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"
	personalSub = "AAAAAAAAAAAAAAAAAAAAAPersonalAccountSub01"
	edovSub     = "AAAAAAAAAAAAAAAAAAAAAVerifiedDomainOwner01"
)

// fake is a providertest provider under the identity platform's paths for
// every tenant segment the tests use.
type fake struct {
	*providertest.Mounted
}

func newFake(t *testing.T) *fake {
	t.Helper()
	paths := map[string]string{}
	for _, tenant := range []string{"common", "organizations", "consumers", tenantA, tenantB} {
		paths["/"+tenant+"/oauth2/v2.0/authorize"] = providertest.PathAuthorize
		paths["/"+tenant+"/oauth2/v2.0/token"] = providertest.PathToken
		paths["/"+tenant+"/discovery/v2.0/keys"] = providertest.PathJWKS
	}
	// The identity platform sends no RFC 9207 iss parameter.
	f := &fake{providertest.NewMounted(t, providertest.Config{DisableIssuerParameter: true, AuthMethods: []string{providertest.AuthMethodPost}}, "", paths)}
	for _, name := range []string{"id_token_work.json", "id_token_personal.json", "id_token_edov.json"} {
		f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", name)))
	}
	return f
}

// signIn signs sub in; its ID tokens name issuerTenant in "iss" and tid in
// "tid" (the tenant of the account, normally the same).
func (f *fake) signIn(sub, issuerTenant, tid string) {
	f.SetLogin(sub)
	claims := map[string]any{"iss": f.URL + "/" + issuerTenant + "/v2.0", "tid": tid}
	if tid == "" {
		claims["tid"] = nil
	}
	f.SetFaults(providertest.Faults{IDTokenClaims: claims})
}

func newProvider(t *testing.T, f *fake, tenant string, allowed ...string) *microsoft.Provider {
	t.Helper()
	p, err := microsoft.New(microsoft.Config{
		Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()}, BaseURL: f.URL,
		Tenant: tenant, AllowedTenants: allowed,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlow(t *testing.T) {
	f := newFake(t)
	f.signIn(workSub, tenantA, tenantA)
	p := newProvider(t, f, "")
	if _, ok := any(p).(provider.Revoker); ok {
		t.Error("the identity platform has no revocation endpoint: the provider must not be a Revoker")
	}
	a := testkit.New(t, p).Link("user_1", f.Client())
	testkit.Check(t, a, testkit.Want{
		ProviderUserID: workSub,
		Email:          "abe.lincoln@microsoft.com",
		EmailVerified:  nil, // Microsoft does not verify work account emails
		FirstName:      "Abe",
		LastName:       "Lincoln",
		Username:       "AbeLi@microsoft.com",
		Scopes:         []string{"openid", "email", "profile", "offline_access"},
	})
}

func TestTenantIssuer(t *testing.T) {
	f := newFake(t)
	tests := []struct {
		name         string
		tenant       string
		allowed      []string
		sub          string
		issuerTenant string
		tid          string
		wantErr      string
	}{
		{"common: the issuer of the token's tenant", "common", nil, workSub, tenantA, tenantA, ""},
		{"common: a personal account", "common", nil, personalSub, microsoft.ConsumersTenantID, microsoft.ConsumersTenantID, ""},
		{"common: issuer and tid disagree", "common", nil, workSub, tenantA, tenantB, "another issuer"},
		{"common: the template itself", "common", nil, workSub, "{tenantid}", tenantA, "another issuer"},
		{"common: no tid", "common", nil, workSub, tenantA, "", "no tenant"},
		{"common: a tid that is no GUID", "common", nil, workSub, "contoso.com", "contoso.com", "no tenant"},
		{"tenant id: its own account", tenantA, nil, workSub, tenantA, tenantA, ""},
		{"tenant id: another tenant's account", tenantA, nil, edovSub, tenantB, tenantB, "another issuer"},
		{"organizations: a work account", "organizations", nil, edovSub, tenantB, tenantB, ""},
		{"organizations: a personal account", "organizations", nil, personalSub, microsoft.ConsumersTenantID, microsoft.ConsumersTenantID, "personal Microsoft account"},
		{"consumers: a personal account", "consumers", nil, personalSub, microsoft.ConsumersTenantID, microsoft.ConsumersTenantID, ""},
		{"consumers: a work account", "consumers", nil, workSub, tenantA, tenantA, "another issuer"},
		{"allowed tenants: in", "common", []string{tenantA}, workSub, tenantA, tenantA, ""},
		{"allowed tenants: out", "common", []string{tenantA}, edovSub, tenantB, tenantB, "tenant is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.signIn(tt.sub, tt.issuerTenant, tt.tid)
			p := newProvider(t, f, tt.tenant, tt.allowed...)
			id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if id.ProviderUserID != tt.sub {
					t.Errorf("sub %q", id.ProviderUserID)
				}
				return
			}
			if !errors.Is(err, verification.ErrIDTokenInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want ErrIDTokenInvalid saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestIdentityMapping(t *testing.T) {
	f := newFake(t)
	p := newProvider(t, f, "common")
	tests := []struct {
		sub, tenant        string
		email, first, last string
		username           string
		verified           *bool
	}{
		{workSub, tenantA, "abe.lincoln@microsoft.com", "Abe", "Lincoln", "AbeLi@microsoft.com", nil},
		// The Graph picture URL is dropped; a one-word name is a first name.
		{personalSub, microsoft.ConsumersTenantID, "ada@outlook.com", "Ada", "", "ada@outlook.com", nil},
		// xms_edov: the domain owner verified the address.
		{edovSub, tenantB, "grace@contoso.example", "Grace", "Hopper", "grace@contoso.example", new(true)},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			f.signIn(tt.sub, tt.tenant, tt.tenant)
			id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if id.EmailAddress != tt.email || id.FirstName != tt.first || id.LastName != tt.last || id.Username != tt.username || id.AvatarURL != "" {
				t.Errorf("identity %+v", *id)
			}
			if (id.EmailVerified == nil) != (tt.verified == nil) || (id.EmailVerified != nil && *id.EmailVerified != *tt.verified) {
				t.Errorf("verified %v", id.EmailVerified)
			}
			if id.Claims["oid"] == nil && tt.sub != edovSub {
				t.Error("oid not kept in Claims")
			}
		})
	}
}

func TestRefreshChecksTenant(t *testing.T) {
	f := newFake(t)
	f.signIn(workSub, tenantA, tenantA)
	p := newProvider(t, f, "common")
	_, tok, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	next, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: tok.RefreshToken})
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	f.signIn(workSub, tenantA, tenantB) // the refreshed ID token disagrees
	if _, err := p.Refresh(context.Background(), provider.RefreshRequest{RefreshToken: next.RefreshToken}); !errors.Is(err, verification.ErrIDTokenInvalid) {
		t.Errorf("refresh with a mismatched tenant: %v", err)
	}
}

// TestIssuerOfTenant: a tenant's issuer is fixed; the multi-tenant ones
// have an issuer template instead.
func TestIssuerOfTenant(t *testing.T) {
	tests := map[string]string{
		"":              "",
		"consumers":     "https://login.microsoftonline.com/" + microsoft.ConsumersTenantID + "/v2.0",
		tenantA:         "https://login.microsoftonline.com/" + tenantA + "/v2.0",
		"ORGANIZATIONS": "",
	}
	for tenant, issuer := range tests {
		p, err := microsoft.New(microsoft.Config{Credentials: provider.Credentials{ClientID: "i", ClientSecret: "s"}, Tenant: tenant})
		if err != nil {
			t.Fatal(err)
		}
		if md := p.Metadata(); md.Issuer != issuer || !md.OpenID {
			t.Errorf("tenant %q: metadata %+v", tenant, md)
		}
	}
}

func TestServiceRefusesWrongTenant(t *testing.T) {
	f := newFake(t)
	e := testkit.New(t, newProvider(t, f, "common"))
	f.signIn(workSub, tenantA, tenantB)
	a := e.Connect("user_1")
	c, err := e.Complete(testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL))
	if !errors.Is(err, verification.ErrIDTokenInvalid) || c == nil || c.Account.Verification.Status == verification.StatusVerified {
		t.Fatalf("wrong tenant: %v", err)
	}
	// The retry, with an honest token, verifies.
	f.signIn(workSub, tenantA, tenantA)
	c, err = e.Complete(testkit.Browse(t, f.Client(), c.Account.Verification.ExternalVerificationRedirectURL))
	if err != nil || c.Account.Verification.Status != verification.StatusVerified || c.Account.ProviderUserID != workSub {
		t.Fatalf("right tenant: %v", err)
	}
}
