package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/hooks"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Provider is an OpenID Connect provider, configured from its discovery
// document or from Config.Endpoints. It is safe for concurrent use.
type Provider struct {
	strategy     verification.Strategy
	title        string
	issuer       string
	clientID     string
	clientSecret string
	scopes       []string
	authStyle    oauth2.AuthStyle
	timeout      time.Duration
	now          func() time.Time
	skew         time.Duration
	extra        map[string]string
	skipUserinfo bool
	algorithms   []jose.SignatureAlgorithm

	secretFunc        func(context.Context) (string, error)
	issuerTemplate    bool
	disablePKCE       bool
	allowMissingNonce bool
	authParams        hooks.AuthParamsFunc
	checkClaims       func(map[string]any) error
	mapIdentity       func(*provider.Identity, map[string]any, map[string][]string) error
	revoke            hooks.RevokeFunc

	client        *httpClient
	endpoint      oauth2.Endpoint
	userinfoURL   string
	revocationURL string
	issParameter  bool
	offlineAccess bool // discovery lists offline_access in scopes_supported
	keySet        keySet
	// audiences are the client id and Config.AdditionalAudiences: the
	// audiences of ID tokens a native client obtained.
	audiences []string
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Refresher = (*Provider)(nil)
	_ provider.Revoker   = (*Provider)(nil)

	_ provider.IDTokenVerifier = (*Provider)(nil)
)

// discovery is the part of the discovery document go-oidc does not expose.
type discovery struct {
	JWKSURI                  string   `json:"jwks_uri"`
	RevocationEndpoint       string   `json:"revocation_endpoint"`
	TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	IssuerParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	ScopesSupported          []string `json:"scopes_supported"`
}

// New reads the discovery document of cfg.Issuer and returns the provider.
// It fails when a required Config field is missing or invalid, when
// discovery fails (unreachable, not JSON, another issuer), or when the
// document lacks an authorization, token or JWKS endpoint. With
// cfg.Endpoints, New reads nothing and fails only on an invalid Config.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	return newProvider(ctx, cfg, hooks.OIDC{})
}

func init() { hooks.NewOIDC = newProvider }

// newProvider is New with a catalogue provider's hooks.
func newProvider(ctx context.Context, cfg Config, h hooks.OIDC) (*Provider, error) {
	if err := cfg.check(&h); err != nil {
		return nil, err
	}
	algs, err := signingAlgorithms(cfg.SigningAlgorithms)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		strategy:     cfg.Strategy,
		title:        cfg.Title,
		issuer:       cfg.Issuer,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		scopes:       withOpenID(cfg.Scopes),
		skew:         cfg.ClockSkew,
		extra:        make(map[string]string, len(cfg.ExtraAuthParams)),
		skipUserinfo: cfg.SkipUserinfo,

		secretFunc:        h.ClientSecretFunc,
		issuerTemplate:    strings.Contains(cfg.Issuer, tenantPlaceholder),
		disablePKCE:       cfg.DisablePKCE,
		allowMissingNonce: h.AllowMissingNonce,
		authParams:        h.AuthParams,
		checkClaims:       h.CheckClaims,
		mapIdentity:       h.MapIdentity,
		revoke:            h.Revoke,
	}
	if len(cfg.Scopes) == 0 {
		p.scopes = slices.Clone(DefaultScopes)
	}
	if p.skew == 0 {
		p.skew = DefaultClockSkew
	}
	for k, v := range cfg.ExtraAuthParams {
		p.extra[k] = v
	}
	for _, a := range algs {
		p.algorithms = append(p.algorithms, jose.SignatureAlgorithm(a))
	}
	web, err := oauthclient.NewHTTP("oidc", cfg.HTTP)
	if err != nil {
		return nil, err
	}
	p.client, p.timeout, p.now = &httpClient{web.Client}, web.Timeout, web.Now

	var jwksURL string
	if e := cfg.Endpoints; e != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.endpoint = oauth2.Endpoint{AuthURL: e.AuthURL, TokenURL: e.TokenURL}
		p.endpoint.AuthStyle = cfg.AuthStyle
		if p.endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
			p.endpoint.AuthStyle = chooseAuthStyle(nil)
		}
		jwksURL = e.JWKSURL
		p.userinfoURL = e.UserinfoURL
		p.revocationURL = e.RevocationURL
		p.issParameter = e.IssuerParameterSupported
	} else {
		d, err := p.discover(ctx, cfg)
		if err != nil {
			return nil, err
		}
		jwksURL = d.JWKSURI
	}
	p.authStyle = p.endpoint.AuthStyle
	if p.title == "" {
		if u, err := url.Parse(cfg.Issuer); err == nil && u.Hostname() != "" {
			p.title = u.Hostname()
		} else {
			p.title = cfg.Issuer
		}
	}

	if h.ClientSecretHS256 {
		p.algorithms = []jose.SignatureAlgorithm{jose.HS256}
		p.keySet = clientSecretKey{p}
	} else {
		// go-oidc keeps this context for the key set's background
		// fetches: it only carries the client.
		p.keySet = oidc.NewRemoteKeySet(p.client.context(context.Background()), jwksURL)
	}
	p.audiences = append([]string{p.clientID}, cfg.AdditionalAudiences...)
	return p, nil
}

