package realflow

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/uptrace/bun"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/store/sqlstore/sqlite"
)

// bareRP is the relying party the flow benchmarks compare Tether with:
// x/oauth2 and go-oidc used by hand with state, nonce, PKCE, the RFC 9207
// iss check, ID token verification and the userinfo sub check; pending
// state in a map; then one bun insert of the account into a SQLite file
// opened like Tether's (WAL, synchronous=NORMAL).
type bareRP struct {
	srv      *httptest.Server
	cfg      oauth2.Config
	prov     *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	issuer   string
	db       *bun.DB

	mu      sync.Mutex
	pending map[string]bareFlow
}

type bareFlow struct {
	user, verifier, nonce string
}

// bareAccount is the row the bare relying party stores.
type bareAccount struct {
	bun.BaseModel `bun:"table:bare_accounts"`

	ID             string    `bun:"id,pk"`
	UserID         string    `bun:"user_id"`
	Provider       string    `bun:"provider"`
	ProviderUserID string    `bun:"provider_user_id"`
	Email          string    `bun:"email"`
	Name           string    `bun:"name"`
	CreatedAt      time.Time `bun:"created_at"`
}

// openBareDB opens the bare stack's SQLite file, with its one table.
func openBareDB(tb testing.TB) *bun.DB {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "bare.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.NewCreateTable().Model((*bareAccount)(nil)).Exec(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func newBareRP(tb testing.TB, idp *providertest.Server) *bareRP {
	tb.Helper()
	ctx := context.Background()
	db := openBareDB(tb)
	prov, err := gooidc.NewProvider(ctx, idp.Issuer())
	if err != nil {
		tb.Fatal(err)
	}
	rp := &bareRP{
		srv:      httptest.NewUnstartedServer(nil),
		prov:     prov,
		verifier: prov.Verifier(&gooidc.Config{ClientID: idp.ClientID()}),
		issuer:   idp.Issuer(),
		db:       db,
		pending:  map[string]bareFlow{},
	}
	rp.cfg = oauth2.Config{
		ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(),
		Endpoint:    oauth2.Endpoint{AuthURL: prov.Endpoint().AuthURL, TokenURL: prov.Endpoint().TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL: "http://" + rp.srv.Listener.Addr().String() + "/oauth_callback",
		Scopes:      []string{gooidc.ScopeOpenID, "email", "profile"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /me/external_accounts", rp.connect)
	mux.HandleFunc("GET /oauth_callback", rp.callback)
	rp.srv.Config.Handler = mux
	rp.srv.Start()
	tb.Cleanup(rp.srv.Close)
	return rp
}

func (rp *bareRP) connect(w http.ResponseWriter, r *http.Request) {
	user := r.Header.Get(userHeader)
	if err := r.ParseForm(); err != nil || user == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	state, nonce, verifier := rand32(), rand32(), oauth2.GenerateVerifier()
	rp.mu.Lock()
	rp.pending[state] = bareFlow{user: user, verifier: verifier, nonce: nonce}
	rp.mu.Unlock()
	u := rp.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce), oauth2.AccessTypeOffline)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"verification": map[string]string{"external_verification_redirect_url": u}})
}

func (rp *bareRP) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	rp.mu.Lock()
	f, ok := rp.pending[q.Get("state")]
	delete(rp.pending, q.Get("state"))
	rp.mu.Unlock()
	if !ok || q.Get("iss") != rp.issuer || q.Get("code") == "" {
		http.Error(w, "bad callback", http.StatusBadRequest)
		return
	}
	tok, err := rp.cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		http.Error(w, "exchange", http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != f.nonce {
		http.Error(w, "id token", http.StatusBadGateway)
		return
	}
	ui, err := rp.prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != idt.Subject {
		http.Error(w, "userinfo", http.StatusBadGateway)
		return
	}
	var claims struct {
		Name string `json:"name"`
	}
	if err := ui.Claims(&claims); err != nil {
		http.Error(w, "userinfo", http.StatusBadGateway)
		return
	}
	a := &bareAccount{
		ID: account.NewID(account.AccountIDPrefix), UserID: f.user, Provider: strategy.String(),
		ProviderUserID: idt.Subject, Email: ui.Email, Name: claims.Name, CreatedAt: now(),
	}
	if _, err := rp.db.NewInsert().Model(a).Exec(ctx); err != nil {
		http.Error(w, "store", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/settings", http.StatusSeeOther)
}

func rand32() string { return randomHex(32) }

// bareFlowOnce runs one flow of a new user and identity through rp.
func bareFlowOnce(tb testing.TB, rp *bareRP, idp *providertest.Server, br *http.Client, n int) {
	sub := "bare-" + randomHex(6)
	login(idp, sub)
	_, authURL := connect(tb, br, rp.srv.URL, "user_"+sub)
	status, loc := get(tb, br, authorize(tb, br, authURL), nil)
	if status != http.StatusSeeOther || loc != "/settings" {
		tb.Fatalf("bare callback: %d to %q", status, loc)
	}
}

// floor makes only the provider's round trips of one flow, with the same
// request shapes: the authorization request, the token request with the
// PKCE verifier, and the userinfo request (the JWKS is cached by both
// relying parties).
type floor struct {
	idp    *providertest.Server
	client *http.Client
	redir  string
}

func (f *floor) flow(tb testing.TB, br *http.Client) {
	sub := "floor-" + randomHex(6)
	login(f.idp, sub)
	verifier := oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(verifier))
	authURL := f.idp.Issuer() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {f.idp.ClientID()}, "redirect_uri": {f.redir},
		"scope": {"openid email profile"}, "state": {rand32()}, "nonce": {rand32()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"access_type": {"offline"},
	}.Encode()
	cb, err := url.Parse(authorize(tb, br, authURL))
	if err != nil {
		tb.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {f.redir}, "code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, f.idp.Issuer()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(f.idp.ClientID()), url.QueryEscape(f.idp.ClientSecret()))
	resp, err := f.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		tb.Fatalf("floor token: %d %v", resp.StatusCode, err)
	}
	req, _ = http.NewRequest(http.MethodGet, f.idp.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = f.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("floor userinfo: %d", resp.StatusCode)
	}
}
