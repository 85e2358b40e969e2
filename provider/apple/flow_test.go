package apple_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tetherauth/tether/internal/testkit"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/apple"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

const (
	teamID     = "TEAM123456"
	keyID      = "KEY1234567"
	servicesID = "com.example.web"
)

const (
	privateSub = "001234.56789abcdef0123456789abcdef01.2345"
	sharedSub  = "000999.fedcba9876543210fedcba9876543210.0001"
)

// fakeApple is a providertest provider behind Apple's endpoints: the
// authorization endpoint answers with a form_post page carrying the "user"
// parameter on a user's first authorization only, and the token and
// revocation endpoints accept only a valid ES256 client secret JWT of the
// team's key.
type fakeApple struct {
	*providertest.Mounted
	pub      *ecdsa.PublicKey
	userJSON []byte

	mu         sync.Mutex
	current    string          // the signed-in subject
	authorized map[string]bool // subjects that authorized the app before
	secrets    map[string]bool // distinct client secrets seen
	badSecrets int
}

func newFake(t *testing.T, pub *ecdsa.PublicKey) *fakeApple {
	t.Helper()
	user, err := os.ReadFile(filepath.Join("testdata", "user.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeApple{pub: pub, userJSON: []byte(strings.TrimSpace(string(user))), authorized: map[string]bool{}, secrets: map[string]bool{}}
	f.Mounted = providertest.NewMounted(t, providertest.Config{
		ClientID:               servicesID,
		AuthMethods:            []string{providertest.AuthMethodPost},
		DisableIssuerParameter: true,
	}, "", map[string]string{"/auth/keys": providertest.PathJWKS})
	f.HandleFunc("GET /auth/authorize", f.authorize)
	f.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) { f.withSecret(w, r, providertest.PathToken) })
	f.HandleFunc("POST /auth/revoke", func(w http.ResponseWriter, r *http.Request) { f.withSecret(w, r, providertest.PathRevoke) })
	for _, name := range []string{"id_token.json", "id_token_shared_email.json"} {
		f.AddUser(providertest.UserFromClaims(t, filepath.Join("testdata", name)))
	}
	return f
}

var formTemplate = `<html><body onload="document.forms[0].submit()"><form method="post" action="%s">%s</form></body></html>`

// authorize runs providertest's authorization endpoint and turns its
// redirect into Apple's form_post page.
func (f *fakeApple) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_mode") != "form_post" {
		http.Error(w, "response_mode must be form_post when requesting name or email", http.StatusBadRequest)
		return
	}
	q.Del("response_mode")
	rec := httptest.NewRecorder()
	f.Forward(rec, r, providertest.PathAuthorize+"?"+q.Encode())
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || rec.Code != http.StatusFound {
		http.Error(w, "authorization failed", http.StatusBadRequest)
		return
	}
	fields := loc.Query()
	loc.RawQuery = ""
	if fields.Has("code") {
		f.mu.Lock()
		sub := f.current
		if !f.authorized[sub] {
			f.authorized[sub] = true
			fields.Set("user", string(f.userJSON))
		}
		f.mu.Unlock()
	}
	var inputs strings.Builder
	for k, vs := range fields {
		for _, v := range vs {
			fmt.Fprintf(&inputs, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(k), html.EscapeString(v))
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, formTemplate, html.EscapeString(loc.String()), inputs.String())
}

// signIn signs sub in.
func (f *fakeApple) signIn(sub string) {
	f.mu.Lock()
	f.current = sub
	f.mu.Unlock()
	f.SetLogin(sub)
}

// withSecret checks the client secret JWT and forwards the request with
// providertest's static secret.
func (f *fakeApple) withSecret(w http.ResponseWriter, r *http.Request, path string) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	secret := r.PostForm.Get("client_secret")
	if err := f.checkSecret(secret, r.PostForm.Get("client_id")); err != nil {
		f.mu.Lock()
		f.badSecrets++
		f.mu.Unlock()
		providertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client"})
		return
	}
	f.mu.Lock()
	f.secrets[secret] = true
	f.mu.Unlock()
	form := url.Values{}
	for k, v := range r.PostForm {
		form[k] = v
	}
	form.Set("client_secret", f.ClientSecret())
	r.PostForm, r.Form = form, form
	f.Forward(w, r, path)
}

