package httpadapter

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// DefaultMaxBodyBytes is the request body limit of a zero Options.
const DefaultMaxBodyBytes = 64 << 10

// CallbackPath is the path of the OAuth callback route, below the handler's
// mount point. The callback URL registered at the providers ends with it.
const CallbackPath = "/oauth_callback"

// Options configure a Handler. UserID is required; every other zero value is
// a sensible default.
type Options struct {
	// UserID returns the host's signed-in user of r, typically from the
	// host's session. An error or "" answers 401 authentication_invalid;
	// the error is passed to OnError, never logged or written. On the
	// callback an error or "" means "nobody signed in" (the host's session
	// cookie may not come along on a provider's cross-site form_post), and
	// the binding cookie alone ties the callback to the browser. Required.
	UserID func(r *http.Request) (userID string, err error)

	// CallbackURL is the absolute URL of this handler's callback route, as
	// registered at the providers. It must equal the Service's
	// account.Config.CallbackURL (the default when empty), and its path must
	// end with CallbackPath (and be Prefix + CallbackPath when Prefix is
	// set). Its scheme decides the binding cookie: "__Host-" and Secure on
	// https, a plain cookie on http.
	CallbackURL string

	// AllowedRedirectOrigins are the origins ("https://app.example.com")
	// to which an absolute redirect_url may point. Relative paths ("/settings")
	// are always allowed, and so is the callback URL's origin.
	AllowedRedirectOrigins []string

	// TrustedOrigins are other origins whose browsers may send
	// state-changing requests (connect, reauthorize, destroy), such as a
	// front end served from another origin than this handler. By default
	// only same-origin requests may (net/http.CrossOriginProtection).
	TrustedOrigins []string

	// Cookie configures the binding cookie.
	Cookie CookieOptions

	// MaxBodyBytes limits request bodies; larger ones are 413. Default:
	// DefaultMaxBodyBytes (64 KiB).
	MaxBodyBytes int64

	// Logger receives a Debug line per client error, an Error line per
	// server error and an Info line per callback that did not verify,
	// naming the route pattern, status and code only: never a URL, a
	// parameter value, a cookie, a code, a state or a token. (The Service
	// logs the accounts' side with its own Logger.) Default: no logging.
	Logger *slog.Logger

	// OnError, when set, is called with every error the handler answers
	// and with the outcome of every callback whose verification did not
	// succeed (the browser is still redirected; status is then 303). The
	// error's cause, from a store driver or the host's UserID, is
	// reachable with errors.Unwrap. It must not block.
	OnError func(r *http.Request, status int, err *verification.Error)

	// SignIn, when its StartSession is set, turns on the sign-in and
	// sign-up routes: POST /sign_ins, POST /sign_ups and GET /client,
	// reachable signed out (cross-origin protection and the browser
	// binding still apply; each browser keeps at most one sign-in and one
	// sign-up, which expire).
	SignIn SignInOptions

	// Prefix is the path the handler is mounted at, such as "/tether",
	// when the host's mux passes it unstripped:
	//
	//	mux.Handle("/tether/", h) // h built with Prefix "/tether"
	//
	// Leave it empty when the host strips the prefix itself:
	//
	//	mux.Handle("/tether/", http.StripPrefix("/tether", h))
	Prefix string
}

// Handler serves the Frontend API routes of external accounts and the OAuth
// callback. It is safe for concurrent use. Build it with New.
type Handler struct {
	svc     *account.Service
	userID  func(*http.Request) (string, error)
	origins originSet
	cop     *http.CrossOriginProtection
	cookie  bindingCookie
	maxBody int64
	log     *slog.Logger
	onError func(*http.Request, int, *verification.Error)
	signIns SignInOptions
	mux     *http.ServeMux
}

