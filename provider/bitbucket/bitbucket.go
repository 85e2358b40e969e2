// Package bitbucket is the Bitbucket Cloud provider (strategy
// oauth_bitbucket): OAuth 2.0 with an OAuth consumer of a Bitbucket
// workspace, and the user of the access token from the Bitbucket REST API
// 2.0 (GET /2.0/user, then GET /2.0/user/emails for the address). It is
// not Atlassian's 3LO (provider/atlassian): other endpoints, other ids.
//
// Sources, checked against no live server:
//   - https://developer.atlassian.com/cloud/bitbucket/oauth-2/
//     (authorization at https://bitbucket.org/site/oauth2/authorize;
//     tokens at https://bitbucket.org/site/oauth2/access_token with the
//     consumer's key and secret as HTTP Basic; access tokens last two
//     hours and come with a refresh token, redeemed with
//     grant_type=refresh_token; the scopes: account, email; no PKCE
//     parameter and no revocation endpoint)
//   - https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/
//     (scopes are chosen on the consumer; a scope parameter may only name
//     scopes the consumer has)
//   - https://community.developer.atlassian.com/t/oauth2-token-lifetime-expiration-clarification/22136
//     (a Bitbucket Cloud engineer: the token response is
//     {"access_token", "scopes", "expires_in": 7200, "refresh_token",
//     "token_type": "bearer"}: "scopes", not RFC 6749's "scope")
//   - https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get
//     (GET https://api.bitbucket.org/2.0/user, scope account: uuid,
//     account_id, nickname, display_name, links.avatar.href)
//   - https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-emails-get
//     (GET https://api.bitbucket.org/2.0/user/emails, scope email: a page
//     of {email, is_primary, is_confirmed}, confirmed or not)
//
// The provider user id is "uuid", Bitbucket's id of the account, kept as
// Bitbucket writes it, braces included ("{d301aafa-...}"); it never
// changes, unlike the nickname. ("account_id", the Atlassian account id,
// stays in Claims.) The email address is the primary one of
// /2.0/user/emails (its first page), with "is_confirmed" as
// EmailVerified; a consumer without the email scope gets HTTP 403 there,
// and the identity then has no address. "display_name" is split at its
// first space into first and last names; Username is "nickname"; the
// avatar is "links.avatar.href".
//
// Tokens refresh; Bitbucket does not document refresh token rotation, and
// a refresh that returns the same refresh token reports none (keep the
// one stored). Token.Scopes are read from "scopes", where Bitbucket puts
// the granted scopes. Bitbucket has no token revocation endpoint: the
// provider is no provider.Revoker.
package bitbucket

import (
	"context"
	"errors"
	"net/http"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Bitbucket serves.
var Strategy = verification.MustParseStrategy("oauth_bitbucket")

// Default URLs: the website (authorization, tokens) and the REST API.
const (
	DefaultBaseURL = "https://bitbucket.org"
	DefaultAPIURL  = "https://api.bitbucket.org"
)

// DefaultScopes read the account and its email addresses; the consumer
// must have both permissions.
var DefaultScopes = []string{"account", "email"}

// Config configures the Bitbucket provider: the OAuth consumer's key
// (ClientID) and secret (ClientSecret), both required; BaseURL is the
// website and APIURL the REST API (see provider.AppConfig).
type Config = provider.AppConfig

// Provider is the Bitbucket provider: a provider.Refresher, and no
// provider.Revoker. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
}

// spec is Bitbucket's (see the package documentation's sources). The
// profile hook reads UserinfoURL and the emails next to it.
var spec = catalog.OAuth2{
	Spec: catalog.Spec{
		Strategy: Strategy, Title: "Bitbucket", DefaultScopes: DefaultScopes, DisablePKCE: true,
		BaseURL: DefaultBaseURL, APIURL: DefaultAPIURL, AuthStyle: catalog.ClientSecretBasic,
		Endpoint: catalog.Endpoint{
			AuthURL:     DefaultBaseURL + "/site/oauth2/authorize",
			TokenURL:    DefaultBaseURL + "/site/oauth2/access_token",
			UserinfoURL: DefaultAPIURL + "/2.0/user",
		},
	},
	OAuth2: catalog.OAuth2Hooks{Profile: userAndEmail},
}

// New returns the Bitbucket provider. It does no I/O and fails when
// ClientID or ClientSecret is missing or a setting is invalid.
func New(cfg Config) (*Provider, error) { return catalog.NewOAuth2[Provider](spec, catalog.App(cfg)) }

// userAndEmail reads /2.0/user, then the primary address of
// /2.0/user/emails.
func userAndEmail(ctx context.Context, api *catalog.API, _ *provider.Token) (*provider.Identity, error) {
	var user map[string]any
	if err := api.GetJSON(ctx, api.UserinfoURL(), &user); err != nil {
		return nil, err
	}
	uuid := catalog.ID(user, "uuid")
	if uuid == "" {
		// An error object ({"type": "error", ...}) or no account.
		return nil, catalog.ErrMalformedResponse
	}
	links := catalog.Object(user, "links")
	first, last := catalog.SplitName(catalog.String(user, "display_name"))
	id := &provider.Identity{
		ProviderUserID: uuid, FirstName: first, LastName: last,
		Username:  catalog.String(user, "nickname"),
		AvatarURL: catalog.String(catalog.Object(links, "avatar"), "href"),
		Claims:    user,
	}
	var page struct {
		Values []map[string]any `json:"values"`
	}
	err := api.GetJSON(ctx, api.UserinfoURL()+"/emails", &page)
	var oe *provider.OAuthError
	switch {
	case errors.As(err, &oe) && oe.Status == http.StatusForbidden:
		return id, nil // no email scope: no address
	case err != nil:
		return nil, err
	}
	for _, e := range page.Values {
		if primary := catalog.Bool(e, "is_primary"); primary != nil && *primary && catalog.String(e, "email") != "" {
			confirmed := catalog.Bool(e, "is_confirmed")
			id.EmailAddress, id.EmailVerified = catalog.String(e, "email"), new(confirmed != nil && *confirmed)
			break
		}
	}
	return id, nil
}
