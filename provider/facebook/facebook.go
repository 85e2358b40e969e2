// Package facebook is the Facebook Login provider (strategy
// oauth_facebook): OAuth 2.0 with the Graph API's "me" node for the profile.
//
// The provider user id is the app-scoped user id ("id" of /me): Facebook
// gives each app its own id for a user, so the same person has different
// ids in different apps, and an id from another app never matches. The
// profile is read with fields=id,name,first_name,last_name,email,picture
// and the granted permissions, always with an appsecret_proof (the
// HMAC-SHA256 of the access token keyed with the app secret), which a host
// can then require in its app settings.
//
// Names are first_name and last_name (name split at its first space when
// they are missing). The email address is present only when the user has
// one and granted the "email" permission; Facebook does not say whether it
// verified it, so EmailVerified is nil. The avatar is the profile picture,
// unless it is Facebook's default silhouette. The approved scopes are the
// permissions Facebook reports as granted, since people can decline some
// (the token response names none).
//
// Facebook issues no refresh tokens (its user tokens are long-lived), so the
// provider is no provider.Refresher. Revoke removes the app's permissions
// (DELETE /me/permissions), which logs the user out of the app at Facebook.
package facebook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Facebook serves.
var Strategy = verification.MustParseStrategy("oauth_facebook")

// Defaults: Facebook's website (the login dialog), the Graph API and its
// version.
const (
	DefaultBaseURL      = "https://www.facebook.com"
	DefaultGraphURL     = "https://graph.facebook.com"
	DefaultGraphVersion = "v25.0"
)

// DefaultScopes are the permissions Facebook Login grants without review.
var DefaultScopes = []string{"email", "public_profile"}

// meFields are the fields of the me node the mapping reads.
const meFields = "id,name,first_name,last_name,email,picture,permissions"

// Config configures the Facebook provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the app's: ClientID is the App ID, ClientSecret
	// the App Secret.
	provider.Credentials
	// Scopes are the permissions requested on every authorization.
	// Default: DefaultScopes.
	Scopes []string
	// GraphVersion is the Graph API version, such as "v25.0". Default:
	// DefaultGraphVersion.
	GraphVersion string
	// BaseURL is the website (the login dialog) and GraphURL the Graph
	// API. Defaults: DefaultBaseURL and DefaultGraphURL; tests point them
	// at a fake.
	BaseURL  string
	GraphURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Facebook; its zero value is the default.
	HTTP provider.HTTPSettings
}

// endpoint is Facebook Login's for the Graph version {version}, from
// https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow.
// The profile is the me node (graph.profile) and revocation is DELETE
// /me/permissions (graph.revoke).
var endpoint = catalog.Endpoint{
	AuthURL:  DefaultBaseURL + "/{version}/dialog/oauth",
	TokenURL: DefaultGraphURL + "/{version}/oauth/access_token",
}

// Provider is the Facebook provider: no provider.Refresher, since
// Facebook issues no refresh tokens. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Revoker
}

// versionPattern is a Graph API version.
var versionPattern = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// New returns the Facebook provider. It does no I/O and fails when ClientID
// or ClientSecret is missing, or a URL or the version is invalid.
func New(cfg Config) (*Provider, error) {
	version := cfg.GraphVersion
	if version == "" {
		version = DefaultGraphVersion
	}
	if !versionPattern.MatchString(version) {
		return nil, fmt.Errorf("facebook: Config.GraphVersion %q is not a Graph API version such as %q", version, DefaultGraphVersion)
	}
	base, err := catalog.BaseURL("facebook", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	graphURL, err := catalog.BaseURL("facebook", "GraphURL", cfg.GraphURL, DefaultGraphURL)
	if err != nil {
		return nil, err
	}
	g := &graph{url: graphURL + "/" + version, appSecret: cfg.ClientSecret}
	ep := endpoint.Rebase(DefaultBaseURL, base).Rebase(DefaultGraphURL, graphURL).
		Map(func(u string) string { return strings.Replace(u, "{version}", version, 1) })
	return catalog.NewOAuth2[Provider](catalog.OAuth2{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Facebook",
			Endpoint:      ep,
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		ScopeSeparator: ",",
		OAuth2:         catalog.OAuth2Hooks{Profile: g.profile, Revoke: g.revoke},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP})
}

// graph is the Graph API of one version, and the app secret that signs
// its requests.
type graph struct {
	url       string
	appSecret string
}

// proof is the appsecret_proof of an access token.
func (f *graph) proof(accessToken string) string {
	m := hmac.New(sha256.New, []byte(f.appSecret))
	m.Write([]byte(accessToken))
	return hex.EncodeToString(m.Sum(nil))
}

func (f *graph) profile(ctx context.Context, api *catalog.API, tok *provider.Token) (*provider.Identity, error) {
	q := url.Values{"fields": {meFields}, "appsecret_proof": {f.proof(tok.AccessToken)}}
	var me map[string]any
	if err := api.GetJSON(ctx, f.url+"/me?"+q.Encode(), &me); err != nil {
		return nil, err
	}
	if me == nil {
		return nil, catalog.ErrMalformedResponse
	}
	if granted := grantedPermissions(me); granted != nil {
		tok.Scopes = granted
	}
	return mapMe(me), nil
}

// mapMe maps the me node (see the package documentation).
func mapMe(me map[string]any) *provider.Identity {
	id := &provider.Identity{
		ProviderUserID: catalog.ID(me, "id"),
		EmailAddress:   catalog.String(me, "email"),
		FirstName:      catalog.String(me, "first_name"),
		LastName:       catalog.String(me, "last_name"),
		Claims:         me,
	}
	if id.FirstName == "" && id.LastName == "" {
		id.FirstName, id.LastName = catalog.SplitName(catalog.String(me, "name"))
	}
	if pic := catalog.Object(catalog.Object(me, "picture"), "data"); pic != nil {
		if silhouette := catalog.Bool(pic, "is_silhouette"); silhouette == nil || !*silhouette {
			id.AvatarURL = catalog.String(pic, "url")
		}
	}
	return id
}

// grantedPermissions returns the permissions of the me node's
// "permissions" edge whose status is "granted", or nil when it has none.
func grantedPermissions(me map[string]any) []string {
	data, ok := catalog.Object(me, "permissions")["data"].([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, d := range data {
		p, _ := d.(map[string]any)
		if catalog.String(p, "status") == "granted" {
			if name := catalog.String(p, "permission"); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// revoke is DELETE /me/permissions with the access token.
func (f *graph) revoke(ctx context.Context, r catalog.RevokeRequest) error {
	q := url.Values{"appsecret_proof": {f.proof(r.Token)}}
	body, err := catalog.BearerRevocation{
		Name: "facebook", Method: http.MethodDelete, URL: f.url + "/me/permissions?" + q.Encode(),
		RefreshTokens: "Facebook issues no refresh tokens",
	}.Do(ctx, r.Client, r.Token, r.Hint)
	if err != nil {
		return err
	}
	var res struct {
		Success bool `json:"success"`
	}
	if err := json.Unmarshal(body, &res); err != nil || !res.Success {
		return fmt.Errorf("facebook: revocation failed: %w", catalog.ErrMalformedResponse)
	}
	return nil
}