// discover reads the discovery document of cfg.Issuer and sets the
// endpoints from it.
func (p *Provider) discover(ctx context.Context, cfg Config) (*discovery, error) {
	op, err := oidc.NewProvider(p.client.context(ctx), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s failed: %w", cfg.Issuer, discoveryError(err))
	}
	var d discovery
	if err := op.Claims(&d); err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s failed: %w", cfg.Issuer, errMalformedResponse)
	}
	p.endpoint = op.Endpoint()
	p.endpoint.AuthStyle = cfg.AuthStyle
	if p.endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
		p.endpoint.AuthStyle = chooseAuthStyle(d.TokenEndpointAuthMethods)
	}
	switch {
	case p.endpoint.AuthURL == "":
		return nil, fmt.Errorf("oidc: discovery of %s names no authorization_endpoint", cfg.Issuer)
	case p.endpoint.TokenURL == "":
		return nil, fmt.Errorf("oidc: discovery of %s names no token_endpoint", cfg.Issuer)
	case d.JWKSURI == "":
		return nil, fmt.Errorf("oidc: discovery of %s names no jwks_uri", cfg.Issuer)
	}
	p.userinfoURL = op.UserInfoEndpoint()
	p.revocationURL = d.RevocationEndpoint
	p.issParameter = d.IssuerParameterSupported
	p.offlineAccess = slices.Contains(d.ScopesSupported, "offline_access")
	return &d, nil
}

// httpClient is the provider's HTTP client.
type httpClient struct{ *http.Client }

// context returns ctx carrying the client, which is how go-oidc and
// x/oauth2 take their HTTP client. It is the only place the client travels
// by context; nothing else is stored there.
func (c *httpClient) context(ctx context.Context) context.Context {
	return oauthclient.ClientContext(ctx, c.Client)
}

// statusPrefix matches the HTTP status go-oidc puts before the body in a
// discovery error, so that the status is kept and the body dropped.
var statusPrefix = regexp.MustCompile(`^([1-5][0-9]{2}) `)

// discoveryError sanitizes an error of oidc.NewProvider.
func discoveryError(err error) error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		return mismatch
	}
	if cause := sanitize(err); cause != errMalformedResponse {
		return cause
	}
	if m := statusPrefix.FindStringSubmatch(err.Error()); m != nil {
		status := 0
		fmt.Sscan(m[1], &status)
		return newStatusError(status, "")
	}
	return errMalformedResponse
}

// String describes p without its client secret.
func (p *Provider) String() string {
	return fmt.Sprintf("oidc.Provider{strategy: %s, issuer: %q, client_id: %q}", p.strategy, p.issuer, p.clientID)
}

// GoString is String, so that %#v does not print the client secret either.
func (p *Provider) GoString() string { return p.String() }

// Strategy returns Config.Strategy.
func (p *Provider) Strategy() verification.Strategy { return p.strategy }

