package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// AdminOptions configure an admin handler. Authorize is required.
type AdminOptions struct {
	// Authorize decides whether r comes from one of the host's operators:
	// nil lets it through; an error answers 403 (401 when the error is
	// verification.ErrAuthenticationInvalid). It is the only check: the
	// admin routes see every user's accounts. Required.
	Authorize func(r *http.Request) error

	// Prefix is the mount path when the host's mux passes it unstripped,
	// as Options.Prefix.
	Prefix string

	// TrustedOrigins are other origins whose browsers may send writes
	// (PATCH, DELETE), as Options.TrustedOrigins.
	TrustedOrigins []string

	// MaxBodyBytes limits request bodies. Default: DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Logger, as Options.Logger. Default: no logging.
	Logger *slog.Logger
}

// ErrForbidden (403) answers an admin request that Authorize refused.
var ErrForbidden = &verification.Error{Code: "forbidden", Message: "Forbidden", LongMessage: "You may not use the admin API."}

// NewAdmin returns the back-office routes of svc.Admin() as an http.Handler
// for the host's own back office, behind its operators' authorization:
//
//	GET    /external_accounts                 ?user_id, provider, status, limit (1-100), after
//	GET    /external_accounts/{id}
//	PATCH  /external_accounts/{id}            JSON {"label": "...", "public_metadata": {...}}; If-Match: the ETag read
//	DELETE /external_accounts/{id}
//
// Lists answer {"object":"list","data":[...],"next_cursor":"..."|null};
// accounts are Clerk's external_account objects with the owner's "user_id".
// An account answers with an ETag; a PATCH with If-Match applies only to
// that version (412 precondition_failed otherwise). Errors use the same
// envelope and status table as the Frontend API routes.
func NewAdmin(svc *account.Service, opts AdminOptions) (http.Handler, error) {
	if svc == nil {
		return nil, errors.New("httpadapter: NewAdmin with a nil Service")
	}
	if opts.Authorize == nil {
		return nil, errors.New("httpadapter: AdminOptions.Authorize is required: the admin routes see every user's accounts")
	}
	if err := validPrefix(opts.Prefix); err != nil {
		return nil, err
	}
	h := &Handler{
		svc:     svc,
		maxBody: opts.MaxBodyBytes,
		log:     opts.Logger,
		cop:     http.NewCrossOriginProtection(),
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, o := range opts.TrustedOrigins {
		if err := h.cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	ad := &admin{h: h, svc: svc.Admin(), authorize: opts.Authorize}
	mux := http.NewServeMux()
	list := opts.Prefix + "/external_accounts"
	one := list + "/{id}"
	mux.HandleFunc("GET "+list, ad.guard(ad.list))
	mux.Handle(list, methodNotAllowed(h, "GET, HEAD"))
	mux.HandleFunc("GET "+one, ad.guard(ad.get))
	mux.HandleFunc("PATCH "+one, ad.guard(ad.update))
	mux.HandleFunc("DELETE "+one, ad.guard(ad.destroy))
	mux.Handle(one, methodNotAllowed(h, "DELETE, GET, HEAD, PATCH"))
	mux.HandleFunc("/", h.notFound)
	return mux, nil
}

type admin struct {
	h         *Handler
	svc       *account.Admin
	authorize func(*http.Request) error
}

// ErrPreconditionFailed (412) answers a PATCH whose If-Match names another
// version than the stored one.
var ErrPreconditionFailed = &verification.Error{Code: "precondition_failed", Message: "Precondition failed", LongMessage: "The account changed since you read it; read it again."}

// guard checks cross-origin writes and the host's authorization.
func (ad *admin) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := ad.h.cop.Check(r); err != nil {
			ad.h.fail(w, r, ErrOriginInvalid)
			return
		}
		if err := ad.authorize(r); err != nil {
			if errors.Is(err, verification.ErrAuthenticationInvalid) {
				ad.h.fail(w, r, verification.ErrAuthenticationInvalid)
			} else {
				ad.h.fail(w, r, ErrForbidden.Wrap(err))
			}
			return
		}
		next(w, r)
	}
}

// adminJSON is an account with its owner: Clerk's external_account with
// user_id spliced in.
func adminJSON(a *account.ExternalAccount) ([]byte, error) {
	b, err := a.MarshalJSON()
	if err != nil {
		return nil, err
	}
	uid, err := json.Marshal(a.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b)+len(uid)+12)
	out = append(out, `{"user_id":`...)
	out = append(out, uid...)
	out = append(out, ',')
	return append(out, b[1:]...), nil
}

