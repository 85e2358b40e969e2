// Package github is the GitHub provider (strategy oauth_github): OAuth 2.0
// with GitHub OAuth apps and GitHub Apps, on github.com or GitHub
// Enterprise Server.
//
// The provider user id is GitHub's numeric user id ("id" of GET /user, a
// JSON number, as a decimal string), never the login, which users can
// change and others can then take. The login is the Username.
//
// # Email addresses
//
// When the granted scopes allow it ("user:email" or "user", or when GitHub
// reported no scopes, as it does for GitHub Apps), the email address is the
// primary one of GET /user/emails, with its "verified" flag: an unverified
// primary address is reported with EmailVerified false, never true, and
// never replaced by another address the user did not make primary. Without
// the scope, the address is the profile's public email, if any, with
// EmailVerified nil (GitHub does not say). A GitHub App without the "Email
// addresses" permission answers /user/emails with 403 or 404; that is not
// an error, the public email is used.
//
// # Quirks absorbed
//
// GitHub's token endpoint answers HTTP 200 with an "error" member for a bad
// or expired code (bad_verification_code): that is
// verification.ErrTokenExchange like any refusal. Token requests send
// "Accept: application/json" (GitHub answers form-encoded otherwise), and
// the granted scopes come comma-separated ("read:user,user:email"). PKCE is
// sent (GitHub supports S256). A login hint is sent as GitHub's "login"
// parameter.
//
// # Revocation
//
// Revoke deletes the grant (DELETE /applications/{client_id}/grant, with the
// client credentials as HTTP Basic), which revokes every token of the user
// for this application. GitHub revokes by access token only: a refresh token
// (GitHub Apps with expiring tokens) returns an error wrapping
// provider.ErrRevocationUnsupported, and revoking its access token revokes
// it too.
package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy GitHub serves.
var Strategy = verification.MustParseStrategy("oauth_github")

// Default URLs: github.com and its REST API.
const (
	DefaultBaseURL = "https://github.com"
	DefaultAPIURL  = "https://api.github.com"
)

// DefaultScopes read the profile and the email addresses.
var DefaultScopes = []string{"read:user", "user:email"}

// apiVersion is the REST API version the mapping is written for.
const apiVersion = "2022-11-28"

// Config configures the GitHub provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the OAuth app's (or GitHub App's).
	provider.Credentials
	// Scopes are requested on every authorization. Default: DefaultScopes.
	Scopes []string
	// BaseURL is GitHub's web address (authorization and token
	// endpoints): DefaultBaseURL, or a GitHub Enterprise Server's
	// "https://github.example.com". Tests point it at a fake.
	BaseURL string
	// APIURL is the REST API's base URL: DefaultAPIURL, or a GitHub
	// Enterprise Server's "https://github.example.com/api/v3".
	APIURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to GitHub; its zero value is the default.
	HTTP provider.HTTPSettings
}

// endpoint is GitHub's, from
// https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps.
// The profile takes two requests (api.profile) and revocation is GitHub's
// own (api.revoke).
var endpoint = catalog.Endpoint{
	AuthURL:  DefaultBaseURL + "/login/oauth/authorize",
	TokenURL: DefaultBaseURL + "/login/oauth/access_token",
}

// apiHeader is sent with every REST API request.
var apiHeader = http.Header{
	"Accept":               {"application/vnd.github+json"},
	"X-Github-Api-Version": {apiVersion},
}

