// Package twitter is X's legacy OAuth 1.0a integration (strategy
// oauth_twitter, Clerk's "Twitter"): the three-legged OAuth 1.0a flow of RFC
// 5849 with HMAC-SHA1 signatures, and the v1.1 account/verify_credentials
// endpoint for the profile. X's OAuth 2.0 integration is provider/x
// (oauth_x); both sign in the same X accounts, under the same numeric ids.
//
// The provider implements [provider.OAuth1]: the Service starts its flows
// with StartOAuth1, which asks X for temporary credentials (a request
// token) whose oauth_callback is the redirect URI with the flow's state
// added to its query, and returns X's authorization page for them;
// AuthCodeURL fails. On the callback, Exchange redeems oauth_verifier (the
// Code) with the temporary credentials, then fetches the profile signed
// with the token credentials. RevokeCredentials invalidates token
// credentials. It is neither a [provider.Refresher] (X's OAuth 1.0a tokens
// do not expire and there is nothing to refresh) nor a [provider.Revoker].
//
// # Sources
//
// Nothing here was checked against X's live API; the endpoints and shapes
// come from X's documentation, corroborated by two client libraries
// (markbates/goth's twitter provider and dghubble/oauth1's twitter
// endpoints):
//   - The three-legged flow:
//     https://developer.x.com/en/docs/authentication/oauth-1-0a/obtaining-user-access-tokens
//   - POST oauth/request_token, GET oauth/authenticate (its force_login and
//     screen_name parameters), POST oauth/access_token and POST
//     1.1/oauth/invalidate_token:
//     https://developer.x.com/en/docs/authentication/api-reference/request_token
//     and the sibling pages authenticate, access_token and
//     invalidate_access_token.
//   - HMAC-SHA1 signatures:
//     https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature
//   - GET 1.1/account/verify_credentials.json:
//     https://developer.x.com/en/docs/twitter-api/v1/accounts-and-users/manage-account-settings/api-reference/get-account-verify_credentials
//
// Every endpoint is on https://api.x.com (X's documentation still names
// api.twitter.com, which serves the same API); [Config].BaseURL replaces it.
//
// # Identity
//
// The provider user id is "id_str", the decimal account id; the JSON number
// "id" is never read, since new accounts' ids exceed what a float64 holds.
// Username is "screen_name", the names are "name" split at its first
// space, the avatar is "profile_image_url_https" (48 pixels: X serves other
// sizes without the "_normal" suffix). EmailAddress is "email", which X
// returns only to apps with the "Request email from users" permission, and
// only verified: verify_credentials' documentation says of include_email
// that when the user has no email address or it is not verified, null is
// returned. A returned address is therefore EmailVerified true; without one,
// EmailAddress is empty and EmailVerified nil.
//
// # Tokens
//
// The token's AccessToken and TokenSecret are X's oauth_token and
// oauth_token_secret, which sign every API request together (RFC 5849
// section 3); its TokenType is [TokenType], "OAuth", the HTTP
// authorization scheme they are used with (RFC 5849 section 3.5.1), as
// "Bearer" is OAuth 2.0's. Expiry is zero (they do not expire until the
// user or the app revokes them) and Scopes nil.
//
// # Scopes
//
// OAuth 1.0a has no scopes: what an app may do (read, read and write,
// direct messages, email) is set on the app in X's developer portal. New
// refuses Config.Scopes, and StartOAuth1 refuses a request with scopes
// (verification.ErrFormParamInvalid naming additional_scope), rather than
// record scopes X never granted.
//
// # Errors
//
// X's error responses, {"errors":[{"code":32,"message":"..."}]}, become a
// *provider.OAuthError with the HTTP status; X's numeric code 89 ("Invalid
// or expired token") becomes the code "invalid_token" (RFC 6750 section
// 3.1), any other is left out. Failures to obtain credentials are
// verification.ErrTokenExchange, failures to fetch the profile
// verification.ErrFetchUser. No error carries the verifier, a token, a
// secret or a response body. Requests are signed with dghubble/oauth1 and
// sent through the provider's bounded client ([provider.HTTPSettings]); its
// clock (HTTPSettings.Now) does not reach oauth_timestamp, which is the
// system time.
package twitter

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dghubble/oauth1"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy this provider serves.
var Strategy = verification.MustParseStrategy("oauth_twitter")

// DefaultBaseURL is X's API host, which serves both /oauth/* and /1.1/*.
const DefaultBaseURL = "https://api.x.com"

