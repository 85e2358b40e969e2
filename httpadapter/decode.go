package httpadapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/tetherauth/tether/verification"
)

// params are the inputs of connect and reauthorize, as a request body gives
// them. An absent field is "".
type params struct {
	Strategy         string
	RedirectURL      string
	AdditionalScopes []string
	Label            string
	OIDCPrompt       string
	OIDCLoginHint    string
	// Transfer is the transfer field of sign-ins and sign-ups: "true",
	// "false" or "".
	Transfer string
	// Token and Nonce are an ID token sign-in's (oauth_token_<provider>).
	Token string
	Nonce string
}

// fieldSet says which fields a route accepts.
type fieldSet uint16

const (
	fieldStrategy fieldSet = 1 << iota
	fieldRedirectURL
	fieldScopes
	fieldLabel
	fieldPrompt
	fieldLoginHint
	fieldTransfer
	fieldToken
	fieldNonce

	connectFields     = fieldStrategy | fieldRedirectURL | fieldScopes | fieldLabel | fieldPrompt | fieldLoginHint
	reauthorizeFields = fieldRedirectURL | fieldScopes | fieldPrompt | fieldLoginHint
	signInFields      = fieldStrategy | fieldRedirectURL | fieldPrompt | fieldLoginHint | fieldTransfer | fieldToken | fieldNonce
	signUpFields      = fieldStrategy | fieldRedirectURL | fieldTransfer
)

// Wire names. Forms repeat additional_scope, as Clerk's clients send it;
// JSON has one additional_scopes array.
const (
	nameStrategy    = "strategy"
	nameRedirectURL = "redirect_url"
	nameScopeForm   = "additional_scope"
	nameScopesJSON  = "additional_scopes"
	nameLabel       = "label"
	namePrompt      = "oidc_prompt"
	nameLoginHint   = "oidc_login_hint"
	nameTransfer    = "transfer"
	nameToken       = "token"
	nameNonce       = "nonce"
)

// Media types of request bodies.
const (
	mediaForm = "application/x-www-form-urlencoded"
	mediaJSON = "application/json"
)

// readBody reads r's body up to limit bytes: ErrRequestBodyTooLarge beyond
// it.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, ErrRequestBodyTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, ErrRequestBodyTooLarge
		}
		return nil, verification.ErrFormParamInvalid.WithLongMessage("The request body could not be read.").Wrap(err)
	}
	return b, nil
}

// decodeRequest reads and decodes the body of a connect or reauthorize
// request.
func decodeRequest(w http.ResponseWriter, r *http.Request, limit int64, fields fieldSet) (params, error) {
	body, err := readBody(w, r, limit)
	if err != nil {
		return params{}, err
	}
	return decodeBody(r.Header.Get("Content-Type"), body, fields)
}

// decodeBody decodes a connect or reauthorize body of the given Content-Type.
//
// A form (application/x-www-form-urlencoded) is read as Clerk's clients send
// it: fields the route does not know are ignored, additional_scope repeats,
// any other field given twice is form_param_invalid. JSON (application/json,
// UTF-8) is strict, because its clients are written against this API: one
// object, exact (case-sensitive) field names, no unknown or repeated field,
// strings or null (absent) for scalars, an array of strings or null for
// additional_scopes, nothing after the object; anything else is
// form_param_invalid. An empty body with no Content-Type reads as no
// fields; any other media type is unsupported_media_type.
func decodeBody(contentType string, body []byte, fields fieldSet) (params, error) {
	if contentType == "" {
		if len(body) == 0 {
			return params{}, nil
		}
		return params{}, ErrUnsupportedMediaType
	}
	media, mparams, err := mime.ParseMediaType(contentType)
	if err != nil {
		return params{}, ErrUnsupportedMediaType
	}
	if cs, ok := mparams["charset"]; ok && !equalFoldASCII(cs, "utf-8") {
		return params{}, ErrUnsupportedMediaType
	}
	switch media {
	case mediaForm:
		return decodeForm(body, fields)
	case mediaJSON:
		return decodeJSON(body, fields)
	}
	return params{}, ErrUnsupportedMediaType
}

// equalFoldASCII compares ASCII strings case-insensitively (a charset name).
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// invalidParam is form_param_invalid naming the parameter, with an optional
// long message.
func invalidParam(name, long string) error {
	e := verification.ErrFormParamInvalid.WithParam(name)
	if long != "" {
		e = e.WithLongMessage(long)
	}
	return e
}

