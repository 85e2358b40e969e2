// Package google is the Google provider (strategy oauth_google): OpenID
// Connect with Google's documented endpoints, no discovery request at
// start-up.
//
// The provider user id is the ID token's "sub". Email, email_verified,
// names (given_name, family_name) and picture come from the ID token, whose
// claims Google fills from the "email" and "profile" scopes; the userinfo
// endpoint adds nothing and is not called. A Google Workspace account's
// "hd" (hosted domain) claim is kept in Identity.Claims; with
// Config.HostedDomain, only accounts of that domain are accepted (checked
// on the signed claim, not only asked for with the "hd" parameter, which a
// user can remove from the URL).
//
// Google issues a refresh token only when asked: when the authorization
// request is Offline (the account Service asks on connect, and on
// reauthorization when it holds none), the URL carries access_type=offline
// and prompt=consent (added to any prompt but "none"), without which Google
// sends no new refresh token for an account that already granted the app.
// Tokens refresh, and Revoke uses Google's revocation endpoint.
package google

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Google serves.
var Strategy = verification.MustParseStrategy("oauth_google")

// Issuer is Google's issuer identifier.
const Issuer = "https://accounts.google.com"

// endpoint is Google's, as its discovery document
// (https://accounts.google.com/.well-known/openid-configuration) names them.
var endpoint = catalog.Endpoint{
	AuthURL:       "https://accounts.google.com/o/oauth2/v2/auth",
	TokenURL:      "https://oauth2.googleapis.com/token",
	JWKSURL:       "https://www.googleapis.com/oauth2/v3/certs",
	RevocationURL: "https://oauth2.googleapis.com/revoke",
}

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "email", "profile"}

// Config configures the Google provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the OAuth client's (Google Cloud console, "Web
	// application").
	provider.Credentials
	// AdditionalAudiences are the host's other Google client ids (an
	// Android or iOS app's, a One Tap client's) whose ID tokens
	// SignInWithIDToken accepts (strategy oauth_token_google).
	AdditionalAudiences []string
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// HostedDomain, when set, restricts sign-in to Google Workspace
	// accounts of this domain: it is sent as "hd" and the ID token's "hd"
	// claim must equal it.
	HostedDomain string
	// BaseURL, when set, replaces the scheme and host of every Google
	// endpoint and the issuer, for tests against a fake Google.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Google; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// Provider is the Google provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
	provider.IDTokenVerifier
}

// New returns the Google provider. It does no I/O and fails when ClientID
// or ClientSecret is missing or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	ep, issuer := endpoint, Issuer
	if cfg.BaseURL != "" {
		base, err := catalog.BaseURL("google", "BaseURL", cfg.BaseURL, "")
		if err != nil {
			return nil, err
		}
		ep = ep.Map(func(u string) string {
			parsed, _ := url.Parse(u)
			return base + parsed.Path
		})
		issuer = base
	}
	var extra map[string]string
	var check func(map[string]any) error
	if hd := cfg.HostedDomain; hd != "" {
		extra = map[string]string{"hd": hd}
		check = func(c map[string]any) error {
			if got, _ := c["hd"].(string); !strings.EqualFold(got, hd) {
				return errors.New("the account is not in the required hosted domain (hd)")
			}
			return nil
		}
	}
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Google",
			Endpoint:      ep,
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		Issuer:          issuer,
		ExtraAuthParams: extra,
		OIDC:            catalog.OIDCHooks{AuthParams: authParams, CheckClaims: check},
	}, catalog.Host{
		Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew,
		AdditionalAudiences: cfg.AdditionalAudiences,
	})
}

// authParams asks for a refresh token when req.Offline.
func authParams(req provider.AuthRequest, v url.Values) {
	if !req.Offline {
		return
	}
	v.Set("access_type", "offline")
	prompts := strings.Fields(v.Get("prompt"))
	if !slices.Contains(prompts, "none") && !slices.Contains(prompts, "consent") {
		v.Set("prompt", strings.Join(append(prompts, "consent"), " "))
	}
}
