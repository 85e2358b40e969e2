// Package notion is the Notion provider (strategy oauth_notion): OAuth 2.0
// for Notion's public integrations ("public connections"), and the user
// who installed the integration from the bot user of the access token.
//
// Sources, checked against no live server:
//   - https://developers.notion.com/docs/authorization (authorization at
//     https://api.notion.com/v1/oauth/authorize with owner=user and no
//     scope parameter: an integration's capabilities, "Read user
//     information including email addresses" among them, are set in its
//     settings; no PKCE)
//   - https://developers.notion.com/reference/create-a-token (POST
//     https://api.notion.com/v1/oauth/token with HTTP Basic client
//     authentication and a JSON body: grant_type, code, redirect_uri; the
//     response: access_token, token_type "bearer", refresh_token, bot_id,
//     workspace_id, workspace_name, workspace_icon, owner {type, user},
//     duplicated_template_id, request_id, and no expires_in)
//   - https://developers.notion.com/reference/refresh-a-token (the same
//     endpoint with grant_type=refresh_token returns a new access token and
//     a new refresh token; integrations created before refresh tokens
//     existed receive tokens that never expire and no refresh token)
//   - https://developers.notion.com/reference/revoke-token (POST
//     https://api.notion.com/v1/oauth/revoke, HTTP Basic, the JSON body
//     {"token": access token}, the Notion-Version header)
//   - https://developers.notion.com/reference/get-self (GET
//     https://api.notion.com/v1/users/me: the integration's bot user, whose
//     bot.owner is {"type": "user", "user": {...}} for a user-owned
//     installation; example in
//     https://developers.notion.com/changelog/retrieve-information-about-your-token)
//     and https://developers.notion.com/reference/user (a person user: id,
//     name, avatar_url, person.email)
//   - https://developers.notion.com/reference/versioning (every API request
//     carries Notion-Version; this package sends APIVersion, the latest the
//     revocation page lists)
//
// The user who authorized the integration is the token response's
// "owner.user"; the workspace (bot_id, workspace_id, workspace_name,
// workspace_icon) is kept in Identity.Claims. A token response without an
// owner sends GET /v1/users/me, whose "bot.owner.user" is the same user.
// The provider user id is that user's "id", a UUID Notion keeps for the
// user across workspaces. The email address ("person.email") is there only
// when the integration may read email addresses; Notion does not say
// whether it verified it, so EmailVerified is nil. The name is split at its first space into first and
// last names; the avatar is "avatar_url"; Notion has no username. An
// installation owned by a workspace (owner.type "workspace") has no user
// and fails the exchange with oauth_fetch_user_error.
//
// Notion documents a JSON token request body where OAuth 2.0 clients send a
// form; the provider's HTTP client re-encodes its token requests as JSON
// (see jsonTokens). Tokens refresh, and each refresh rotates the refresh
// token. Revoke revokes an access token; given a refresh token it wraps
// provider.ErrRevocationUnsupported, and the account Service goes on to the
// access token.
package notion

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Notion serves.
var Strategy = verification.MustParseStrategy("oauth_notion")

// DefaultBaseURL is Notion's API, where every endpoint is.
const DefaultBaseURL = "https://api.notion.com"

// APIVersion is the Notion-Version header of every request to the API.
const APIVersion = "2025-09-03"

// DefaultScopes are none: Notion has no scopes.
var DefaultScopes []string

// Config configures the Notion provider: the public integration's OAuth
// client id and secret (required); BaseURL is the API (see
// provider.AppConfig). Notion documents no scopes (an integration's
// capabilities are set in its settings): leave Scopes empty, or they are
// sent as a scope parameter.
type Config = provider.AppConfig