// New returns a Handler for svc, or an error naming what in opts is missing
// or invalid.
func New(svc *account.Service, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("httpadapter: the Service is required")
	}
	if opts.UserID == nil {
		return nil, errors.New("httpadapter: Options.UserID is required")
	}
	if err := validPrefix(opts.Prefix); err != nil {
		return nil, err
	}
	if opts.CallbackURL == "" {
		opts.CallbackURL = svc.CallbackURL()
	}
	if opts.CallbackURL != svc.CallbackURL() {
		return nil, fmt.Errorf("httpadapter: Options.CallbackURL %q is not the Service's callback URL %q", opts.CallbackURL, svc.CallbackURL())
	}
	cb, err := url.Parse(opts.CallbackURL)
	if err != nil || (cb.Scheme != "https" && cb.Scheme != "http") || cb.Host == "" || cb.User != nil || cb.Fragment != "" {
		return nil, fmt.Errorf("httpadapter: Options.CallbackURL %q must be an absolute http(s) URL without userinfo or fragment", opts.CallbackURL)
	}
	if opts.Prefix != "" && cb.Path != opts.Prefix+CallbackPath {
		return nil, fmt.Errorf("httpadapter: the path of Options.CallbackURL is %q, want %q (Prefix + %s)", cb.Path, opts.Prefix+CallbackPath, CallbackPath)
	}
	if !strings.HasSuffix(cb.Path, CallbackPath) {
		return nil, fmt.Errorf("httpadapter: the path of Options.CallbackURL %q must end with %s", cb.Path, CallbackPath)
	}
	origins, err := newOriginSet(opts.AllowedRedirectOrigins)
	if err != nil {
		return nil, err
	}
	origins[originOf(cb)] = struct{}{}
	cookie, err := newBindingCookie(opts.Cookie, cb.Scheme == "https", svc.FlowLifetime())
	if err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range opts.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("httpadapter: Options.TrustedOrigins: %w", err)
		}
	}
	h := &Handler{
		svc:     svc,
		userID:  opts.UserID,
		origins: origins,
		cop:     cop,
		cookie:  cookie,
		maxBody: opts.MaxBodyBytes,
		log:     opts.Logger,
		onError: opts.OnError,
		signIns: opts.SignIn,
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.signIns.Allow == nil {
		h.signIns.Allow = newIPLimiter(DefaultSignInBurst, DefaultSignInEvery).allow
	}
	h.mux = h.routes(opts.Prefix)
	return h, nil
}

// validPrefix accepts "" or a clean path such as "/tether": no trailing
// slash, nothing a ServeMux pattern would read as a wildcard.
func validPrefix(p string) error {
	if p == "" {
		return nil
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, "{}?#% \t\r\n\\") {
		return fmt.Errorf("httpadapter: Options.Prefix %q must be a clean path like /tether, without a trailing slash", p)
	}
	return nil
}

// routes registers the routes below prefix. Every known path also gets a
// method-less pattern that answers 405 with its Allow header, and "/"
// answers 404, so that every error carries the JSON envelope.
func (h *Handler) routes(prefix string) *http.ServeMux {
	mux := http.NewServeMux()
	accounts := prefix + "/me/external_accounts"
	one := accounts + "/{id}"
	reauth := one + "/reauthorize"
	tokens := one + "/tokens"
	callback := prefix + CallbackPath

	mux.HandleFunc("GET "+accounts, h.list)
	mux.HandleFunc("POST "+accounts, h.connect)
	mux.Handle(accounts, methodNotAllowed(h, "GET, HEAD, POST"))

	mux.HandleFunc("GET "+one, h.get)
	mux.HandleFunc("DELETE "+one, h.destroy)
	mux.Handle(one, methodNotAllowed(h, "DELETE, GET, HEAD"))

	mux.HandleFunc("PATCH "+reauth, h.reauthorize)
	mux.Handle(reauth, methodNotAllowed(h, "PATCH"))

	mux.HandleFunc("DELETE "+tokens, h.revokeTokens)
	mux.Handle(tokens, methodNotAllowed(h, "DELETE"))

	if h.signIns.StartSession != nil {
		mux.HandleFunc("POST "+prefix+"/sign_ins", h.signIn)
		mux.Handle(prefix+"/sign_ins", methodNotAllowed(h, "POST"))
		mux.HandleFunc("POST "+prefix+"/sign_ups", h.signUp)
		mux.Handle(prefix+"/sign_ups", methodNotAllowed(h, "POST"))
		mux.HandleFunc("GET "+prefix+"/client", h.client)
		mux.Handle(prefix+"/client", methodNotAllowed(h, "GET, HEAD"))
	}

	// POST is for response_mode=form_post: a cross-site navigation by
	// design, so it is not behind cross-origin protection. The binding
	// cookie protects it.
	mux.HandleFunc("GET "+callback, h.oauthCallback)
	mux.HandleFunc("POST "+callback, h.oauthCallback)
	mux.Handle(callback, methodNotAllowed(h, "GET, POST"))

	mux.HandleFunc("/", h.notFound)
	return mux
}

