// Package discord is the Discord provider (strategy oauth_discord): OAuth
// 2.0 with GET /users/@me for the profile.
//
// The provider user id is the user's snowflake "id" (a string of up to 20
// digits; a JSON number is read with every digit). Username is the unique
// username, with "#discriminator" for accounts that still have a legacy
// discriminator. Discord has no first and last names: the display name
// ("global_name") is split at its first space, as for every provider that
// sends one name. The email address comes with the "email" scope, with
// Discord's "verified" flag. The avatar URL points at Discord's CDN: the
// user's avatar (animated ones as GIF), or the default avatar Discord shows
// when there is none.
//
// Tokens refresh, and Revoke uses Discord's RFC 7009 endpoint
// (/api/oauth2/token/revoke).
package discord

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Discord serves.
var Strategy = verification.MustParseStrategy("oauth_discord")

// Default URLs.
const (
	DefaultBaseURL = "https://discord.com"
	DefaultCDNURL  = "https://cdn.discordapp.com"
)

// DefaultScopes read the user and their email address.
var DefaultScopes = []string{"identify", "email"}

// Config configures the Discord provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the application's OAuth2 client id and secret
	// (Discord Developer Portal).
	provider.Credentials
	// Scopes are requested on every authorization. Default: DefaultScopes.
	Scopes []string
	// BaseURL is Discord's address (authorization at /oauth2/authorize,
	// API at /api). Default: DefaultBaseURL; tests point it at a fake.
	BaseURL string
	// CDNURL is the base of avatar URLs. Default: DefaultCDNURL.
	CDNURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Discord; its zero value is the default.
	HTTP provider.HTTPSettings
}

// endpoint is Discord's, from
// https://discord.com/developers/docs/topics/oauth2#shared-resources-oauth2-urls
// and https://discord.com/developers/docs/resources/user#get-current-user.
var endpoint = catalog.Endpoint{
	AuthURL:       DefaultBaseURL + "/oauth2/authorize",
	TokenURL:      DefaultBaseURL + "/api/oauth2/token",
	UserinfoURL:   DefaultBaseURL + "/api/users/@me",
	RevocationURL: DefaultBaseURL + "/api/oauth2/token/revoke",
}

// Provider is the Discord provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the Discord provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or a URL is invalid.
func New(cfg Config) (*Provider, error) {
	base, err := catalog.BaseURL("discord", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	cdn, err := catalog.BaseURL("discord", "CDNURL", cfg.CDNURL, DefaultCDNURL)
	if err != nil {
		return nil, err
	}
	return catalog.NewOAuth2[Provider](catalog.OAuth2{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Discord",
			Endpoint:      endpoint.Rebase(DefaultBaseURL, base),
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretBasic,
		},
		MapProfile: avatars(cdn).mapUser,
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP})
}

// avatars is the CDN base of avatar URLs.
type avatars string

// mapUser maps a GET /users/@me response (see the package documentation).
func (d avatars) mapUser(u map[string]any) (*provider.Identity, error) {
	id := &provider.Identity{
		ProviderUserID: catalog.ID(u, "id"),
		EmailAddress:   catalog.String(u, "email"),
		Username:       catalog.String(u, "username"),
		Claims:         u,
	}
	if id.EmailAddress != "" {
		id.EmailVerified = catalog.Bool(u, "verified")
	}
	disc := catalog.String(u, "discriminator")
	if id.Username != "" && disc != "" && disc != "0" {
		id.Username += "#" + disc
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(u, "global_name"))
	id.AvatarURL = d.avatarURL(id.ProviderUserID, catalog.String(u, "avatar"), disc)
	return id, nil
}

// avatarURL is the CDN URL of the user's avatar, or of the default avatar:
// for migrated users (discriminator "0") the index is (id >> 22) % 6, for
// legacy ones discriminator % 5.
func (d avatars) avatarURL(userID, hash, disc string) string {
	if userID == "" {
		return ""
	}
	if hash != "" {
		ext := "png"
		if strings.HasPrefix(hash, "a_") {
			ext = "gif"
		}
		return fmt.Sprintf("%s/avatars/%s/%s.%s", string(d), userID, hash, ext)
	}
	var index uint64
	if n, err := strconv.ParseUint(disc, 10, 64); err == nil && n != 0 {
		index = n % 5
	} else if id, err := strconv.ParseUint(userID, 10, 64); err == nil {
		index = (id >> 22) % 6
	}
	return fmt.Sprintf("%s/embed/avatars/%d.png", string(d), index)
}
