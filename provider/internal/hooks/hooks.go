// Package hooks is what provider/oidc and provider/oauth2 offer to
// catalogue providers only: the quirks a provider's own package absorbs
// (a profile spread over several requests, a revocation that is not
// RFC 7009, a claim check, a nonce a provider never echoes). They are not
// fields of oidc.Config or oauth2.Config, so that a host configuring its
// own oauth_custom_* provider reads only what it needs.
//
// provider/oidc and provider/oauth2 set NewOIDC and NewOAuth2 from their
// init functions; provider/internal/catalog calls them with typed wrappers.
package hooks

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/oauthclient"
)

// Constructors with hooks, set by the init functions of provider/oidc and
// provider/oauth2. Their types are
//
//	func(context.Context, oidc.Config, OIDC) (*oidc.Provider, error)
//	func(oauth2.Config, OAuth2) (*oauth2.Provider, error)
//
// which this package cannot name without an import cycle;
// provider/internal/catalog asserts them once.
var (
	NewOIDC   any
	NewOAuth2 any
)

// AuthParamsFunc adjusts the parameters of each authorization URL after
// the protocol's are set: Google's access_type=offline when req.Offline,
// Apple's response_mode=form_post, GitHub's "login" for login_hint. It
// must not change the protocol's parameters (response_type, client_id,
// redirect_uri, scope, state, code_challenge, code_challenge_method, and
// for OpenID Connect nonce); AuthCodeURL fails when it does.
type AuthParamsFunc func(req provider.AuthRequest, params url.Values)

// RevokeRequest is one revocation a RevokeFunc makes.
type RevokeRequest struct {
	// Client is the provider's bounded HTTP client.
	Client *http.Client
	// Endpoint is the provider's configured revocation URL (its
	// Endpoint.RevocationURL, moved to the host's base URL), empty when it
	// has none.
	Endpoint string
	// Credentials are the client's (the secret of the moment, for a
	// provider whose secret is computed).
	provider.Credentials
	// Token and Hint are provider.Revoker's arguments.
	Token, Hint string
}

// RevokeFunc revokes a token for a provider whose revocation is not RFC
// 7009 (GitHub's DELETE /applications/{client_id}/grant, Slack's
// auth.revoke, LINE's access_token form). It must follow provider.Revoker's
// error contract; provider/internal/oauthclient has the helpers.
type RevokeFunc func(ctx context.Context, r RevokeRequest) error

// RevokeByBearer is the RevokeFunc of providers that end a grant with a
// POST to their revocation endpoint authenticated by the access token
// itself (Dropbox, Linear): a oauthclient.BearerRevocation POST whose
// answer has nothing to read. name starts its errors.
func RevokeByBearer(name string) RevokeFunc {
	return func(ctx context.Context, r RevokeRequest) error {
		_, err := oauthclient.BearerRevocation{Name: name, URL: r.Endpoint}.Do(ctx, r.Client, r.Token, r.Hint)
		return err
	}
}

// OIDC are the hooks of a provider/oidc provider. The zero value is none.
type OIDC struct {
	// ClientSecretFunc, when set instead of Config.ClientSecret, returns
	// the client secret for each request that needs one (token, refresh,
	// revocation), for providers whose secret is a short-lived signed JWT
	// (Sign in with Apple). It must be safe for concurrent use and should
	// cache its secret. Its error fails the request that needed the secret
	// and must not carry secrets.
	ClientSecretFunc func(ctx context.Context) (string, error)

	// AllowMissingNonce accepts ID tokens without a "nonce" claim, for
	// providers known to leave it out although the request sent one
	// (LinkedIn). A nonce that is present must still equal the request's,
	// and Exchange still requires the request's nonce. An ID token of the
	// code flow comes from the token endpoint, over TLS, for a code bound
	// to the client secret, so the nonce is defense in depth there; never
	// set this for a provider that sends it.
	AllowMissingNonce bool

	// AuthParams adjusts each authorization URL's parameters.
	AuthParams AuthParamsFunc

	// ClientSecretHS256 says the provider signs the ID tokens of the code
	// flow with HS256 keyed with the client secret (OpenID Connect Core
	// sections 3.1.3.7 and 10.1), as LINE's web login does. They are
	// verified with the secret; HS256 is then the only algorithm accepted
	// and no key set is fetched. Such a token proves only that someone who
	// knows the secret signed it, so it is accepted only from the token
	// endpoint, over TLS; never set this for a provider that publishes
	// keys.
	ClientSecretHS256 bool

	// CheckClaims is one more ID token check, run on the verified claims
	// after every other check, at the code exchange, at refresh and in
	// VerifyIDToken: a tenant allowlist, Google's hosted domain. Its error
	// fails the token with verification.ErrIDTokenInvalid, whose long
	// message repeats the error's text: it must say which check failed and
	// carry no claim values or secrets.
	CheckClaims func(claims map[string]any) error

	// MapIdentity adjusts the identity mapped from the claims (the ID
	// token's, merged with userinfo's) before Exchange returns it: claims
	// are the verified claims, and params the callback's other parameters
	// (provider.ExchangeRequest.Params), which, unlike the claims, nobody
	// signed (Apple's "user"). A *verification.Error it returns is
	// returned as is; another error becomes verification.ErrFetchUser. The
	// identity must keep a ProviderUserID.
	MapIdentity func(id *provider.Identity, claims map[string]any, params map[string][]string) error

	// Revoke replaces RFC 7009 revocation at the revocation endpoint.
	Revoke RevokeFunc
}