// ServeHTTP routes r. A path that is not clean ("//", "/./", "/../") is 404
// rather than the ServeMux's redirect, which would repeat a callback's query
// in a Location header.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !cleanPath(r.URL.Path) {
		r.Pattern = ""
		h.fail(w, r, verification.ErrResourceNotFound)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// cleanPath reports whether p is absolute and clean, a trailing slash
// aside. path.Clean does not allocate when p is clean already.
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if len(p) > 1 && p[len(p)-1] == '/' {
		return c != "/" && len(c) == len(p)-1 && p[:len(c)] == c
	}
	return c == p
}

// notFound answers every path no route matches.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, verification.ErrResourceNotFound)
}

// methodNotAllowed answers a known path with another method.
func methodNotAllowed(h *Handler, allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		h.fail(w, r, ErrMethodNotAllowed)
	})
}

// sameOrigin applies cross-origin protection to a state-changing request and
// answers 403 origin_invalid when it fails.
func (h *Handler) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	if err := h.cop.Check(r); err != nil {
		h.fail(w, r, ErrOriginInvalid)
		return false
	}
	return true
}

// user returns the signed-in user, or answers 401.
func (h *Handler) user(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := h.userID(r)
	if err != nil || id == "" {
		e := verification.ErrAuthenticationInvalid
		if err != nil {
			e = e.Wrap(err)
		}
		h.fail(w, r, e)
		return "", false
	}
	return id, true
}

// list answers GET /me/external_accounts with a JSON array of the user's
// accounts, oldest first (Clerk's Frontend API answers this route with a
// bare array, not a paginated object).
//
// With ?limit=N (1 to 100) the answer is one page: the array of at most N
// accounts, and a Link header with rel="next" when there are more, whose
// URL carries the ?after= cursor of the next page. Without limit the first
// page holds up to 100 accounts (a user has at most 50 by default).
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	uid, ok := h.user(w, r)
	if !ok {
		return
	}
	pp, err := pageParams(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.svc.ListPage(r.Context(), uid, pp)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if page.Next != "" {
		// The URL as the browser sent it, whatever prefix the host mounts
		// the handler under.
		next := *r.URL
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			next = *u
		}
		q := next.Query()
		q.Set("limit", strconv.Itoa(pp.Limit))
		q.Set("after", page.Next)
		next.RawQuery = q.Encode()
		w.Header().Set("Link", "<"+next.RequestURI()+`>; rel="next"`)
	}
	body, err := marshalAccounts(page.Accounts)
	if err != nil {
		h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// marshalAccounts writes a JSON array of accounts. It joins each account's
// MarshalJSON, which is compact already, by hand: encoding/json would
// re-scan and copy every account (the bytes are the same).
func marshalAccounts(as []*account.ExternalAccount) ([]byte, error) {
	parts := make([][]byte, len(as))
	n := 2 + len(as)
	for i, a := range as {
		b, err := a.MarshalJSON()
		if err != nil {
			return nil, err
		}
		parts[i] = b
		n += len(b)
	}
	body := make([]byte, 0, n)
	body = append(body, '[')
	for i, b := range parts {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, b...)
	}
	return append(body, ']'), nil
}

// get answers GET /me/external_accounts/{id}.
func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	uid, ok := h.user(w, r)
	if !ok {
		return
	}
	a, err := h.svc.Get(r.Context(), uid, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAccount(w, r, a)
}

// connect answers POST /me/external_accounts: it starts a connect bound to
// this browser and answers 200 with the unverified account, whose
// verification.external_verification_redirect_url is where the front end
// sends the browser next. (Clerk answers 200 here, not 201.)
func (h *Handler) connect(w http.ResponseWriter, r *http.Request) {
	h.startFlow(w, r, connectFields, func(uid, binding string, p *params) (*account.ExternalAccount, error) {
		if p.Strategy == "" {
			return nil, verification.ErrFormParamMissing.WithParam(nameStrategy)
		}
		return h.svc.Connect(r.Context(), account.ConnectParams{
			UserID: uid, Strategy: p.Strategy, RedirectURL: p.RedirectURL,
			AdditionalScopes: p.AdditionalScopes, Label: p.Label,
			OIDCPrompt: p.OIDCPrompt, OIDCLoginHint: p.OIDCLoginHint,
			Binding: binding,
		})
	})
}

