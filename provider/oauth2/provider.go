package oauth2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	xoauth2 "golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Provider is an OAuth 2.0 provider. It is safe for concurrent use.
type Provider struct {
	strategy     verification.Strategy
	title        string
	clientID     string
	clientSecret string
	endpoint     Endpoint
	scopes       []string
	separator    string
	authStyle    xoauth2.AuthStyle
	disablePKCE  bool
	issuer       string
	issParameter bool
	mapProfile   func(map[string]any) (*provider.Identity, error)
	profile      hooks.ProfileFunc
	apiHeader    http.Header
	authParams   hooks.AuthParamsFunc
	revoke       hooks.RevokeFunc
	http         oauthclient.HTTP
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
	_ provider.Revoker   = (*Provider)(nil)
)

func init() { hooks.NewOAuth2 = newProvider }

// New returns the provider cfg describes. It does no I/O; it fails when a
// required Config field is missing or invalid.
func New(cfg Config) (*Provider, error) { return newProvider(cfg, hooks.OAuth2{}) }

// newProvider is New with a catalogue provider's hooks.
func newProvider(cfg Config, h hooks.OAuth2) (*Provider, error) {
	if err := cfg.check(&h); err != nil {
		return nil, err
	}
	web, err := oauthclient.NewHTTP("oauth2", cfg.HTTP)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		strategy:     cfg.Strategy,
		title:        cfg.Title,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		endpoint:     cfg.Endpoint,
		scopes:       slices.Clone(cfg.Scopes),
		separator:    cfg.ScopeSeparator,
		authStyle:    cfg.AuthStyle,
		disablePKCE:  cfg.DisablePKCE,
		issuer:       cfg.Issuer,
		issParameter: cfg.IssuerParameterSupported,
		mapProfile:   cfg.MapProfile,
		profile:      h.Profile,
		apiHeader:    h.APIHeader.Clone(),
		authParams:   h.AuthParams,
		revoke:       h.Revoke,
		http:         web,
	}
	if p.separator == "" {
		p.separator = " "
	}
	if p.authStyle == xoauth2.AuthStyleAutoDetect {
		p.authStyle = xoauth2.AuthStyleInHeader
	}
	if p.title == "" {
		u, _ := url.Parse(cfg.Endpoint.AuthURL) // checked by cfg.check
		p.title = u.Hostname()
	}
	return p, nil
}

// String describes p without its client secret.
func (p *Provider) String() string {
	return fmt.Sprintf("oauth2.Provider{strategy: %s, auth_url: %q, client_id: %q}", p.strategy, p.endpoint.AuthURL, p.clientID)
}

// GoString is String, so that %#v does not print the client secret either.
func (p *Provider) GoString() string { return p.String() }

// Strategy returns Config.Strategy.
func (p *Provider) Strategy() verification.Strategy { return p.strategy }

// Metadata returns Config.Issuer and IssuerParameterSupported, the default
// scopes and the title. OpenID is false: no nonce is sent or needed.
func (p *Provider) Metadata() provider.Metadata {
	return provider.Metadata{
		Issuer:                   p.issuer,
		IssuerParameterSupported: p.issParameter,
		DefaultScopes:            slices.Clone(p.scopes),
		Title:                    p.title,
	}
}

// AuthCodeURL returns the authorization URL of req: response_type=code, the
// client id, redirect URI, scopes (Config.Scopes when req has none; no scope
// parameter when both are empty), state, S256 code challenge (unless
// Config.DisablePKCE), and prompt and login_hint when set (then adjusted by
// a catalogue provider's own parameters). State, RedirectURI and (with PKCE) CodeChallenge are
// required; Nonce is ignored.
func (p *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch {
	case req.State == "":
		return "", errors.New("oauth2: AuthCodeURL needs a state")
	case req.CodeChallenge == "" && !p.disablePKCE:
		return "", errors.New("oauth2: AuthCodeURL needs a PKCE code challenge")
	case req.RedirectURI == "":
		return "", errors.New("oauth2: AuthCodeURL needs a redirect URI")
	}
	scopes := p.scopes
	if len(req.Scopes) > 0 {
		scopes = req.Scopes
	}
	v := make(url.Values, 10)
	v.Set("response_type", "code")
	v.Set("client_id", p.clientID)
	v.Set("redirect_uri", req.RedirectURI)
	if len(scopes) > 0 {
		v.Set("scope", strings.Join(scopes, p.separator))
	}
	v.Set("state", req.State)
	if !p.disablePKCE {
		v.Set("code_challenge", req.CodeChallenge)
		v.Set("code_challenge_method", "S256")
	}
	if req.Prompt != "" {
		v.Set("prompt", req.Prompt)
	}
	if req.LoginHint != "" {
		v.Set("login_hint", req.LoginHint)
	}
	if err := oauthclient.ApplyAuthParams(p.authParams, req, v, reservedAuthParams); err != nil {
		return "", err
	}
	sep := "?"
	if strings.Contains(p.endpoint.AuthURL, "?") {
		sep = "&"
	}
	return p.endpoint.AuthURL + sep + v.Encode(), nil
}

// oauth2Config is the x/oauth2 configuration of one token request.
func (p *Provider) oauth2Config(redirectURI string) *xoauth2.Config {
	return &xoauth2.Config{
		ClientID:     p.clientID,
		ClientSecret: p.clientSecret,
		Endpoint: xoauth2.Endpoint{
			AuthURL:   p.endpoint.AuthURL,
			TokenURL:  p.endpoint.TokenURL,
			AuthStyle: p.authStyle,
		},
		RedirectURL: redirectURI,
	}
}

// failure derives the error of a failed call from sentinel.
func (p *Provider) failure(sentinel *verification.Error, what string, err error) *verification.Error {
	return oauthclient.Failure(sentinel, what, err, p.http.Timeout)
}