// ProfileFunc returns the identity of the account tok was issued for,
// using api for the requests it needs. It may set tok.Scopes when the
// provider reports the granted scopes elsewhere than in the token response
// (Facebook's permissions). A *verification.Error it returns is returned as
// is; another error becomes verification.ErrFetchUser, keeping only what
// is safe of it (an error of api is).
type ProfileFunc func(ctx context.Context, api *API, tok *provider.Token) (*provider.Identity, error)

// OAuth2 are the hooks of a provider/oauth2 provider. The zero value is
// none.
type OAuth2 struct {
	// Profile fetches the identity itself, replacing the userinfo request
	// and Config.MapProfile: for profiles spread over several requests
	// (GitHub's /user and /user/emails) or needing special parameters
	// (Facebook's fields and appsecret_proof).
	Profile ProfileFunc

	// APIHeader is added to every request of the userinfo endpoint and of
	// API, such as GitHub's X-GitHub-Api-Version.
	APIHeader http.Header

	// AuthParams adjusts each authorization URL's parameters.
	AuthParams AuthParamsFunc

	// Revoke replaces RFC 7009 revocation at Endpoint.RevocationURL.
	Revoke RevokeFunc
}

// API sends requests to the provider's API with the access token, through
// the provider's HTTP client (timeout, size limit, no redirects), for a
// ProfileFunc.
type API struct {
	client   *http.Client
	token    string
	header   http.Header
	userinfo string
	extra    func(string) any
}

// NewAPI returns the API of one access token; userinfo is the provider's
// configured userinfo URL, and extra reads the other members of the token
// response that issued it (x/oauth2's Token.Extra), nil when there are
// none to read.
func NewAPI(client *http.Client, accessToken string, header http.Header, userinfo string, extra func(string) any) *API {
	return &API{client: client, token: accessToken, header: header, userinfo: userinfo, extra: extra}
}

// TokenExtra returns the member key of the token response that issued the
// access token, as decoded from JSON (Notion's "owner" and workspace), or
// nil when it has none. The tokens themselves are not members it returns
// to be kept: a hook must not copy access_token, refresh_token or id_token
// into an identity.
func (a *API) TokenExtra(key string) any {
	switch key {
	case "access_token", "refresh_token", "id_token":
		return nil
	}
	if a.extra == nil {
		return nil
	}
	return a.extra(key)
}

// UserinfoURL is the provider's configured Endpoint.UserinfoURL (moved to
// the host's base URL), where a Profile hook reads the profile when it
// reads one URL.
func (a *API) UserinfoURL() string { return a.userinfo }

// GetJSON sends a GET to rawURL with the access token as a Bearer token and
// the APIHeader, and decodes the JSON response into v; into a
// *map[string]any or *any, numbers decode as json.Number. A status other
// than 2xx is a *provider.OAuthError with the status and the JSON "error"
// code; other errors are a context error, provider.ErrResponseTooLarge, a
// *url.Error without the URL's query, or a malformed-response error. None
// carries the token or the response body.
func (a *API) GetJSON(ctx context.Context, rawURL string, v any) error {
	return oauthclient.GetJSON(ctx, a.client, rawURL, a.token, a.header, v)
}

// PostJSON is GetJSON with a POST of body (JSON; nil sends none).
func (a *API) PostJSON(ctx context.Context, rawURL string, body []byte, v any) error {
	return oauthclient.CallJSON(ctx, a.client, http.MethodPost, rawURL, a.token, a.header, body, v)
}