// TokenType is the TokenType of the tokens Exchange returns: the
// Authorization scheme of RFC 5849 section 3.5.1.
const TokenType = "OAuth"

// X's endpoints, under the base URL.
const (
	requestTokenPath      = "/oauth/request_token"
	authenticatePath      = "/oauth/authenticate"
	authorizePath         = "/oauth/authorize"
	accessTokenPath       = "/oauth/access_token"
	verifyCredentialsPath = "/1.1/account/verify_credentials.json?include_email=true&skip_status=true&include_entities=false"
	invalidateTokenPath   = "/1.1/oauth/invalidate_token"
)

// Config configures the provider: ClientID is the app's API Key (consumer
// key) and ClientSecret its API Key Secret (consumer secret), both
// required; BaseURL replaces DefaultBaseURL. Scopes, APIURL and ClockSkew
// must be empty: OAuth 1.0a has no scopes, every endpoint is on one host,
// and there is no ID token.
type Config = provider.AppConfig

// Provider is the X OAuth 1.0a provider. It is safe for concurrent use.
type Provider struct {
	consumerKey    string
	consumerSecret string
	baseURL        string
	http           oauthclient.HTTP
}

var _ provider.OAuth1 = (*Provider)(nil)

// New returns the provider. It does no I/O and fails when ClientID or
// ClientSecret is missing or a setting is invalid or set where OAuth 1.0a
// has no use for it.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		return nil, errors.New("twitter: Config.ClientID (the API Key) and Config.ClientSecret (the API Key Secret) are required")
	case len(cfg.Scopes) > 0:
		return nil, errors.New("twitter: Config.Scopes must be empty: OAuth 1.0a has no scopes; set the app's permissions in X's developer portal")
	case cfg.APIURL != "":
		return nil, errors.New("twitter: Config.APIURL must be empty: every endpoint is on BaseURL")
	case cfg.ClockSkew != 0:
		return nil, errors.New("twitter: Config.ClockSkew must be zero: OAuth 1.0a has no ID token")
	}
	base, err := oauthclient.BaseURL("twitter", "BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	web, err := oauthclient.NewHTTP("twitter", cfg.HTTP)
	if err != nil {
		return nil, err
	}
	return &Provider{consumerKey: cfg.ClientID, consumerSecret: cfg.ClientSecret, baseURL: base, http: web}, nil
}

// String describes the provider without its consumer secret.
func (p *Provider) String() string {
	return "twitter.Provider{ConsumerKey: " + strconv.Quote(p.consumerKey) + ", BaseURL: " + strconv.Quote(p.baseURL) + "}"
}

// GoString is String, so that %#v hides the consumer secret too.
func (p *Provider) GoString() string { return p.String() }

// Strategy returns oauth_twitter.
func (p *Provider) Strategy() verification.Strategy { return Strategy }

// Metadata names the provider "Twitter", as Clerk does for oauth_twitter;
// it has no issuer, no OpenID Connect and no scopes.
func (p *Provider) Metadata() provider.Metadata { return provider.Metadata{Title: "Twitter"} }

// errOAuth1 is AuthCodeURL's error.
var errOAuth1 = errors.New("twitter: oauth_twitter is OAuth 1.0a: start its flows with StartOAuth1, which obtains the temporary credentials the authorization URL needs")

// AuthCodeURL fails: an OAuth 1.0a authorization URL needs temporary
// credentials, which StartOAuth1 obtains.
func (p *Provider) AuthCodeURL(context.Context, provider.AuthRequest) (string, error) {
	return "", errOAuth1
}

