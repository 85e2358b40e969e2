package providertest

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// formFields are the sign-in form's own fields; every other parameter of the
// authorization request is carried through the form as a hidden field.
var formFields = []string{"sub", "email", "email_verified", "name", "picture", "decision"}

// userFromForm reads the user of an approved sign-in form, or says what is
// wrong with it.
func userFromForm(p url.Values) (User, string) {
	u := User{
		Subject:       strings.TrimSpace(p.Get("sub")),
		Email:         strings.TrimSpace(p.Get("email")),
		Name:          strings.TrimSpace(p.Get("name")),
		Picture:       strings.TrimSpace(p.Get("picture")),
		EmailVerified: new(p.Get("email_verified") != ""),
	}
	if u.Subject == "" {
		return u, "Enter a subject (sub): the user's stable identifier."
	}
	for _, v := range []string{u.Subject, u.Email, u.Name, u.Picture} {
		if len(v) > MaxFieldBytes {
			return u, "A field is too long: at most " + strconv.Itoa(MaxFieldBytes) + " bytes each."
		}
	}
	return u, ""
}

// prefill returns the user the form starts with: the one login_hint names
// (by subject or email), else the signed-in user, else an empty one.
func (h *Handler) prefill(hint, login string) User {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hint != "" {
		if u, ok := h.users[hint]; ok {
			return u.clone()
		}
		for _, u := range h.users {
			if u.Email == hint {
				return u.clone()
			}
		}
		if strings.Contains(hint, "@") {
			return User{Email: hint}
		}
	}
	if u, ok := h.users[login]; ok {
		return u.clone()
	}
	return User{}
}

// hiddenField is a parameter of the authorization request the form carries.
type hiddenField struct{ Name, Value string }

// formPage is the data of formTemplate.
type formPage struct {
	Action        string
	ClientID      string
	RedirectHost  string
	Scopes        []string
	Hidden        []hiddenField
	Error         string
	Sub           string
	Email         string
	EmailVerified bool
	Name          string
	Picture       string
}

// errorPageData is the data of errorTemplate.
type errorPageData struct {
	Code        string
	Description string
}

// signInForm shows the HTML sign-in form for ar, filled in with u.
func (h *Handler) signInForm(w http.ResponseWriter, ar *authRequest, u User, msg string) {
	page := formPage{
		Action:        h.issuer + PathAuthorize,
		ClientID:      ar.clientID,
		Scopes:        ar.scopes,
		Error:         msg,
		Sub:           u.Subject,
		Email:         u.Email,
		EmailVerified: u.EmailVerified == nil || *u.EmailVerified,
		Name:          u.Name,
		Picture:       u.Picture,
	}
	if ru, err := url.Parse(ar.redirectURI); err == nil {
		page.RedirectHost = ru.Host
	}
	keys := make([]string, 0, len(ar.params))
	for k := range ar.params {
		if !slices.Contains(formFields, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		page.Hidden = append(page.Hidden, hiddenField{k, ar.params.Get(k)})
	}
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	writeHTML(w, status, formTemplate, page)
}

// errorPage tells the user about an authorization request that cannot be
// answered with a redirect (RFC 6749 section 4.1.2.1).
func (h *Handler) errorPage(w http.ResponseWriter, code, desc string) {
	writeHTML(w, http.StatusBadRequest, errorTemplate, errorPageData{Code: code, Description: desc})
}

// writeHTML renders t with security headers: no external resources, no
// framing, no caching, no referrer.
func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "providertest: cannot render page", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pageStyle is the inline style sheet of every page: the pages load nothing
// else.
const pageStyle = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #f6f8fa; --card: #fff; --line: #d1d9e0; --accent: #0969da; --danger: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --line: #3d444d; --accent: #4493f8; --danger: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { width: min(26rem, calc(100vw - 2rem)); background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1.75rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
p { margin: 0 0 1rem; color: var(--muted); }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=text], input[type=email], input[type=url] { width: 100%; padding: .5rem .625rem; border: 1px solid var(--line); border-radius: 6px; background: transparent; color: inherit; font: inherit; }
.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
.scopes { display: flex; flex-wrap: wrap; gap: .375rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.scopes li { border: 1px solid var(--line); border-radius: 999px; padding: 0 .625rem; font-size: .8125rem; }
.error { color: var(--danger); font-weight: 600; }
.actions { display: flex; flex-direction: row-reverse; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; padding: .625rem; border-radius: 6px; border: 1px solid var(--line); background: transparent; color: inherit; font: inherit; font-weight: 600; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
code { font-size: .875rem; }
`

// formTemplate is the sign-in form. Approve comes first in the markup, so
// that pressing Enter approves; the actions' row-reverse layout shows it on
// the right.
var formTemplate = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – test provider</title>
<style>` + pageStyle + `</style>
</head>
<body>
<main>
<h1>Sign in to the test provider</h1>
<p><code>{{.ClientID}}</code>{{with .RedirectHost}} at <code>{{.}}</code>{{end}} asks for:</p>
<ul class="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="sub">Subject (sub)</label>
<input type="text" id="sub" name="sub" value="{{.Sub}}" required autofocus autocomplete="off">
<label for="email">Email</label>
<input type="email" id="email" name="email" value="{{.Email}}" autocomplete="off">
<label class="check"><input type="checkbox" name="email_verified" value="true"{{if .EmailVerified}} checked{{end}}> Email verified</label>
<label for="name">Name</label>
<input type="text" id="name" name="name" value="{{.Name}}" autocomplete="off">
<label for="picture">Picture URL</label>
<input type="url" id="picture" name="picture" value="{{.Picture}}" autocomplete="off">
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>
</main>
</body>
</html>
`))

// errorTemplate tells the user about a request that cannot be redirected.
// Authorize reads data-error and #description back.
var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorization error – test provider</title>
<style>` + pageStyle + `</style>
</head>
<body>
<main data-error="{{.Code}}">
<h1>The authorization request is invalid</h1>
<p class="error"><code>{{.Code}}</code></p>
<p id="description">{{.Description}}</p>
<p>The provider cannot send you back to the application.</p>
</main>
</body>
</html>
`))