func etag(a *account.ExternalAccount) string { return `"v` + strconv.FormatInt(a.Version, 10) + `"` }

func (ad *admin) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"user_id", "provider", "status", "limit", "after"} {
		if len(q[k]) > 1 {
			ad.h.fail(w, r, invalidParam(k, "The parameter "+k+" is given more than once."))
			return
		}
	}
	aq := account.AdminQuery{UserID: q.Get("user_id"), Provider: q.Get("provider"), Status: q.Get("status"), After: q.Get("after")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			ad.h.fail(w, r, invalidParam("limit", "limit must be a number."))
			return
		}
		aq.Limit = n
	}
	page, err := ad.svc.List(r.Context(), aq)
	if err != nil {
		ad.h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`{"object":"list","data":[`)
	for i, a := range page.Accounts {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := adminJSON(a)
		if err != nil {
			ad.h.fail(w, r, verification.ErrInternal.Wrap(err))
			return
		}
		buf.Write(b)
	}
	buf.WriteString(`],"next_cursor":`)
	if page.Next == "" {
		buf.WriteString("null")
	} else {
		next, _ := json.Marshal(page.Next)
		buf.Write(next)
	}
	buf.WriteByte('}')
	writeJSON(w, http.StatusOK, buf.Bytes())
}

func (ad *admin) writeAccount(w http.ResponseWriter, r *http.Request, a *account.ExternalAccount) {
	b, err := adminJSON(a)
	if err != nil {
		ad.h.fail(w, r, verification.ErrInternal.Wrap(err))
		return
	}
	w.Header().Set("ETag", etag(a))
	writeJSON(w, http.StatusOK, b)
}

func (ad *admin) get(w http.ResponseWriter, r *http.Request) {
	a, err := ad.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		ad.h.fail(w, r, err)
		return
	}
	ad.writeAccount(w, r, a)
}

// update answers PATCH: label and public_metadata, compare-and-swap on the
// version If-Match names.
func (ad *admin) update(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, ad.h.maxBody)
	if err != nil {
		ad.h.fail(w, r, err)
		return
	}
	if mt := r.Header.Get("Content-Type"); !strings.HasPrefix(mt, mediaJSON) {
		ad.h.fail(w, r, ErrUnsupportedMediaType)
		return
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		ad.h.fail(w, r, verification.ErrFormParamInvalid.WithLongMessage("The body must be a JSON object."))
		return
	}
	var u account.Update
	for k, raw := range in {
		switch k {
		case "label":
			var label string
			if err := json.Unmarshal(raw, &label); err != nil {
				ad.h.fail(w, r, invalidParam("label", "label must be a string."))
				return
			}
			u.Label = &label
		case "public_metadata":
			if string(raw) == "null" {
				u.ClearPublicMetadata = true
				continue
			}
			var md map[string]any
			if err := json.Unmarshal(raw, &md); err != nil {
				ad.h.fail(w, r, invalidParam("public_metadata", "public_metadata must be an object or null."))
				return
			}
			u.PublicMetadata = md
		default:
			ad.h.fail(w, r, invalidParam(k, "Only label and public_metadata can be changed."))
			return
		}
	}
	if m := r.Header.Get("If-Match"); m != "" {
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(m, `"v`), `"`), 10, 64)
		if err != nil || v <= 0 {
			ad.h.fail(w, r, ErrPreconditionFailed.WithLongMessage("If-Match must be an ETag this API returned."))
			return
		}
		u.Version = v
	}
	a, err := ad.svc.Update(r.Context(), r.PathValue("id"), u)
	if errors.Is(err, verification.ErrConflict) && u.Version != 0 {
		err = ErrPreconditionFailed
	}
	if err != nil {
		ad.h.fail(w, r, err)
		return
	}
	ad.writeAccount(w, r, a)
}

func (ad *admin) destroy(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := ad.svc.Destroy(r.Context(), id); err != nil {
		ad.h.fail(w, r, err)
		return
	}
	body, _ := json.Marshal(deleted{Object: account.ObjectName, ID: id, Deleted: true})
	writeJSON(w, http.StatusOK, body)
}