// Provider is the GitHub provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the GitHub provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a URL is invalid.
func New(cfg Config) (*Provider, error) {
	base, err := catalog.BaseURL("github", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	apiURL, err := catalog.BaseURL("github", "APIURL", cfg.APIURL, DefaultAPIURL)
	if err != nil {
		return nil, err
	}
	a := &api{url: apiURL, creds: cfg.Credentials}
	return catalog.NewOAuth2[Provider](catalog.OAuth2{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "GitHub",
			Endpoint:      endpoint.Rebase(DefaultBaseURL, base),
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		OAuth2: catalog.OAuth2Hooks{Profile: a.profile, APIHeader: apiHeader, AuthParams: authParams, Revoke: a.revoke},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP})
}

// api is the REST API and the credentials that revoke grants.
type api struct {
	url   string
	creds provider.Credentials
}

// authParams sends a login hint as GitHub's "login".
func authParams(req provider.AuthRequest, v url.Values) {
	if req.LoginHint != "" {
		v.Del("login_hint")
		v.Set("login", req.LoginHint)
	}
}

// profile reads GET /user and, when the scopes allow, GET /user/emails.
func (g *api) profile(ctx context.Context, api *catalog.API, tok *provider.Token) (*provider.Identity, error) {
	var user map[string]any
	if err := api.GetJSON(ctx, g.url+"/user", &user); err != nil {
		return nil, err
	}
	if user == nil {
		return nil, catalog.ErrMalformedResponse
	}
	id := mapUser(user)
	if !emailsAllowed(tok.Scopes) {
		return id, nil
	}
	var emails []map[string]any
	err := api.GetJSON(ctx, g.url+"/user/emails", &emails)
	var oe *provider.OAuthError
	switch {
	case err == nil:
		applyEmails(id, emails)
		id.Claims["emails"] = emails
	case tok.Scopes == nil && errors.As(err, &oe) && (oe.Status == http.StatusForbidden || oe.Status == http.StatusNotFound):
		// A GitHub App without the email permission: the public email
		// stays.
	default:
		return nil, err
	}
	return id, nil
}

// emailsAllowed reports whether the granted scopes let /user/emails answer;
// nil (GitHub Apps, whose permissions are not scopes) means "try".
func emailsAllowed(scopes []string) bool {
	return scopes == nil || slices.Contains(scopes, "user:email") || slices.Contains(scopes, "user")
}

// mapUser maps a GET /user response: the numeric id as a decimal string
// (every digit kept), the login as Username, the name split into first and
// last names at its first space, avatar_url, and the public email with
// EmailVerified nil. Claims is the response.
func mapUser(user map[string]any) *provider.Identity {
	id := &provider.Identity{
		ProviderUserID: catalog.ID(user, "id"),
		EmailAddress:   catalog.String(user, "email"),
		AvatarURL:      catalog.String(user, "avatar_url"),
		Username:       catalog.String(user, "login"),
		Claims:         user,
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(user, "name"))
	return id
}

// applyEmails sets the identity's email address from a GET /user/emails
// response: the primary address with its verified flag. Without a primary
// address the identity is left as it was.
func applyEmails(id *provider.Identity, emails []map[string]any) {
	for _, e := range emails {
		if primary := catalog.Bool(e, "primary"); primary == nil || !*primary {
			continue
		}
		addr := catalog.String(e, "email")
		if addr == "" {
			continue
		}
		verified := catalog.Bool(e, "verified")
		id.EmailAddress = addr
		id.EmailVerified = new(verified != nil && *verified)
		return
	}
}

// revoke deletes the grant: DELETE /applications/{client_id}/grant with
// {"access_token": token}, authenticated with the client credentials.
func (g *api) revoke(ctx context.Context, r catalog.RevokeRequest) error {
	client, token, hint := r.Client, r.Token, r.Hint
	if hint == "refresh_token" {
		return fmt.Errorf("github: GitHub revokes grants by access token only (%w)", provider.ErrRevocationUnsupported)
	}
	body, err := json.Marshal(map[string]string{"access_token": token})
	if err != nil {
		return err
	}
	u := g.url + "/applications/" + url.PathEscape(g.creds.ClientID) + "/grant"
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("github: revocation request: %w", catalog.Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", apiVersion)
	req.SetBasicAuth(g.creds.ClientID, g.creds.ClientSecret)
	if _, _, err := catalog.Do(client, req); err != nil {
		return fmt.Errorf("github: revocation failed: %w", err)
	}
	return nil
}