// spec is Notion's (see the package documentation's sources); New adds
// the revocation, which needs the client credentials.
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Notion", DefaultScopes: DefaultScopes,
		Transport: func(base http.RoundTripper) http.RoundTripper { return jsonTokens{base} },
		BaseURL:   DefaultBaseURL, AuthStyle: catalog.ClientSecretBasic, DisablePKCE: true,
		Endpoint: catalog.Endpoint{
			AuthURL:       DefaultBaseURL + "/v1/oauth/authorize",
			TokenURL:      DefaultBaseURL + "/v1/oauth/token",
			UserinfoURL:   DefaultBaseURL + "/v1/users/me",
			RevocationURL: DefaultBaseURL + "/v1/oauth/revoke",
		},
	},
	OAuth2: catalog.OAuth2Hooks{
		Profile:    profile,
		APIHeader:  http.Header{"Notion-Version": {APIVersion}},
		AuthParams: func(_ provider.AuthRequest, v url.Values) { v.Set("owner", "user") },
		Revoke:     revoke,
	},
}

// Provider is the Notion provider: a provider.Refresher and a
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the Notion provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) {
	return catalog.NewOAuth2[Provider](spec, catalog.App(cfg))
}

// jsonTokens is the transport of the provider's client: it sends each form
// the client posts, which are the token requests x/oauth2 encodes, with the
// same members as the JSON body Notion documents, and the Notion-Version
// header. Every other request goes to base as it is.
type jsonTokens struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t jsonTokens) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || r.Body == nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		return t.base.RoundTrip(r)
	}
	raw, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, errors.New("notion: the token request is not a form")
	}
	members := make(map[string]string, len(form))
	for k := range form {
		members[k] = form.Get(k)
	}
	body, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	out := r.Clone(r.Context())
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.Header.Set("Content-Type", "application/json")
	out.Header.Set("Notion-Version", APIVersion)
	return t.base.RoundTrip(out)
}

// workspaceMembers are the token response's members about the
// installation, kept in Identity.Claims.
var workspaceMembers = []string{"bot_id", "workspace_id", "workspace_name", "workspace_icon"}

// profile reads the user who authorized the integration from the token
// response's "owner", as Notion documents it, with the workspace; a token
// response without an owner sends GET /v1/users/me, whose bot.owner is the
// same (see the package documentation).
func profile(ctx context.Context, api *catalog.API, _ *provider.Token) (*provider.Identity, error) {
	me := map[string]any{}
	if owner, ok := api.TokenExtra("owner").(map[string]any); ok {
		me = map[string]any{"object": "user", "type": "bot", "bot": map[string]any{"owner": owner}}
	} else if err := api.GetJSON(ctx, api.UserinfoURL(), &me); err != nil {
		return nil, err
	}
	id, err := mapBot(me)
	if err != nil {
		return nil, err
	}
	for _, k := range workspaceMembers {
		if v := api.TokenExtra(k); v != nil {
			me[k] = v
		}
	}
	return id, nil
}

// mapBot maps a bot user, of GET /v1/users/me or made of the token
// response's owner (see the package documentation).
func mapBot(me map[string]any) (*provider.Identity, error) {
	owner := catalog.Object(catalog.Object(me, "bot"), "owner")
	user := catalog.Object(owner, "user")
	if catalog.String(owner, "type") != "user" || user == nil {
		return nil, verification.ErrFetchUser.WithLongMessage(
			"The Notion integration was installed for a workspace, not by a user: there is no user account to link.")
	}
	id := &provider.Identity{
		ProviderUserID: catalog.ID(user, "id"),
		EmailAddress:   catalog.String(catalog.Object(user, "person"), "email"),
		AvatarURL:      catalog.String(user, "avatar_url"),
		Claims:         me,
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(user, "name"))
	return id, nil
}

// revoke posts {"token": token} with HTTP Basic client authentication.
func revoke(ctx context.Context, r catalog.RevokeRequest) error {
	hc, endpoint, token, hint := r.Client, r.Endpoint, r.Token, r.Hint
	if hint == "refresh_token" {
		return fmt.Errorf("notion: Notion revokes access tokens only (%w)", provider.ErrRevocationUnsupported)
	}
	body, err := json.Marshal(map[string]string{"token": token})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notion: revocation request: %w", catalog.Sanitize(err))
	}
	req.SetBasicAuth(url.QueryEscape(r.ClientID), url.QueryEscape(r.ClientSecret))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Notion-Version", APIVersion)
	if _, _, err := catalog.Do(hc, req); err != nil {
		return fmt.Errorf("notion: revocation failed: %w", err)
	}
	return nil
}
