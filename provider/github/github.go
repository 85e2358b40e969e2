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

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/claims"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/provider/oauth2"
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
	// every request to Github; its zero value is the default.
	HTTP provider.HTTPSettings
}

// Provider is the GitHub provider. It is safe for concurrent use.
type Provider struct {
	p            *oauth2.Provider
	apiURL       string
	clientID     string
	clientSecret string
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
	_ provider.Revoker   = (*Provider)(nil)
)

// New returns the GitHub provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a URL is invalid.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("github: Config.ClientID is required")
	case cfg.ClientSecret == "":
		return nil, errors.New("github: Config.ClientSecret is required")
	}
	base, err := oauthclient.BaseURL("github", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	api, err := oauthclient.BaseURL("github", "APIURL", cfg.APIURL, DefaultAPIURL)
	if err != nil {
		return nil, err
	}
	g := &Provider{apiURL: api, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	p, err := catalog.NewOAuth2(oauth2.Config{
		Strategy:     Strategy,
		Title:        "GitHub",
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:  base + "/login/oauth/authorize",
			TokenURL: base + "/login/oauth/access_token",
		},
		Scopes:    scopes,
		AuthStyle: xoauth2.AuthStyleInParams,
		HTTP:      cfg.HTTP,
	}, hooks.OAuth2{
		Profile: g.profile,
		APIHeader: http.Header{
			"Accept":               {"application/vnd.github+json"},
			"X-Github-Api-Version": {apiVersion},
		},
		AuthParams: authParams,
		Revoke:     g.revoke,
	})
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	g.p = p
	return g, nil
}

// String describes g without its client secret.
func (g *Provider) String() string { return "github.Provider{client_id: " + g.clientID + "}" }

// Strategy returns oauth_github.
func (g *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata describes GitHub: OAuth 2.0 (no nonce), the default scopes.
func (g *Provider) Metadata() provider.Metadata { return g.p.Metadata() }

// AuthCodeURL returns GitHub's authorization URL for req, with PKCE; a
// login hint is sent as "login".
func (g *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	return g.p.AuthCodeURL(ctx, req)
}

// Exchange redeems the code and reads the profile (see the package
// documentation for the email address).
func (g *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	return g.p.Exchange(ctx, req)
}

// Refresh redeems a refresh token, which only GitHub Apps with expiring
// user tokens issue.
func (g *Provider) Refresh(ctx context.Context, req provider.RefreshRequest) (*provider.Token, error) {
	return g.p.Refresh(ctx, req)
}

// Revoke deletes the application's grant for the user of the access token
// (see the package documentation).
func (g *Provider) Revoke(ctx context.Context, token, hint string) error {
	return g.p.Revoke(ctx, token, hint)
}

func authParams(req provider.AuthRequest, v url.Values) {
	if req.LoginHint != "" {
		v.Del("login_hint")
		v.Set("login", req.LoginHint)
	}
}

// profile reads GET /user and, when the scopes allow, GET /user/emails.
func (g *Provider) profile(ctx context.Context, api *hooks.API, tok *provider.Token) (*provider.Identity, error) {
	var user map[string]any
	if err := api.GetJSON(ctx, g.apiURL+"/user", &user); err != nil {
		return nil, err
	}
	if user == nil {
		return nil, oauthclient.ErrMalformedResponse
	}
	id := mapUser(user)
	if !emailsAllowed(tok.Scopes) {
		return id, nil
	}
	var emails []map[string]any
	err := api.GetJSON(ctx, g.apiURL+"/user/emails", &emails)
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
		ProviderUserID: claims.ID(user, "id"),
		EmailAddress:   claims.String(user, "email"),
		AvatarURL:      claims.String(user, "avatar_url"),
		Username:       claims.String(user, "login"),
		Claims:         user,
	}
	id.FirstName, id.LastName = claims.SplitName(claims.String(user, "name"))
	return id
}

// applyEmails sets the identity's email address from a GET /user/emails
// response: the primary address with its verified flag. Without a primary
// address the identity is left as it was.
func applyEmails(id *provider.Identity, emails []map[string]any) {
	for _, e := range emails {
		if primary := claims.Bool(e, "primary"); primary == nil || !*primary {
			continue
		}
		addr := claims.String(e, "email")
		if addr == "" {
			continue
		}
		verified := claims.Bool(e, "verified")
		id.EmailAddress = addr
		id.EmailVerified = new(verified != nil && *verified)
		return
	}
}

// revoke deletes the grant: DELETE /applications/{client_id}/grant with
// {"access_token": token}, authenticated with the client credentials.
func (g *Provider) revoke(ctx context.Context, client *http.Client, token, hint string) error {
	if hint == "refresh_token" {
		return fmt.Errorf("github: GitHub revokes grants by access token only (%w)", provider.ErrRevocationUnsupported)
	}
	body, err := json.Marshal(map[string]string{"access_token": token})
	if err != nil {
		return err
	}
	u := g.apiURL + "/applications/" + url.PathEscape(g.clientID) + "/grant"
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("github: revocation request: %w", oauthclient.Sanitize(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", apiVersion)
	req.SetBasicAuth(g.clientID, g.clientSecret)
	if _, _, err := oauthclient.Do(client, req); err != nil {
		return fmt.Errorf("github: revocation failed: %w", err)
	}
	return nil
}