// decodeForm decodes a form body; see decodeBody.
func decodeForm(body []byte, fields fieldSet) (params, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return params{}, verification.ErrFormParamInvalid.WithLongMessage("The request body is not a valid form.")
	}
	var p params
	single := func(f fieldSet, name string, dst *string) error {
		vs := vals[name]
		if fields&f == 0 || len(vs) == 0 {
			return nil
		}
		if len(vs) > 1 {
			return invalidParam(name, "The parameter "+name+" is given more than once.")
		}
		*dst = vs[0]
		return nil
	}
	for _, f := range []struct {
		f    fieldSet
		name string
		dst  *string
	}{
		{fieldStrategy, nameStrategy, &p.Strategy},
		{fieldRedirectURL, nameRedirectURL, &p.RedirectURL},
		{fieldLabel, nameLabel, &p.Label},
		{fieldPrompt, namePrompt, &p.OIDCPrompt},
		{fieldLoginHint, nameLoginHint, &p.OIDCLoginHint},
		{fieldTransfer, nameTransfer, &p.Transfer},
		{fieldToken, nameToken, &p.Token},
		{fieldNonce, nameNonce, &p.Nonce},
	} {
		if err := single(f.f, f.name, f.dst); err != nil {
			return params{}, err
		}
	}
	if fields&fieldScopes != 0 {
		p.AdditionalScopes = vals[nameScopeForm]
	}
	return p, nil
}

// jsonField maps a JSON member name to where it goes.
func (p *params) jsonField(name string, fields fieldSet) (f fieldSet, dst *string) {
	switch name {
	case nameStrategy:
		return fieldStrategy & fields, &p.Strategy
	case nameRedirectURL:
		return fieldRedirectURL & fields, &p.RedirectURL
	case nameScopesJSON:
		return fieldScopes & fields, nil
	case nameLabel:
		return fieldLabel & fields, &p.Label
	case namePrompt:
		return fieldPrompt & fields, &p.OIDCPrompt
	case nameLoginHint:
		return fieldLoginHint & fields, &p.OIDCLoginHint
	case nameTransfer:
		return fieldTransfer & fields, &p.Transfer
	case nameToken:
		return fieldToken & fields, &p.Token
	case nameNonce:
		return fieldNonce & fields, &p.Nonce
	}
	return 0, nil
}

// decodeJSON decodes a JSON body token by token, which is how it sees
// repeated and differently-cased names; see decodeBody.
func decodeJSON(body []byte, fields fieldSet) (params, error) {
	bad := func(long string) (params, error) {
		return params{}, verification.ErrFormParamInvalid.WithLongMessage(long)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return bad("The request body must be one JSON object.")
	}
	var p params
	var seen fieldSet
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bad("The request body is not valid JSON.")
		}
		name, _ := tok.(string)
		f, dst := p.jsonField(name, fields)
		if f == 0 {
			return params{}, unknownJSONField(name)
		}
		if seen&f != 0 {
			return params{}, invalidParam(name, "The field "+name+" is given more than once.")
		}
		seen |= f
		if f == fieldScopes {
			scopes, err := decodeJSONStrings(dec)
			if err != nil {
				return params{}, invalidParam(name, "additional_scopes must be an array of strings.")
			}
			p.AdditionalScopes = scopes
			continue
		}
		tok, err = dec.Token()
		switch v := tok.(type) {
		case string:
			*dst = v
		case bool:
			if f != fieldTransfer {
				return params{}, invalidParam(name, "The field "+name+" must be a string.")
			}
			*dst = "false"
			if v {
				*dst = "true"
			}
		case nil:
			if err != nil {
				return bad("The request body is not valid JSON.")
			}
		default:
			return params{}, invalidParam(name, "The field "+name+" must be a string.")
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return bad("The request body is not valid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("The request body has data after its JSON object.")
	}
	return p, nil
}

// decodeJSONStrings reads null or an array of strings.
func decodeJSONStrings(dec *json.Decoder) ([]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, errors.New("not an array")
	}
	out := []string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		s, ok := tok.(string)
		if !ok {
			return nil, errors.New("not a string")
		}
		out = append(out, s)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return nil, errors.New("unterminated array")
	}
	return out, nil
}

// unknownJSONField names the field in meta.param_name only when it looks
// like a parameter name: the request's own bytes are not echoed otherwise.
func unknownJSONField(name string) error {
	e := verification.ErrFormParamInvalid.WithLongMessage("The request has a field this route does not accept.")
	if len(name) > 0 && len(name) <= 64 {
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return e
			}
		}
		e = e.WithParam(name)
		if name == nameScopeForm {
			e = e.WithLongMessage("JSON bodies give additional_scopes as an array.")
		}
	}
	return e
}