// StartOAuth1 asks X for temporary credentials whose oauth_callback is
// req.RedirectURI with state=req.State appended to its query (the rest of
// the URL is kept as it is), requires oauth_callback_confirmed=true, and
// returns X's authorization page for them: /oauth/authenticate ("Sign in
// with X", which skips the approval an account already gave), or
// /oauth/authorize, which always asks, when req.Prompt has "consent".
// A Prompt with "login" or "select_account" adds force_login=true, and
// req.LoginHint is sent as screen_name, which prefills the sign-in form.
// req.Scopes must be empty; CodeChallenge, Nonce and Offline have no
// meaning in OAuth 1.0a and are ignored.
func (p *Provider) StartOAuth1(ctx context.Context, req provider.AuthRequest) (string, provider.TemporaryCredentials, error) {
	var none provider.TemporaryCredentials
	if len(req.Scopes) > 0 {
		return "", none, verification.ErrFormParamInvalid.WithParam("additional_scope").
			WithLongMessage("X's OAuth 1.0a integration (oauth_twitter) has no scopes: what the app may do is set on the app at X.")
	}
	callback, err := callbackURL(req.RedirectURI, req.State)
	if err != nil {
		return "", none, err
	}
	cfg := p.config(ctx, callback)
	token, secret, err := cfg.RequestToken()
	if err != nil {
		e := p.failure(verification.ErrTokenExchange, "return temporary credentials", err)
		var oe *provider.OAuthError
		if errors.As(err, &oe) && (oe.Status == http.StatusUnauthorized || oe.Status == http.StatusForbidden) {
			// X's answer when the API Key or Secret is wrong (401, code
			// 32) or the callback is not in the app's allowlist (403,
			// code 415): a configuration error the host must fix.
			e = e.WithLongMessage(e.LongMessage + " Check the app's API Key and Secret, and that the callback URL is in the app's callback URL allowlist at X.")
		}
		return "", none, e
	}
	page, q := authenticatePath, url.Values{"oauth_token": {token}}
	for _, v := range strings.Fields(req.Prompt) {
		switch v {
		case "consent":
			page = authorizePath
		case "login", "select_account":
			q.Set("force_login", "true")
		}
	}
	if req.LoginHint != "" {
		q.Set("screen_name", strings.TrimPrefix(req.LoginHint, "@"))
	}
	return p.baseURL + page + "?" + q.Encode(), provider.TemporaryCredentials{Token: token, Secret: secret}, nil
}

// callbackURL is redirectURI with state appended to its query.
func callbackURL(redirectURI, state string) (string, error) {
	u, err := url.Parse(redirectURI)
	switch {
	case state == "":
		return "", errors.New("twitter: StartOAuth1 needs the flow's state, which the callback URL carries")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || strings.Contains(redirectURI, "#"):
		return "", errors.New("twitter: the redirect URI is not an absolute http(s) URL without fragment")
	case u.Query().Has("state"):
		return "", errors.New("twitter: the redirect URI already has a state parameter")
	}
	sep := "?"
	if u.RawQuery != "" || u.ForceQuery {
		sep = "&"
		if strings.HasSuffix(redirectURI, "?") || strings.HasSuffix(redirectURI, "&") {
			sep = ""
		}
	}
	return redirectURI + sep + "state=" + url.QueryEscape(state), nil
}

// Exchange checks that the callback is for the flow's temporary
// credentials (its oauth_token, one value, equal to req.Temporary.Token),
// redeems req.Code (oauth_verifier) for token credentials, fetches the
// account with them and returns its identity and the credentials. Nothing
// is sent when req.Code or the temporary credentials are missing
// (verification.ErrTokenExchange) or when the callback's oauth_token is
// missing, repeated or another one (verification.ErrCallbackInvalid).
func (p *Provider) Exchange(ctx context.Context, req provider.ExchangeRequest) (*provider.Identity, *provider.Token, error) {
	tmp := req.Temporary
	switch got := req.Params["oauth_token"]; {
	case req.Code == "":
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The callback carried no oauth_verifier.")
	case tmp.Token == "" || tmp.Secret == "":
		return nil, nil, verification.ErrTokenExchange.WithLongMessage("The exchange request carries no OAuth 1.0a temporary credentials.")
	case len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), []byte(tmp.Token)) != 1:
		return nil, nil, verification.ErrCallbackInvalid.WithLongMessage("The callback's oauth_token is not the one this flow's authorization was for.")
	}
	token, secret, err := p.config(ctx, "").AccessToken(tmp.Token, tmp.Secret, req.Code)
	if err != nil {
		return nil, nil, p.failure(verification.ErrTokenExchange, "exchange the oauth_verifier for token credentials", err)
	}
	tok := &provider.Token{AccessToken: token, TokenSecret: secret, TokenType: TokenType}
	var user map[string]any
	if err := p.call(ctx, tok, http.MethodGet, verifyCredentialsPath, &user); err != nil {
		return nil, nil, p.failure(verification.ErrFetchUser, "return the account's profile", err)
	}
	id := identity(user)
	if id.ProviderUserID == "" {
		return nil, nil, verification.ErrFetchUser.WithLongMessage("The provider's profile has no account id (id_str).")
	}
	return id, tok, nil
}