// reauthorize answers PATCH /me/external_accounts/{id}/reauthorize: a new
// verification asking for the approved scopes plus additional ones, bound to
// this browser; 200 with the unverified account.
func (h *Handler) reauthorize(w http.ResponseWriter, r *http.Request) {
	h.startFlow(w, r, reauthorizeFields, func(uid, binding string, p *params) (*account.ExternalAccount, error) {
		return h.svc.Reauthorize(r.Context(), account.ReauthorizeParams{
			UserID: uid, AccountID: r.PathValue("id"),
			AdditionalScopes: p.AdditionalScopes, RedirectURL: p.RedirectURL,
			OIDCPrompt: p.OIDCPrompt, OIDCLoginHint: p.OIDCLoginHint,
			Binding: binding,
		})
	})
}

// startFlow is what connect and reauthorize share: same-origin and user
// checks, the body, the redirect URL against the allowlist, and this
// browser's binding; start makes the difference.
func (h *Handler) startFlow(w http.ResponseWriter, r *http.Request, fields fieldSet, start func(uid, binding string, p *params) (*account.ExternalAccount, error)) {
	if !h.sameOrigin(w, r) {
		return
	}
	uid, ok := h.user(w, r)
	if !ok {
		return
	}
	p, err := decodeRequest(w, r, h.maxBody, fields)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.origins.checkRedirectURL(p.RedirectURL); err != nil {
		h.fail(w, r, err)
		return
	}
	binding := h.browserBinding(r)
	a, err := start(uid, binding, &p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookie.set(w, binding)
	h.writeAccount(w, r, a)
}

// browserBinding returns the binding value of this browser, or a new one
// when it holds none or something that is not a binding value; the caller
// sets (renews) the cookie once the flow started. Every flow a browser
// starts is bound to the same value, so that several flows (tabs, accounts)
// can be in flight at once; a browser accumulates one cookie, the handler
// keeps nothing per browser, and the Service stores only the value's hash
// with each flow. (Two first flows that a browser without a binding starts
// at the same instant get two values, and the later answer's cookie wins:
// the earlier flow's callback is refused and the user starts it again.)
func (h *Handler) browserBinding(r *http.Request) string {
	if b := h.cookie.read(r); b != "" {
		return b
	}
	return newBinding()
}

// accountWrite is what every state-changing route on one account checks
// first: a same-origin request of a signed-in user. It returns the user
// and the account id of the path, or answers and returns false.
func (h *Handler) accountWrite(w http.ResponseWriter, r *http.Request) (uid, id string, ok bool) {
	if !h.sameOrigin(w, r) {
		return "", "", false
	}
	if uid, ok = h.user(w, r); !ok {
		return "", "", false
	}
	return uid, r.PathValue("id"), true
}

// deleted is Clerk's DeletedObject.
type deleted struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// destroy answers DELETE /me/external_accounts/{id}.
func (h *Handler) destroy(w http.ResponseWriter, r *http.Request) {
	uid, id, ok := h.accountWrite(w, r)
	if !ok {
		return
	}
	if err := h.svc.Destroy(r.Context(), uid, id); err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := json.Marshal(deleted{Object: account.ObjectName, ID: id, Deleted: true})
	if err != nil {
		h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// writeAccount answers 200 with Clerk's external_account object.
func (h *Handler) writeAccount(w http.ResponseWriter, r *http.Request, a *account.ExternalAccount) {
	body, err := a.MarshalJSON()
	if err != nil {
		h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// pageParams reads ?limit and ?after. Without limit a page holds
// account.MaxPageSize accounts.
func pageParams(r *http.Request) (account.PageParams, error) {
	q := r.URL.Query()
	p := account.PageParams{Limit: account.MaxPageSize, After: q.Get("after")}
	if len(q["limit"]) > 1 || len(q["after"]) > 1 {
		return p, verification.ErrFormParamInvalid.WithLongMessage("limit and after may be given once each.")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > account.MaxPageSize {
			return p, verification.ErrFormParamInvalid.WithParam("limit").WithLongMessage("limit must be a number from 1 to " + strconv.Itoa(account.MaxPageSize) + ".")
		}
		p.Limit = n
	}
	return p, nil
}

// revokeTokens answers DELETE /me/external_accounts/{id}/tokens: the
// account's tokens are revoked at the provider and dropped; the account
// stays, needing a reauthorization. 200 with the account.
func (h *Handler) revokeTokens(w http.ResponseWriter, r *http.Request) {
	uid, id, ok := h.accountWrite(w, r)
	if !ok {
		return
	}
	if err := h.svc.RevokeTokens(r.Context(), uid, id); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.svc.Get(r.Context(), uid, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeAccount(w, r, a)
}
