// Package slack is the "Sign in with Slack" provider (strategy
// oauth_slack): OpenID Connect with Slack's documented endpoints.
//
// The provider user id is the ID token's "sub", the Slack user id (issuer
// https://slack.com makes it unique, as OpenID Connect requires; the
// workspace is the "https://slack.com/team_id" claim, kept in
// Identity.Claims). Email, email_verified, name and picture come from the
// ID token; Slack sends empty given and family names, so the name is split
// at its first space. Slack has no username in OpenID Connect. With
// Config.TeamID, the authorization asks for that workspace and the token
// must be for it.
//
// Slack answers API errors with HTTP 200 and {"ok": false, "error": ...};
// the token endpoint's are refusals like any other (x/oauth2 reads the
// "error" member). Revoke calls auth.revoke with an access token; a token
// Slack reports as already revoked or invalid counts as revoked, and a
// refresh token cannot be revoked (provider.ErrRevocationUnsupported). Refresh works
// when the Slack app has token rotation on.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Slack serves.
var Strategy = verification.MustParseStrategy("oauth_slack")

// Issuer is Slack's issuer identifier, and the base of its endpoints.
const Issuer = "https://slack.com"

// TeamIDClaim is the ID token claim naming the user's workspace.
const TeamIDClaim = "https://slack.com/team_id"

// DefaultScopes are the OpenID Connect scopes for the profile and email.
var DefaultScopes = []string{"openid", "profile", "email"}

// teamIDPattern is a Slack workspace id.
var teamIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

// Config configures the Slack provider. ClientID and ClientSecret are
// required; every other zero field has a default.
type Config struct {
	// Credentials are the Slack app's client id and secret.
	provider.Credentials
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// TeamID, when set, restricts sign-in to one workspace (such as
	// "T0R7GR"): it is sent as "team" and the ID token's
	// https://slack.com/team_id must equal it.
	TeamID string
	// BaseURL, when set, replaces Issuer for every endpoint and as issuer,
	// for tests against a fake Slack.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Slack; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// endpoint is Slack's, from https://api.slack.com/authentication/sign-in-with-slack
// (revocation is auth.revoke, https://api.slack.com/methods/auth.revoke).
var endpoint = catalog.Endpoint{
	AuthURL:  Issuer + "/openid/connect/authorize",
	TokenURL: Issuer + "/api/openid.connect.token",
	JWKSURL:  Issuer + "/openid/connect/keys",
}

// Provider is the Slack provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
}

// New returns the Slack provider. It does no I/O and fails when ClientID or
// ClientSecret is missing, or TeamID or BaseURL is invalid.
func New(cfg Config) (*Provider, error) {
	if cfg.TeamID != "" && !teamIDPattern.MatchString(cfg.TeamID) {
		return nil, fmt.Errorf("slack: Config.TeamID %q is not a workspace id such as T0R7GR", cfg.TeamID)
	}
	base, err := catalog.BaseURL("slack", "BaseURL", cfg.BaseURL, Issuer)
	if err != nil {
		return nil, err
	}
	var extra map[string]string
	var check func(map[string]any) error
	if team := cfg.TeamID; team != "" {
		extra = map[string]string{"team": team}
		check = func(c map[string]any) error {
			if got, _ := c[TeamIDClaim].(string); got != team {
				return errors.New("the account is not in the required workspace (" + TeamIDClaim + ")")
			}
			return nil
		}
	}
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Slack",
			Endpoint:      endpoint.Rebase(Issuer, base),
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		Issuer:          base,
		ExtraAuthParams: extra,
		OIDC:            catalog.OIDCHooks{CheckClaims: check, Revoke: revoker(base + "/api/auth.revoke").revoke},
	}, catalog.Host{Credentials: cfg.Credentials, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew})
}

// revoker is the URL of auth.revoke.
type revoker string

// revoke calls auth.revoke with the token, which is its own credential. A
// token Slack reports as already revoked or invalid counts as revoked. A
// refresh token is no API credential: Slack would answer invalid_auth,
// which would pass for "already revoked", so a refresh_token hint returns
// an error wrapping provider.ErrRevocationUnsupported and sends nothing;
// revoking the access token ends the grant.
func (u revoker) revoke(ctx context.Context, r catalog.RevokeRequest) error {
	client, token, hint := r.Client, r.Token, r.Hint
	body, err := catalog.BearerRevocation{
		Name: "slack", URL: string(u), RefreshTokens: "auth.revoke takes access tokens only",
	}.Do(ctx, client, token, hint)
	if err != nil {
		return err
	}
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fmt.Errorf("slack: revocation failed: %w", catalog.ErrMalformedResponse)
	}
	switch {
	case res.OK, res.Error == "token_revoked", res.Error == "invalid_auth":
		return nil
	}
	return fmt.Errorf("slack: revocation failed: %w", catalog.NewOAuthError(http.StatusOK, res.Error))
}
