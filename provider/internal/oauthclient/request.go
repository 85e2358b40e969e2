package oauthclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
)

// Do sends req with client and returns the response body when the status is
// 2xx. Any other status is a *provider.OAuthError carrying the status and
// the OAuth error code of a JSON body. Every error is sanitized.
func Do(client *http.Client, req *http.Request) ([]byte, *http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, Sanitize(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // bounded by LimitTransport
	if err != nil {
		return nil, nil, Sanitize(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, resp, NewOAuthError(resp.StatusCode, ErrorCode(resp, body))
	}
	return body, resp, nil
}

// GetJSON sends a GET to rawURL with accessToken as a Bearer token (RFC
// 6750 section 2.1) and header's fields, and decodes the JSON response into
// v. A *map[string]any or *any gets numbers as json.Number, so that large
// ids keep every digit.
func GetJSON(ctx context.Context, client *http.Client, rawURL, accessToken string, header http.Header, v any) error {
	return CallJSON(ctx, client, http.MethodGet, rawURL, accessToken, header, nil, v)
}

// CallJSON is GetJSON with another method and, when body is not nil, a
// JSON request body (Dropbox's RPC endpoints are POSTs).
func CallJSON(ctx context.Context, client *http.Client, method, rawURL, accessToken string, header http.Header, body []byte, v any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return Sanitize(err)
	}
	for k, vs := range header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, _, err := Do(client, req)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(resp))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return ErrMalformedResponse
	}
	return nil
}

// ErrorCode returns the OAuth error code of an error response: the JSON
// "error" member when it is a string, or "". A WWW-Authenticate challenge is
// not parsed. NewOAuthError drops anything that is not a plain code.
func ErrorCode(resp *http.Response, body []byte) string {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return ""
	}
	var e struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	s, _ := e.Error.(string)
	return s
}

// Revocation is an RFC 7009 revocation endpoint and the client's
// credentials there.
type Revocation struct {
	URL          string
	ClientID     string
	ClientSecret string
	// AuthStyle is oauth2.AuthStyleInHeader (client_secret_basic) or
	// oauth2.AuthStyleInParams (client_secret_post).
	AuthStyle oauth2.AuthStyle
}

// Revoke revokes token at r (RFC 7009 section 2.1); hint is sent as
// token_type_hint when not empty. Any 2xx is success: the specification says
// 200, and some providers answer 204. Errors are sanitized.
func Revoke(ctx context.Context, client *http.Client, r Revocation, token, hint string) error {
	if token == "" {
		return fmt.Errorf("provider: Revoke of an empty token")
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if r.AuthStyle == oauth2.AuthStyleInParams {
		form.Set("client_id", r.ClientID)
		form.Set("client_secret", r.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("provider: revocation request: %w", Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if r.AuthStyle == oauth2.AuthStyleInHeader {
		// Form-encoded before Basic encoding, as RFC 6749 section 2.3.1 says.
		req.SetBasicAuth(url.QueryEscape(r.ClientID), url.QueryEscape(r.ClientSecret))
	}
	if _, _, err := Do(client, req); err != nil {
		return fmt.Errorf("provider: revocation failed: %w", err)
	}
	return nil
}

// ApplyAuthParams calls hook, a provider's adjustment of its authorization
// request, on v and checks that it left the reserved parameters as they
// were: those carry the protocol's security (state, PKCE, nonce) and are
// never the hook's to change.
func ApplyAuthParams(hook func(provider.AuthRequest, url.Values), req provider.AuthRequest, v url.Values, reserved []string) error {
	if hook == nil {
		return nil
	}
	before := make(map[string][]string, len(reserved))
	for _, k := range reserved {
		before[k] = slices.Clone(v[k])
	}
	hook(req, v)
	for _, k := range reserved {
		if !slices.Equal(before[k], v[k]) {
			return fmt.Errorf("provider: the authorization parameter hook changed the reserved parameter %q", k)
		}
	}
	return nil
}

// BearerRevocation is a revocation authenticated by the access token
// itself, sent without a body: Dropbox's and Linear's POST, Slack's
// auth.revoke, Facebook's DELETE /me/permissions. Such an endpoint cannot
// revoke a refresh token.
type BearerRevocation struct {
	// Name starts every error ("slack").
	Name string
	// Method defaults to POST.
	Method string
	// URL is the endpoint.
	URL string
	// RefreshTokens says why a refresh token cannot be revoked; default:
	// "the grant is revoked by its access token".
	RefreshTokens string
}

// Do revokes token and returns the response body of a 2xx answer. For hint
// "refresh_token" it sends nothing and returns an error wrapping
// provider.ErrRevocationUnsupported. Errors start with r.Name and carry no
// token.
func (r BearerRevocation) Do(ctx context.Context, client *http.Client, token, hint string) ([]byte, error) {
	if hint == "refresh_token" {
		why := r.RefreshTokens
		if why == "" {
			why = "the grant is revoked by its access token"
		}
		return nil, fmt.Errorf("%s: %s (%w)", r.Name, why, provider.ErrRevocationUnsupported)
	}
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: revocation request: %w", r.Name, Sanitize(err))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	body, _, err := Do(client, req)
	if err != nil {
		return nil, fmt.Errorf("%s: revocation failed: %w", r.Name, err)
	}
	return body, nil
}

// ReadBody reads a response body that a transport beneath LimitTransport
// reads (a catalogue provider's Spec.Transport), bounded by the default
// size limit: a longer body is provider.ErrResponseTooLarge. It closes
// body.
func ReadBody(body io.ReadCloser) ([]byte, error) {
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, provider.DefaultMaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > provider.DefaultMaxResponseBytes {
		return nil, provider.ErrResponseTooLarge
	}
	return b, nil
}
