// Package twitch is the Twitch provider (strategy oauth_twitch): OpenID
// Connect at id.twitch.tv with Twitch's documented endpoints, no discovery
// request at start-up.
//
// Sources, checked against no live server:
//   - https://dev.twitch.tv/docs/authentication/getting-tokens-oidc/ (the
//     authorization code flow with the openid scope; the discovery
//     document: issuer https://id.twitch.tv/oauth2, authorization at
//     https://id.twitch.tv/oauth2/authorize, tokens at
//     https://id.twitch.tv/oauth2/token with client_secret_post only, keys
//     at https://id.twitch.tv/oauth2/keys, RS256, claims_parameter_supported
//     and claims_supported email, email_verified, picture,
//     preferred_username; claims beyond the defaults are asked for with
//     the "claims" parameter, a JSON object)
//   - https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/ (the
//     token response: "scope" is a JSON array, token_type "bearer"; errors
//     are {"status": ..., "message": ...} without an "error" member)
//   - https://dev.twitch.tv/docs/authentication/scopes/ (user:read:email
//     releases the email address)
//   - https://dev.twitch.tv/docs/authentication/refresh-tokens/ (the
//     refresh_token grant returns a new refresh token with the access
//     token)
//   - https://dev.twitch.tv/docs/authentication/revoke-tokens/ (POST
//     https://id.twitch.tv/oauth2/revoke with client_id and token, form
//     encoded, for an access token; HTTP 200 on success)
//
// The provider user id is the ID token's "sub", the Twitch user id (a
// string of digits). Every authorization sends the "claims" parameter
// asking for email, email_verified, picture and preferred_username in the
// ID token (and userinfo), which Twitch otherwise leaves out: Username is
// "preferred_username" (the display name), the avatar "picture", and the
// email address (with the user:read:email scope) comes with Twitch's
// email_verified. Twitch has no first or last names.
//
// The token endpoint takes the client id and secret in the form
// (client_secret_post). Twitch does not document PKCE; S256 is sent, as to
// every catalogue provider that does not refuse it. The granted scopes are
// read from Twitch's JSON array. Twitch's error bodies have no "error"
// member: a refused code or refresh token ("Invalid authorization code",
// "Invalid refresh token") becomes a *provider.OAuthError with
// invalid_grant, so that the account Service knows the grant is lost;
// another refusal has the HTTP status and no code.
//
// Every authorization returns a refresh token; a refresh returns a new
// one, which replaces the one redeemed. Revoke posts the access token with
// the client id (and the RFC 7009 token_type_hint, which Twitch's
// documentation does not list) to the revocation endpoint; Twitch
// documents no revocation of refresh tokens, so for one it returns an
// error wrapping provider.ErrRevocationUnsupported and sends nothing.
package twitch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Twitch serves.
var Strategy = verification.MustParseStrategy("oauth_twitch")

// DefaultBaseURL is Twitch's identity host; the issuer is DefaultBaseURL
// + "/oauth2".
const DefaultBaseURL = "https://id.twitch.tv"

// DefaultScopes are openid and user:read:email, which releases the email
// address.
var DefaultScopes = []string{"openid", "user:read:email"}

// claimsParam is the "claims" authorization parameter every request
// carries (OpenID Connect Core section 5.5): the claims Twitch releases
// only when asked for.
const claimsParam = `{"id_token":{"email":null,"email_verified":null,"picture":null,"preferred_username":null},` +
	`"userinfo":{"email":null,"email_verified":null,"picture":null,"preferred_username":null}}`

// Config configures the Twitch provider: the application's client id and
// secret (required; Twitch Developer Console), and BaseURL, the identity
// host (see provider.AppConfig; Twitch has no APIURL).
type Config = provider.AppConfig

// Provider is the Twitch provider. Its tokens refresh, and it revokes
// access tokens. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// spec is Twitch's (see the package documentation's sources).
var spec = catalog.OIDC{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Twitch", DefaultScopes: DefaultScopes,
		BaseURL: DefaultBaseURL, AuthStyle: catalog.ClientSecretPost,
		Transport: func(base http.RoundTripper) http.RoundTripper { return tokenErrors{base} },
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/oauth2/authorize",
			TokenURL:      DefaultBaseURL + "/oauth2/token",
			JWKSURL:       DefaultBaseURL + "/oauth2/keys",
			RevocationURL: DefaultBaseURL + "/oauth2/revoke",
		},
	},
	Issuer:          DefaultBaseURL + "/oauth2",
	ExtraAuthParams: map[string]string{"claims": claimsParam},
	OIDC:            catalog.OIDCHooks{Revoke: revoke},
}

// New returns the Twitch provider for cfg, without any request to Twitch;
// it fails on missing credentials or an invalid setting.
func New(cfg Config) (*Provider, error) { return catalog.NewOIDC[Provider](spec, catalog.App(cfg)) }

// revoke posts an access token and the client id to the revocation
// endpoint (see the package documentation).
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	client, endpoint, token, hint := r.Client, r.Endpoint, r.Token, r.Hint
	if hint == "refresh_token" {
		return fmt.Errorf("twitch: Twitch revokes access tokens only (%w)", provider.ErrRevocationUnsupported)
	}
	form := url.Values{"client_id": {r.ClientID}, "token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("twitch: revocation request: %w", catalog.Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, _, err := catalog.Do(client, req); err != nil {
		return fmt.Errorf("twitch: revocation failed: %w", err)
	}
	return nil
}

// refusedGrants are the messages of Twitch's token endpoint that refuse
// the code or the refresh token itself (RFC 6749's invalid_grant).
var refusedGrants = []string{"Invalid authorization code", "Invalid refresh token"}

// tokenErrors is the transport of the provider's client: a token endpoint
// answer of HTTP 400 in Twitch's {"status": 400, "message": ...} shape,
// which has no OAuth "error" code, gets invalid_grant when its message
// refuses the code or the refresh token, so that the account Service
// knows the grant is gone. Every other answer passes as it is.
type tokenErrors struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t tokenErrors) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusBadRequest || !strings.HasSuffix(r.URL.Path, "/oauth2/token") {
		return resp, err
	}
	body, err := catalog.ReadBody(resp.Body) // beneath the client's size limit
	if err != nil {
		return nil, err
	}
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && !strings.Contains(e.Error, "_") && slices.Contains(refusedGrants, e.Message) {
		body, _ = json.Marshal(map[string]string{"error": "invalid_grant", "error_description": e.Message})
		resp.Header = resp.Header.Clone()
		resp.Header.Set("Content-Type", "application/json")
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}
