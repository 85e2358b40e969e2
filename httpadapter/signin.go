package httpadapter

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// SignInOptions turn on the sign-in and sign-up routes (POST /sign_ins,
// POST /sign_ups, GET /client) and the sign-in side of the callback. Tether
// never creates the host's users or sessions: these hooks do.
type SignInOptions struct {
	// StartSession signs userID in on w: the host's session starts (with
	// a new session id: rotate any previous one). Required.
	StartSession func(w http.ResponseWriter, r *http.Request, userID string) error

	// CreateUser creates the host's user for a verified identity nobody
	// owns and returns its id: a sign-up, or a sign-in's "create an
	// account". Without it sign-ups answer 403 sign_up_unavailable.
	CreateUser func(r *http.Request, id *account.HeldIdentity) (userID string, err error)

	// Allow decides whether a signed-out client may start another sign-in
	// or sign-up (each leaves a flow and an attempt until they expire):
	// false answers 429 too_many_requests. Default: a token bucket per
	// client IP address (r.RemoteAddr: put the real client address there
	// behind a proxy), DefaultSignInBurst at once and one every
	// DefaultSignInEvery after that.
	Allow func(r *http.Request) bool
}

// wireAttempt is Clerk's SignIn and SignUp object, as far as Tether fills
// it.
type wireAttempt struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	Status string `json:"status"`
	// Sign-ins carry the verification as first_factor_verification,
	// sign-ups under verifications.external_account.
	FirstFactor   *verification.Verification `json:"first_factor_verification,omitempty"`
	Verifications *struct {
		ExternalAccount verification.Verification `json:"external_account"`
	} `json:"verifications,omitempty"`
	// The held identity's profile, to prefill the host's sign-up form.
	EmailAddress *string `json:"email_address"`
	FirstName    *string `json:"first_name"`
	LastName     *string `json:"last_name"`
	Username     *string `json:"username"`
	ImageURL     *string `json:"image_url"`
	// CreatedUserID is the user the attempt signed in or created.
	CreatedUserID *string `json:"created_user_id"`
	CreatedAt     int64   `json:"created_at"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toWire(a *account.Attempt) *wireAttempt {
	if a == nil {
		return nil
	}
	w := &wireAttempt{ID: a.ID, Status: a.Status, CreatedUserID: strOrNil(a.UserID), CreatedAt: a.CreatedAt.UnixMilli()}
	v := a.Verification
	if a.Kind == account.SignIn {
		w.Object = "sign_in_attempt"
		w.FirstFactor = &v
	} else {
		w.Object = "sign_up_attempt"
		w.Verifications = &struct {
			ExternalAccount verification.Verification `json:"external_account"`
		}{v}
	}
	if id := a.Identity; id != nil {
		w.EmailAddress, w.FirstName, w.LastName = strOrNil(id.EmailAddress), strOrNil(id.FirstName), strOrNil(id.LastName)
		w.Username, w.ImageURL = strOrNil(id.Username), strOrNil(id.AvatarURL)
	}
	return w
}

func (h *Handler) writeAttempt(w http.ResponseWriter, r *http.Request, a *account.Attempt) {
	body, err := json.Marshal(toWire(a))
	if err != nil {
		h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// signIn answers POST /sign_ins: with a strategy, a sign-in starts and the
// answer's first_factor_verification.external_verification_redirect_url is
// where the browser goes; with transfer=true, the owner of the identity the
// browser's sign-up found taken is signed in.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	h.startAttempt(w, r, account.SignIn, signInFields)
}

// signUp answers POST /sign_ups: with a strategy, a sign-up starts (the
// URL is at verifications.external_account.external_verification_redirect_url);
// with transfer=true, the identity the browser's sign-in held becomes a new
// user.
func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) {
	h.startAttempt(w, r, account.SignUp, signUpFields)
}

func (h *Handler) startAttempt(w http.ResponseWriter, r *http.Request, kind account.AttemptKind, fields fieldSet) {
	if !h.sameOrigin(w, r) {
		return
	}
	p, err := decodeRequest(w, r, h.maxBody, fields)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch p.Transfer {
	case "true":
		h.transfer(w, r, kind)
		return
	case "", "false":
	default:
		h.fail(w, r, invalidParam(nameTransfer, "transfer must be true or false."))
		return
	}
	if kind == account.SignIn && strings.HasPrefix(p.Strategy, "oauth_token_") {
		h.idTokenSignIn(w, r, p)
		return
	}
	if kind == account.SignUp && h.signIns.CreateUser == nil {
		h.fail(w, r, ErrSignUpUnavailable)
		return
	}
	if p.Strategy == "" {
		h.fail(w, r, verification.ErrFormParamMissing.WithParam(nameStrategy))
		return
	}
	if err := h.origins.checkRedirectURL(p.RedirectURL); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.allowStart(w, r) {
		return
	}
	binding := h.browserBinding(r)
	start := h.svc.SignIn
	if kind == account.SignUp {
		start = h.svc.SignUp
	}
	a, err := start(r.Context(), account.StartParams{
		Binding: binding, Strategy: p.Strategy, RedirectURL: p.RedirectURL,
		OIDCPrompt: p.OIDCPrompt, OIDCLoginHint: p.OIDCLoginHint,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookie.set(w, binding)
	h.writeAttempt(w, r, a)
}

// transfer completes a transferable attempt of this browser: a sign-up
// transfer makes the held identity a new user, a sign-in transfer signs in
// its owner. Either way the host's session starts.
func (h *Handler) transfer(w http.ResponseWriter, r *http.Request, kind account.AttemptKind) {
	binding := h.cookie.read(r)
	var (
		a   *account.Attempt
		err error
	)
	if kind == account.SignUp {
		if h.signIns.CreateUser == nil {
			h.fail(w, r, ErrSignUpUnavailable)
			return
		}
		a, err = h.svc.TransferToNewUser(r.Context(), binding, account.SignIn, h.createUser(r))
	} else {
		a, err = h.svc.TransferToOwner(r.Context(), binding)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.signIns.StartSession(w, r, a.UserID); err != nil {
		h.fail(w, r, verification.ErrInternal.WithLongMessage("The session could not be started.").Wrap(err))
		return
	}
	h.writeAttempt(w, r, a)
}

func (h *Handler) createUser(r *http.Request) account.CreateUserFunc {
	return func(_ context.Context, id *account.HeldIdentity) (string, error) {
		return h.signIns.CreateUser(r, id)
	}
}

// client answers GET /client with Clerk's client object: this browser's
// current sign-in and sign-up (null when none).
func (h *Handler) client(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Client(r.Context(), h.cookie.read(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := json.Marshal(struct {
		Object string       `json:"object"`
		SignIn *wireAttempt `json:"sign_in"`
		SignUp *wireAttempt `json:"sign_up"`
	}{"client", toWire(c.SignIn), toWire(c.SignUp)})
	if err != nil {
		h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// completeSignIn acts on a sign-in or sign-up callback's outcome: a user
// to sign in gets its session; a sign-up's new identity gets its user
// first. A transferable attempt waits for the browser's transfer.
func (h *Handler) completeSignIn(w http.ResponseWriter, r *http.Request, binding string, a *account.Attempt) error {
	if h.signIns.StartSession == nil {
		return nil
	}
	if a.Kind == account.SignUp && a.NeedsUser() {
		if h.signIns.CreateUser == nil {
			return ErrSignUpUnavailable
		}
		up, err := h.svc.TransferToNewUser(r.Context(), binding, account.SignUp, h.createUser(r))
		if err != nil {
			return err
		}
		a = up
	}
	if a.Status != account.StatusComplete || a.UserID == "" {
		return nil
	}
	if err := h.signIns.StartSession(w, r, a.UserID); err != nil {
		return verification.ErrInternal.WithLongMessage("The session could not be started.").Wrap(err)
	}
	return nil
}

// idTokenSignIn answers POST /sign_ins with strategy=oauth_token_<provider>
// and token (and nonce): an ID token a native client obtained. The
// identity's owner is signed in at once; a new identity leaves a
// transferable sign-in, as the redirect flow does.
func (h *Handler) idTokenSignIn(w http.ResponseWriter, r *http.Request, p params) {
	if p.Token == "" {
		h.fail(w, r, verification.ErrFormParamMissing.WithParam(nameToken))
		return
	}
	if !h.allowStart(w, r) {
		return
	}
	binding := h.browserBinding(r)
	a, err := h.svc.SignInWithIDToken(r.Context(), account.IDTokenParams{Binding: binding, Strategy: p.Strategy, Token: p.Token, Nonce: p.Nonce})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookie.set(w, binding)
	if a.Status == account.StatusComplete {
		if err := h.signIns.StartSession(w, r, a.UserID); err != nil {
			h.fail(w, r, verification.ErrInternal.WithLongMessage("The session could not be started.").Wrap(err))
			return
		}
	}
	h.writeAttempt(w, r, a)
}

// allowStart asks SignInOptions.Allow whether r's client may start another
// sign-in or sign-up, and answers 429 when not.
func (h *Handler) allowStart(w http.ResponseWriter, r *http.Request) bool {
	if h.signIns.Allow(r) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	h.fail(w, r, ErrTooManyRequests)
	return false
}
