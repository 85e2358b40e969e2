package httpadapter

import (
	"log/slog"
	"mime"
	"net/http"
	"net/url"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Callback parameters Tether reads itself; they are not passed on to the
// provider as CallbackParams.Extra.
var callbackOwnParams = map[string]bool{
	"state": true, "code": true, "iss": true,
	"error": true, "error_description": true, "error_uri": true,
}

// Token material has no business in an authorization code callback (it is
// what the implicit and hybrid flows put there); it is dropped unread.
var callbackTokenParams = map[string]bool{
	"access_token": true, "id_token": true, "refresh_token": true,
	"token_type": true, "expires_in": true,
}

// Parameters that must appear at most once (RFC 6749 section 3.1: "Request
// and response parameters MUST NOT be included more than once").
var callbackSingleParams = []string{"state", "code", "iss", "error"}

// oauthCallback answers GET and POST /oauth_callback, where the provider sends
// the browser back.
//
// When the state matches a flow started by this browser (and by the signed-in
// user, when one is signed in), the answer is a 303 See Other to the flow's
// stored redirect URL, whatever the outcome: the front end reads the outcome
// from the account. An unknown, replayed, expired or foreign state, or a
// malformed callback, is a 400 with the JSON error envelope and no redirect.
// Every answer carries Cache-Control: no-store and Referrer-Policy:
// no-referrer, so the callback URL, which holds the code and the state,
// never travels on as a Referer.
func (h *Handler) oauthCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		// A HEAD must not consume a state.
		w.Header().Set("Allow", "GET, POST")
		h.fail(w, r, ErrMethodNotAllowed)
		return
	}
	p, err := h.callbackParams(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if uid, err := h.userID(r); err == nil {
		p.UserID = uid
	}
	p.Binding = h.cookie.read(r)

	c, err := h.svc.Complete(r.Context(), p)
	if c == nil {
		if err == nil {
			err = verification.ErrInternal
		}
		h.fail(w, r, err)
		return
	}
	if p.Binding != "" {
		// The browser keeps its binding: other flows it started may still
		// be in flight, and a retry's fresh flow is bound to it too.
		h.cookie.set(w, p.Binding)
	}
	if c.Attempt != nil && err == nil {
		// A sign-in or sign-up: start the host's session when it signed a
		// user in (creating the user of a new sign-up's identity first).
		if serr := h.completeSignIn(w, r, p.Binding, c.Attempt); serr != nil {
			err = serr
		}
	}
	// The destination was checked when the flow started; it is checked
	// again in case the flow was started outside this handler or the
	// allowlist shrank since.
	if rerr := h.origins.checkRedirectURL(c.RedirectURL); rerr != nil {
		h.fail(w, r, verification.ErrRedirectURLNotAllowed.WithParam("redirect_url"))
		return
	}
	if err != nil {
		e := verification.AsError(err)
		h.log.LogAttrs(r.Context(), levelFor(e), "tether/http: callback did not verify",
			slog.String("route", r.Pattern), slog.String("code", e.Code))
		if h.onError != nil {
			h.onError(r, http.StatusSeeOther, e)
		}
	}
	hdr := w.Header()
	setCommonHeaders(hdr)
	hdr.Set("Location", c.RedirectURL)
	w.WriteHeader(http.StatusSeeOther)
}

// callbackParams reads the callback's parameters: the query of a GET, the
// query and form body of a POST (form_post). Repeated state, code, iss or
// error parameters are oauth_callback_invalid; token material is dropped.
func (h *Handler) callbackParams(w http.ResponseWriter, r *http.Request) (account.CallbackParams, error) {
	invalid := func(long string) (account.CallbackParams, error) {
		return account.CallbackParams{}, verification.ErrCallbackInvalid.WithLongMessage(long)
	}
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return invalid("The callback's query is malformed.")
	}
	if r.Method == http.MethodPost {
		ctype := r.Header.Get("Content-Type")
		if ctype != "" {
			if media, _, err := mime.ParseMediaType(ctype); err != nil || media != mediaForm {
				return account.CallbackParams{}, ErrUnsupportedMediaType
			}
		}
		body, err := readBody(w, r, h.maxBody)
		if err != nil {
			return account.CallbackParams{}, err
		}
		if ctype == "" && len(body) > 0 {
			return account.CallbackParams{}, ErrUnsupportedMediaType
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return invalid("The callback's form is malformed.")
		}
		for k, vs := range form {
			vals[k] = append(vals[k], vs...)
		}
	}
	for _, k := range callbackSingleParams {
		if len(vals[k]) > 1 {
			return account.CallbackParams{}, verification.ErrCallbackInvalid.
				WithLongMessage("The callback repeats the parameter " + k + ".").WithParam(k)
		}
	}
	p := account.CallbackParams{
		State: vals.Get("state"),
		Code:  vals.Get("code"),
		Error: vals.Get("error"),
		Iss:   vals.Get("iss"),
	}
	for k, vs := range vals {
		if callbackOwnParams[k] || callbackTokenParams[k] {
			continue
		}
		if p.Extra == nil {
			p.Extra = make(map[string][]string)
		}
		p.Extra[k] = vs
	}
	return p, nil
}