func (f *fakeApple) checkSecret(raw, clientID string) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	if tok.Headers[0].KeyID != keyID {
		return fmt.Errorf("kid %q", tok.Headers[0].KeyID)
	}
	var c jwt.Claims
	if err := tok.Claims(f.pub, &c); err != nil {
		return err
	}
	if c.IssuedAt == nil || c.Expiry == nil || c.Expiry.Time().Sub(c.IssuedAt.Time()) > 180*24*time.Hour {
		return fmt.Errorf("lifetime")
	}
	return c.Validate(jwt.Expected{Issuer: teamID, Subject: clientID, AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: time.Now()})
}

func newKey(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func newProvider(t *testing.T, f *fakeApple, p8 []byte) *apple.Provider {
	t.Helper()
	p, err := apple.New(apple.Config{ClientID: servicesID, TeamID: teamID, KeyID: keyID, PrivateKey: p8, BaseURL: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFormPostAndFirstTimeName(t *testing.T) {
	_, p8 := newKey(t)
	f := newFake(t, mustPublic(t, p8))
	f.signIn(privateSub)
	e := testkit.New(t, newProvider(t, f, p8))
	a := e.Connect("user_1")
	u, _ := url.Parse(a.Verification.ExternalVerificationRedirectURL)
	if q := u.Query(); q.Get("response_mode") != "form_post" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != "openid name email" {
		t.Errorf("authorization URL %v", q)
	}
	// The browser gets a form that posts code, state and user to the
	// callback; httpadapter passes "user" on as CallbackParams.Extra.
	cb := testkit.Browse(t, f.Client(), a.Verification.ExternalVerificationRedirectURL)
	if len(cb.Extra["user"]) != 1 {
		t.Fatalf("the first authorization's form has no user field: %v", cb.Extra)
	}
	c, err := e.Complete(cb)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Check(t, c.Account, testkit.Want{
		ProviderUserID: privateSub,
		Email:          "k8x2m9pq7r@privaterelay.appleid.com", // from the signed ID token
		EmailVerified:  new(true),                             // sent as "true"
		FirstName:      "Jane",                                // from the first authorization's user field
		LastName:       "Appleseed",
		Scopes:         []string{"openid", "name", "email"},
	})
	if n := f.badSecrets; n != 0 {
		t.Errorf("%d requests with a bad client secret", n)
	}
	if err := e.Service.Destroy(context.Background(), "user_1", c.Account.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range f.Tokens() {
		if !tok.Revoked {
			t.Errorf("%s not revoked", tok.Type)
		}
	}
}

func TestUnsignedUserEmailIgnored(t *testing.T) {
	_, p8 := newKey(t)
	f := newFake(t, mustPublic(t, p8))
	f.userJSON = []byte(`{"name":{"firstName":"John","lastName":"Appleseed"},"email":"attacker@evil.example"}`)
	f.signIn(sharedSub)
	id, _, err := testkit.Exchange(t, newProvider(t, f, p8), f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.EmailAddress != "john.appleseed@icloud.com" || id.FirstName != "John" || id.Claims["is_private_email"] != false {
		t.Errorf("identity %+v", *id)
	}
}

func TestLaterAuthorizationHasNoName(t *testing.T) {
	_, p8 := newKey(t)
	f := newFake(t, mustPublic(t, p8))
	f.signIn(privateSub)
	p := newProvider(t, f, p8)
	if id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{}); err != nil || id.FirstName != "Jane" {
		t.Fatalf("first: %v", err)
	}
	id, _, err := testkit.Exchange(t, p, f.Client(), provider.AuthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if id.FirstName != "" || id.LastName != "" || id.ProviderUserID != privateSub {
		t.Errorf("second authorization: %+v", *id)
	}
}

// TestReauthorizeKeepsFirstTimeName: Apple sends the user's name on the
// first authorization only; a reauthorization, whose callback has no "user"
// field, must keep the stored names.
func TestReauthorizeKeepsFirstTimeName(t *testing.T) {
	_, p8 := newKey(t)
	f := newFake(t, mustPublic(t, p8))
	f.signIn(privateSub)
	e := testkit.New(t, newProvider(t, f, p8))
	a := e.Link("user_1", f.Client())
	if a.FirstName != "Jane" {
		t.Fatalf("first authorization: %q", a.FirstName)
	}
	r := e.Reauthorize("user_1", a.ID)
	c, err := e.Complete(testkit.Browse(t, f.Client(), r.Verification.ExternalVerificationRedirectURL))
	if err != nil || c.Account.Verification.Status != verification.StatusVerified {
		t.Fatalf("reauthorize: %v", err)
	}
	if c.Account.FirstName != "Jane" || c.Account.LastName != "Appleseed" {
		t.Errorf("after reauthorization the names are %q %q: the first authorization's were lost", c.Account.FirstName, c.Account.LastName)
	}
}

func TestBadClientSecretRefused(t *testing.T) {
	_, p8 := newKey(t)
	other, _ := newKey(t)
	f := newFake(t, &other.PublicKey) // the fake trusts another key
	f.signIn(privateSub)
	_, _, err := testkit.Exchange(t, newProvider(t, f, p8), f.Client(), provider.AuthRequest{})
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("error %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	_, p8 := newKey(t)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	good := apple.Config{ClientID: servicesID, TeamID: teamID, KeyID: keyID, PrivateKey: p8}
	tests := []struct {
		name   string
		change func(*apple.Config)
		want   string
	}{
		{"no client id", func(c *apple.Config) { c.ClientID = "" }, "ClientID"},
		{"no team id", func(c *apple.Config) { c.TeamID = "" }, "TeamID is required"},
		{"bad team id", func(c *apple.Config) { c.TeamID = "team" }, "10-character Apple team id"},
		{"no key id", func(c *apple.Config) { c.KeyID = "" }, "KeyID is required"},
		{"bad key id", func(c *apple.Config) { c.KeyID = "key-1" }, "10-character Apple key id"},
		{"no key", func(c *apple.Config) { c.PrivateKey = nil }, "PrivateKey (the .p8 file) is required"},
		{"not PEM", func(c *apple.Config) { c.PrivateKey = []byte("MIGTAgEAMBMGByqGSM49") }, "not PEM"},
		{"certificate", func(c *apple.Config) { c.PrivateKey = pemOf("CERTIFICATE", []byte{1}) }, "not a private key"},
		{"garbage key", func(c *apple.Config) { c.PrivateKey = pemOf("PRIVATE KEY", []byte{1, 2, 3}) }, "does not parse"},
		{"RSA key", func(c *apple.Config) { c.PrivateKey = pemOf("PRIVATE KEY", rsaDER) }, "not a P-256"},
		{"P-384 key", func(c *apple.Config) { c.PrivateKey = pemOf("PRIVATE KEY", p384DER) }, "not a P-256"},
		{"lifetime", func(c *apple.Config) { c.SecretLifetime = 200 * 24 * time.Hour }, "SecretLifetime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := apple.New(cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "apple: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "BEGIN") {
				t.Error("the error repeats the key")
			}
		})
	}
	if _, err := apple.New(good); err != nil {
		t.Errorf("good config: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %#v", good, good, good); strings.Contains(s, "PRIVATE") {
		t.Error("Config prints the key")
	}
}

func mustPublic(t *testing.T, p8 []byte) *ecdsa.PublicKey {
	t.Helper()
	block, _ := pem.Decode(p8)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &k.(*ecdsa.PrivateKey).PublicKey
}
