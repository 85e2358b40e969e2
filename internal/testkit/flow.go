package testkit

// Env runs a catalogue provider through the account Service (Connect, the
// browser at the provider, Complete) with an in-memory store, for the
// catalogue's end-to-end tests. The kit lives at the module root, not
// under provider/, because it imports account and store/memstore, which
// no provider package may.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// CallbackURL is the redirect URI of every flow; it is never contacted.
const CallbackURL = "https://app.example/tether/oauth_callback"

// Binding is the browser binding of every flow an Env starts; Complete
// presents it unless the callback carries one of its own.
const Binding = "flowtest-browser-binding"

// Env is an account Service with one provider and an in-memory store.
type Env struct {
	T        testing.TB
	Provider provider.Provider
	Registry *provider.Registry
	Store    *memstore.Store
	Service  *account.Service
}

// New returns an Env serving p.
func New(t testing.TB, p provider.Provider) *Env {
	t.Helper()
	reg, err := provider.NewRegistry(p)
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	store := memstore.New(memstore.Options{})
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := account.New(account.Config{
		Accounts: store, Flows: store, Providers: reg, Keyring: kr,
		CallbackURL: CallbackURL,
	})
	if err != nil {
		t.Fatalf("account.New: %v", err)
	}
	return &Env{T: t, Provider: p, Registry: reg, Store: store, Service: svc}
}

// Connect starts connecting user's account with additional scopes.
func (e *Env) Connect(user string, scopes ...string) *account.ExternalAccount {
	e.T.Helper()
	a, err := e.Service.Connect(context.Background(), account.ConnectParams{
		UserID: user, Strategy: e.Provider.Strategy().String(), RedirectURL: "/settings", AdditionalScopes: scopes,
		Binding: Binding,
	})
	if err != nil {
		e.T.Fatalf("Connect: %v", err)
	}
	if a.Verification.ExternalVerificationRedirectURL == "" {
		e.T.Fatal("Connect returned no authorization URL")
	}
	return a
}

// Reauthorize starts reauthorizing user's account id.
func (e *Env) Reauthorize(user, id string, scopes ...string) *account.ExternalAccount {
	e.T.Helper()
	a, err := e.Service.Reauthorize(context.Background(), account.ReauthorizeParams{
		UserID: user, AccountID: id, RedirectURL: "/settings", AdditionalScopes: scopes,
		Binding: Binding,
	})
	if err != nil {
		e.T.Fatalf("Reauthorize: %v", err)
	}
	return a
}

// Browse plays the browser: it requests authURL with client (nil: the
// default client) without following the provider's redirect, and returns
// the callback parameters the provider sent, from the redirect's query or
// from a form_post page's hidden fields, as httpadapter reads them
// (parameters other than state, code, error and iss go to Extra).
func Browse(t testing.TB, client *http.Client, authURL string) account.CallbackParams {
	t.Helper()
	vals, err := browse(client, authURL)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return CallbackParams(vals)
}

// CallbackParams converts a callback's parameters as httpadapter does.
func CallbackParams(vals url.Values) account.CallbackParams {
	p := account.CallbackParams{State: vals.Get("state"), Code: vals.Get("code"), Error: vals.Get("error"), Iss: vals.Get("iss")}
	for k, vs := range vals {
		switch k {
		case "state", "code", "error", "error_description", "error_uri", "iss":
			continue
		}
		if p.Extra == nil {
			p.Extra = map[string][]string{}
		}
		p.Extra[k] = vs
	}
	return p
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

func browse(client *http.Client, authURL string) (url.Values, error) {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch resp.StatusCode {
	case http.StatusFound, http.StatusSeeOther:
		loc, err := resp.Location()
		if err != nil {
			return nil, err
		}
		if !sameEndpoint(loc.String(), CallbackURL) {
			return nil, fmt.Errorf("redirected to %s, not to the callback", loc.Redacted())
		}
		return loc.Query(), nil
	case http.StatusOK:
		m := formAction.FindSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("the provider answered 200 without a form_post form: %.200s", body)
		}
		if !sameEndpoint(html.UnescapeString(string(m[1])), CallbackURL) {
			return nil, errors.New("the form_post form does not post to the callback")
		}
		vals := url.Values{}
		for _, in := range formInput.FindAllSubmatch(body, -1) {
			vals.Add(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
		}
		return vals, nil
	}
	return nil, fmt.Errorf("the provider answered %s: %.200s", resp.Status, body)
}

func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host && ua.Path == ub.Path
}