// Metadata returns the issuer, whether the provider sends the RFC 9207 "iss"
// callback parameter (from discovery or Config.Endpoints), and the default
// scopes and title. The issuer is empty for a template issuer, which no
// single "iss" parameter can equal.
func (p *Provider) Metadata() provider.Metadata {
	issuer := p.issuer
	if p.issuerTemplate {
		issuer = ""
	}
	return provider.Metadata{
		Issuer:                   issuer,
		IssuerParameterSupported: p.issParameter,
		OpenID:                   true,
		DefaultScopes:            slices.Clone(p.scopes),
		Title:                    p.title,
	}
}

// AuthCodeURL returns the authorization URL of req: response_type=code, the
// client id, redirect URI, scopes (DefaultScopes when req has none, "openid"
// always), state, S256 code challenge (unless Config.DisablePKCE), nonce,
// and prompt and login_hint when set, plus Config.ExtraAuthParams (then
// adjusted by a catalogue provider's own parameters). State, CodeChallenge (unless
// Config.DisablePKCE), Nonce and RedirectURI are required.
//
// With req.Offline (the flow wants a refresh token), the offline_access
// scope is requested when discovery lists it in scopes_supported, as
// OpenID Connect Core section 11 says: spec-following providers (Auth0,
// Okta, Ory Hydra, Keycloak) issue no refresh token without it. Some of
// them also want prompt=consent for it; the host passes that as the
// flow's prompt. Catalogue packages add what theirs needs instead
// (Google's access_type=offline).
func (p *Provider) AuthCodeURL(ctx context.Context, req provider.AuthRequest) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch {
	case req.State == "":
		return "", errors.New("oidc: AuthCodeURL needs a state")
	case req.CodeChallenge == "" && !p.disablePKCE:
		return "", errors.New("oidc: AuthCodeURL needs a PKCE code challenge")
	case req.Nonce == "":
		return "", errors.New("oidc: AuthCodeURL needs a nonce")
	case req.RedirectURI == "":
		return "", errors.New("oidc: AuthCodeURL needs a redirect URI")
	}
	scopes := p.scopes
	if len(req.Scopes) > 0 {
		scopes = withOpenID(req.Scopes)
	}
	if req.Offline && p.offlineAccess && !slices.Contains(scopes, "offline_access") {
		scopes = append(slices.Clip(scopes), "offline_access")
	}
	v := make(url.Values, len(p.extra)+10)
	for k, val := range p.extra {
		v.Set(k, val)
	}
	v.Set("response_type", "code")
	v.Set("client_id", p.clientID)
	v.Set("redirect_uri", req.RedirectURI)
	v.Set("scope", strings.Join(scopes, " "))
	v.Set("state", req.State)
	if !p.disablePKCE {
		v.Set("code_challenge", req.CodeChallenge)
		v.Set("code_challenge_method", "S256")
	}
	v.Set("nonce", req.Nonce)
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

// errClientSecret is the cause of a failed client secret function: its
// own error is not repeated, in case it is not as clean as documented.
var errClientSecret = errors.New("oidc: the client secret could not be made")

// secret returns the client secret: Config.ClientSecret, or a fresh one
// from a catalogue provider's client secret function (Apple's).
func (p *Provider) secret(ctx context.Context) (string, error) {
	if p.secretFunc == nil {
		return p.clientSecret, nil
	}
	s, err := p.secretFunc(ctx)
	if err != nil || s == "" {
		return "", errClientSecret
	}
	return s, nil
}

// oauth2Config is the x/oauth2 configuration of one token request.
func (p *Provider) oauth2Config(ctx context.Context, redirectURI string) (*oauth2.Config, error) {
	secret, err := p.secret(ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{
		ClientID:     p.clientID,
		ClientSecret: secret,
		Endpoint:     p.endpoint,
		RedirectURL:  redirectURI,
	}, nil
}

// keySet verifies the signature of an ID token (or a signed userinfo
// response) and returns its payload: go-oidc's remote key set, or the
// client secret.
type keySet interface {
	VerifySignature(ctx context.Context, jwt string) ([]byte, error)
}

// clientSecretKey verifies HS256 signatures with the client secret
// (hooks.OIDC.ClientSecretHS256).
type clientSecretKey struct{ p *Provider }

func (k clientSecretKey) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return nil, err
	}
	secret, err := k.p.secret(ctx)
	if err != nil {
		return nil, err
	}
	return jws.Verify([]byte(secret))
}
