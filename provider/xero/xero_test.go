package xero_test

import (
	"errors"
	"testing"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/provider/xero"
	"github.com/tetherauth/tether/verification"
)

// TestNoXeroUserID: an ID token without xero_userid fails the exchange
// instead of linking the account by another id (the suite's fixtures
// always carry the claims a harness declares).
func TestNoXeroUserID(t *testing.T) {
	f := providertest.NewMounted(t, providertest.Config{}, "", map[string]string{
		"/identity/connect/authorize":            providertest.PathAuthorize,
		"/connect/token":                         providertest.PathToken,
		"/.well-known/openid-configuration/jwks": providertest.PathJWKS,
	})
	f.AddUser(providertest.User{Subject: "b9d3a4a4e4b14d5c8d2ab5d4e6e3c1f0", Email: "jane.doe@example.com", GivenName: "Jane", FamilyName: "Doe"})
	f.SetLogin("b9d3a4a4e4b14d5c8d2ab5d4e6e3c1f0")
	p, err := xero.New(xero.Config{Credentials: provider.Credentials{ClientID: f.ClientID(), ClientSecret: f.ClientSecret()},
		BaseURL: f.URL, APIURL: f.URL, HTTP: provider.HTTPSettings{Client: f.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	if id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{}); !errors.Is(err, verification.ErrFetchUser) {
		t.Fatalf("Exchange: identity %v, error %v; want verification.ErrFetchUser", id, err)
	}
}