// Complete runs the callback p.
func (e *Env) Complete(p account.CallbackParams) (*account.Completion, error) {
	if p.Binding == "" {
		p.Binding = Binding
	}
	return e.Service.Complete(context.Background(), p)
}

// Link connects user through the browser client and expects the account
// verified.
func (e *Env) Link(user string, client *http.Client, scopes ...string) *account.ExternalAccount {
	e.T.Helper()
	a := e.Connect(user, scopes...)
	c, err := e.Complete(Browse(e.T, client, a.Verification.ExternalVerificationRedirectURL))
	if err != nil {
		e.T.Fatalf("Complete: %v (%s)", err, verification.AsError(err).LongMessage)
	}
	if c.Account.Verification.Status != verification.StatusVerified {
		e.T.Fatalf("status %s, error %v", c.Account.Verification.Status, c.Account.Verification.Error)
	}
	return c.Account
}

// Want is what a verified account must hold. EmailVerified nil means the
// account's must be nil.
type Want struct {
	ProviderUserID string
	Email          string
	EmailVerified  *bool
	FirstName      string
	LastName       string
	AvatarURL      string
	Username       string
	Scopes         []string
}

// Check compares a with w field by field.
func Check(t testing.TB, a *account.ExternalAccount, w Want) {
	t.Helper()
	got := Want{
		ProviderUserID: a.ProviderUserID, Email: a.EmailAddress, EmailVerified: a.EmailAddressVerified,
		FirstName: a.FirstName, LastName: a.LastName, AvatarURL: a.AvatarURL, Username: a.Username,
		Scopes: a.ApprovedScopes,
	}
	if got.ProviderUserID != w.ProviderUserID || got.Email != w.Email || got.FirstName != w.FirstName ||
		got.LastName != w.LastName || got.AvatarURL != w.AvatarURL || got.Username != w.Username {
		t.Errorf("account:\n got  %s\n want %s", describe(got), describe(w))
	}
	if (got.EmailVerified == nil) != (w.EmailVerified == nil) || (got.EmailVerified != nil && *got.EmailVerified != *w.EmailVerified) {
		t.Errorf("email_address_verified %s, want %s", boolString(got.EmailVerified), boolString(w.EmailVerified))
	}
	if fmt.Sprint(got.Scopes) != fmt.Sprint(w.Scopes) {
		t.Errorf("approved scopes %q, want %q", got.Scopes, w.Scopes)
	}
}

func describe(w Want) string {
	return fmt.Sprintf("id=%q email=%q first=%q last=%q avatar=%q username=%q", w.ProviderUserID, w.Email, w.FirstName, w.LastName, w.AvatarURL, w.Username)
}

func boolString(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

// Exchange runs one authorization of p in the browser client (state, PKCE,
// and a nonce when p speaks OpenID Connect, filled in) and redeems its code
// with the callback's other parameters, without the Service: for tests of
// a provider's mapping.
func Exchange(t testing.TB, p provider.Provider, client *http.Client, req provider.AuthRequest) (*provider.Identity, *provider.Token, error) {
	t.Helper()
	verifier := randomToken()
	req.State = randomToken()
	req.CodeChallenge = s256(verifier)
	if p.Metadata().OpenID {
		req.Nonce = randomToken()
	}
	req.RedirectURI = CallbackURL
	u, err := p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	cb := Browse(t, client, u)
	if cb.Error != "" {
		t.Fatalf("the provider answered error %q", cb.Error)
	}
	if cb.State != req.State {
		t.Fatal("the callback's state is not the request's")
	}
	return p.Exchange(context.Background(), provider.ExchangeRequest{
		Code: cb.Code, CodeVerifier: verifier, RedirectURI: CallbackURL, Nonce: req.Nonce, Params: cb.Extra,
	})
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Query returns the query of rawURL, failing t when it does not parse.
func Query(t testing.TB, rawURL string) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
