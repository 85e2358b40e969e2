package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

//go:embed templates/page.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFS, "templates/page.html"))

// pageData is what templates/page.html shows.
type pageData struct {
	// User is the signed-in username, "" when signed out.
	User string
	// Username and LoginError redisplay a refused sign-in.
	Username   string
	LoginError string
	// Problem is why the accounts could not be listed.
	Problem     string
	Providers   []providerButton
	Accounts    []accountView
	CallbackURL string
	Store       string
	API         string
}

// accountView is one external account as the page shows it.
type accountView struct {
	ID             string
	Strategy       string
	Title          string
	Identifier     string
	ProviderUserID string
	Email          string
	// EmailVerified is "verified", "not verified" or "unknown": the
	// provider's word on Email.
	EmailVerified string
	Label         string
	Scopes        []string
	Status        string
	Attempts      int
	MaxAttempts   int
	ExpireAt      string // RFC 3339, for <time datetime>
	ExpireAtText  string
	// ExpireAtRel puts ExpireAt in words: "in 9 min" while it matters.
	ExpireAtRel string
	Error       *verification.Error
	// RedirectURL is the provider's authorization URL of an unverified
	// verification: "Retry" after an error, "Continue" otherwise.
	RedirectURL string
	// LoginHint is sent with a reauthorization so that the provider
	// proposes the same account.
	LoginHint string
	Created   string
}

func (a *app) newAccountView(ea *account.ExternalAccount, now time.Time) accountView {
	v := ea.Verification
	av := accountView{
		ID:             ea.ID,
		Strategy:       ea.Provider.String(),
		Title:          ea.ProviderTitle(),
		Identifier:     ea.AccountIdentifier(),
		ProviderUserID: ea.ProviderUserID,
		Email:          ea.EmailAddress,
		EmailVerified:  "unknown",
		Label:          ea.Label,
		Scopes:         ea.ApprovedScopes,
		Status:         string(v.Status),
		Attempts:       v.Attempts,
		MaxAttempts:    a.svc.Policy().Attempts(),
		Error:          v.Error,
		Created:        ea.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		LoginHint:      ea.EmailAddress,
	}
	switch ev := ea.EmailAddressVerified; {
	case ev == nil:
	case *ev:
		av.EmailVerified = "verified"
	default:
		av.EmailVerified = "not verified"
	}
	if av.LoginHint == "" {
		av.LoginHint = ea.ProviderUserID
	}
	if !v.ExpireAt.IsZero() {
		av.ExpireAt = v.ExpireAt.UTC().Format(time.RFC3339)
		av.ExpireAtText = v.ExpireAt.UTC().Format("15:04:05 UTC, Jan 2")
		switch v.Status {
		case verification.StatusUnverified, verification.StatusExpired:
			av.ExpireAtRel = relativeTime(v.ExpireAt, now)
		case verification.StatusVerified:
			av.ExpireAtRel = "the callback came in time"
		default:
			av.ExpireAtRel = "no longer applies"
		}
	}
	if v.Status == verification.StatusUnverified {
		av.RedirectURL = v.ExternalVerificationRedirectURL
	}
	return av
}

// relativeTime says how far t is from now, roughly.
func relativeTime(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	future := d > 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < 5*time.Second:
		return "now"
	case d < time.Minute:
		s = fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d.Hours()))
	default:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// home is the page: the sign-in form, or the signed-in user's external
// accounts with their actions.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	data := pageData{
		CallbackURL: a.callbackURL,
		Store:       a.stores.describe,
		Providers:   a.buttons,
	}
	name, err := a.sessions.username(r)
	if err != nil {
		a.render(w, http.StatusOK, data)
		return
	}
	data.User = name
	data.API = tetherPrefix + "/me/external_accounts"
	data.Providers = a.buttons
	a.ensureDevUser(name)
	status := http.StatusOK
	accounts, err := a.svc.List(r.Context(), userID(name))
	if err != nil {
		e := verification.AsError(err)
		a.log.Error("listing accounts", "code", e.Code, "err", err)
		data.Problem = e.LongMessage
		status = httpadapter.HTTPStatus(err)
	}
	now := time.Now()
	for _, ea := range accounts {
		data.Accounts = append(data.Accounts, a.newAccountView(ea, now))
	}
	a.render(w, status, data)
}

// ensureDevUser gives the signed-in user an account at the dev provider, so
// that its sign-in form comes filled in (the page sends the username as
// login_hint). The form can still be changed to any identity.
func (a *app) ensureDevUser(name string) {
	if _, ok := a.dev.User(name); ok {
		return
	}
	a.dev.AddUser(providertest.User{
		Subject:       name,
		Email:         name + "@example.com",
		EmailVerified: new(true),
		Name:          strings.ToUpper(name[:1]) + name[1:],
	})
}

// maxFormBytes bounds the host's form bodies.
const maxFormBytes = 4 << 10

// login signs a user in, creating it on first use, and goes back to the
// page.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	name, ok := normalizeUsername(r.PostForm.Get("username"))
	if !ok {
		a.render(w, http.StatusBadRequest, pageData{
			Username:    r.PostForm.Get("username"),
			LoginError:  usernameRule,
			CallbackURL: a.callbackURL,
			Store:       a.stores.describe,
			Providers:   a.buttons,
		})
		return
	}
	a.sessions.start(w, name)
	a.remember(name)
	a.log.Info("signed in", "user_id", userID(name))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout signs the browser out.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	a.sessions.end(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// contentSecurityPolicy allows the page its own script, style and fetches,
// and nothing else: no inline script, no external asset.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// render writes the page.
func (a *app) render(w http.ResponseWriter, status int, data pageData) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		a.log.Error("rendering the page", "err", err)
		http.Error(w, "cannot render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// staticFiles serves the page's style sheet and script.
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