// identity maps a verify_credentials response (see the package
// documentation).
func identity(u map[string]any) *provider.Identity {
	id := &provider.Identity{Username: catalog.String(u, "screen_name"), Claims: u}
	if s := catalog.String(u, "id_str"); strings.Trim(s, "0123456789") == "" {
		id.ProviderUserID = s // a decimal id, never the float "id"
	}
	if id.EmailAddress = catalog.String(u, "email"); id.EmailAddress != "" {
		id.EmailVerified = new(true)
	}
	id.FirstName, id.LastName = catalog.SplitName(catalog.String(u, "name"))
	id.AvatarURL = catalog.String(u, "profile_image_url_https")
	return id
}

// RevokeCredentials invalidates tok's token credentials with POST
// 1.1/oauth/invalidate_token, signed with them. Credentials X no longer
// knows fail like any refusal (HTTP 401, code invalid_token): X does not
// document that as success. Errors are a *provider.OAuthError, a context
// error, provider.ErrResponseTooLarge or a *url.Error without query.
func (p *Provider) RevokeCredentials(ctx context.Context, tok *provider.Token) error {
	if tok == nil || tok.AccessToken == "" || tok.TokenSecret == "" {
		return errors.New("twitter: RevokeCredentials needs an access token and its secret")
	}
	return p.call(ctx, tok, http.MethodPost, invalidateTokenPath, nil)
}

// call sends a request to the API at path signed with tok's credentials
// and, when v is not nil, decodes the JSON response into it (numbers as
// json.Number). Its errors are sanitized.
func (p *Provider) call(ctx context.Context, tok *provider.Token, method, path string, v any) error {
	cfg := p.config(ctx, "")
	client := cfg.Client(context.WithValue(ctx, oauth1.HTTPClient, cfg.HTTPClient), oauth1.NewToken(tok.AccessToken, tok.TokenSecret))
	client.CheckRedirect = cfg.HTTPClient.CheckRedirect
	req, err := http.NewRequestWithContext(ctx, method, p.baseURL+path, nil)
	if err != nil {
		return oauthclient.Sanitize(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return oauthclient.Sanitize(err)
	}
	defer resp.Body.Close()
	if v == nil {
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return oauthclient.ErrMalformedResponse
	}
	return nil
}

// config is the dghubble/oauth1 configuration of one call: its requests go
// through the provider's bounded client under ctx (oauth1's RequestToken
// and AccessToken take no context).
func (p *Provider) config(ctx context.Context, callback string) *oauth1.Config {
	return &oauth1.Config{
		ConsumerKey:    p.consumerKey,
		ConsumerSecret: p.consumerSecret,
		CallbackURL:    callback,
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: p.baseURL + requestTokenPath,
			AuthorizeURL:    p.baseURL + authenticatePath,
			AccessTokenURL:  p.baseURL + accessTokenPath,
		},
		HTTPClient: &http.Client{
			Transport:     &callTransport{ctx: ctx, client: p.http.Client},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// failure is the error of a failed call: sentinel with a long message
// saying what the provider did not do, wrapping the sanitized cause.
func (p *Provider) failure(sentinel *verification.Error, what string, err error) *verification.Error {
	if err != nil && strings.Contains(err.Error(), "oauth_callback_confirmed") {
		// dghubble/oauth1's error for a response without
		// oauth_callback_confirmed=true (it has no sentinel).
		return sentinel.WithLongMessage("The provider did not confirm the callback URL (oauth_callback_confirmed).").Wrap(oauthclient.ErrMalformedResponse)
	}
	return oauthclient.Failure(sentinel, what, err, p.http.Timeout)
}

// callTransport sends the requests of one call through the provider's
// bounded client (timeout, size limit, no redirects, spans without
// queries) under the call's context, and turns every non-2xx response into
// a *provider.OAuthError, so that no library above ever sees, or quotes in
// an error, an error response's body.
type callTransport struct {
	ctx    context.Context
	client *http.Client
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.client.Do(req.WithContext(t.ctx))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the caller's client adds its own, with the URL
		}
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	body, _ := oauthclient.ReadBody(resp.Body) // closes it
	return nil, oauthclient.NewOAuthError(resp.StatusCode, errorCode(body))
}

// errorCode maps X's error response, {"errors":[{"code":89,...}]}, to an
// OAuth error code: 89, "Invalid or expired token", is RFC 6750's
// invalid_token; other codes have no OAuth equivalent and give "".
func errorCode(body []byte) string {
	var e struct {
		Errors []struct {
			Code json.Number `json:"code"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	if e.Errors[0].Code == "89" {
		return "invalid_token"
	}
	return ""
}
