package providertest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tetherauth/tether/provider/providertest"
)

func getJSON(t *testing.T, url string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func stringList(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name        string
		cfg         providertest.Config
		authMethods []string
		issParam    bool
	}{
		{"defaults", providertest.Config{}, []string{"client_secret_basic", "client_secret_post"}, true},
		{"post only, no iss", providertest.Config{AuthMethods: []string{providertest.AuthMethodPost}, DisableIssuerParameter: true}, []string{"client_secret_post"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.cfg)
			resp, d := getJSON(t, s.Issuer()+providertest.PathDiscovery)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			iss := s.Issuer()
			if iss != s.URL() {
				t.Errorf("Issuer() = %q, URL() = %q", iss, s.URL())
			}
			wantStrings := map[string]string{
				"issuer":                 iss,
				"authorization_endpoint": iss + "/authorize",
				"token_endpoint":         iss + "/token",
				"userinfo_endpoint":      iss + "/userinfo",
				"jwks_uri":               iss + "/jwks",
				"revocation_endpoint":    iss + "/revoke",
			}
			for k, want := range wantStrings {
				if d[k] != want {
					t.Errorf("%s = %v, want %q", k, d[k], want)
				}
			}
			wantLists := map[string][]string{
				"response_types_supported":              {"code"},
				"grant_types_supported":                 {"authorization_code", "refresh_token"},
				"code_challenge_methods_supported":      {"S256"},
				"id_token_signing_alg_values_supported": {"RS256"},
				"token_endpoint_auth_methods_supported": tt.authMethods,
				"subject_types_supported":               {"public"},
			}
			for k, want := range wantLists {
				if got := stringList(d[k]); !slices.Equal(got, want) {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			for _, k := range []string{"openid", "email", "profile"} {
				if !slices.Contains(stringList(d["scopes_supported"]), k) {
					t.Errorf("scopes_supported lacks %s", k)
				}
			}
			for _, k := range []string{"sub", "email", "email_verified", "name", "picture", "nonce", "at_hash"} {
				if !slices.Contains(stringList(d["claims_supported"]), k) {
					t.Errorf("claims_supported lacks %s", k)
				}
			}
			if d["authorization_response_iss_parameter_supported"] != tt.issParam {
				t.Errorf("authorization_response_iss_parameter_supported = %v, want %v", d["authorization_response_iss_parameter_supported"], tt.issParam)
			}
			if d["request_uri_parameter_supported"] != false {
				t.Error("request_uri_parameter_supported must be false: its default is true")
			}

			// go-oidc accepts the document.
			if _, err := oidc.NewProvider(context.Background(), iss); err != nil {
				t.Fatalf("go-oidc discovery: %v", err)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newServer(t, providertest.Config{})
	for _, tt := range []struct{ method, path string }{
		{http.MethodGet, providertest.PathToken},
		{http.MethodPost, providertest.PathDiscovery},
		{http.MethodGet, providertest.PathRevoke},
		{http.MethodDelete, providertest.PathUserinfo},
	} {
		req, _ := http.NewRequest(tt.method, s.Issuer()+tt.path, nil)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405", tt.method, tt.path, resp.StatusCode)
		}
	}
}

func TestNewHandlerMounted(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	issuer := "http://" + srv.Listener.Addr().String() + "/dev-oidc/"
	h := providertest.NewHandler(issuer, providertest.Config{})
	mux.Handle("/dev-oidc/", http.StripPrefix("/dev-oidc", h))
	srv.Start()
	t.Cleanup(srv.Close)
	h.SetLogin("bob")

	if h.Issuer() != issuer[:len(issuer)-1] {
		t.Fatalf("Issuer() = %q: the trailing slash is not dropped", h.Issuer())
	}
	ctx := context.Background()
	op, err := oidc.NewProvider(ctx, h.Issuer())
	if err != nil {
		t.Fatalf("discovery under a prefix: %v", err)
	}
	if got := op.Endpoint().TokenURL; got != h.Issuer()+"/token" {
		t.Errorf("token endpoint %q", got)
	}
	_, keys := getJSON(t, h.Issuer()+providertest.PathJWKS)
	if n := len(keys["keys"].([]any)); n != 1 {
		t.Errorf("JWKS has %d keys, want 1", n)
	}
}

func TestNewHandlerRejectsBadIssuer(t *testing.T) {
	for _, issuer := range []string{"", "127.0.0.1:80", "ftp://example.com", "http://example.com/?x=1", "http://example.com/#f"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHandler(%q) did not panic", issuer)
				}
			}()
			providertest.NewHandler(issuer, providertest.Config{})
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("NewHandler with private_key_jwt did not panic")
		}
	}()
	providertest.NewHandler("http://127.0.0.1", providertest.Config{AuthMethods: []string{"private_key_jwt"}})
}
