package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/tetherauth/tether/provider"
)

// Harness declares the provider under test and the documented shapes of the
// provider it talks to. The suite builds its fake server from them, so a
// capability the harness does not declare is one the provider must not have.
// Paths are relative to [Server.URL]; "{client_id}" in a path stands for
// [Server.ClientID].
type Harness struct {
	// New returns the provider under test, configured with s's client
	// credentials and every endpoint pointed at s.URL. Required.
	New func(s Server) (provider.Provider, error)

	// Strategy, Title and DefaultScopes are what Strategy() and
	// Metadata() must return. Required.
	Strategy      string
	Title         string
	DefaultScopes []string

	// ClientIDParam names the client id in the authorization and token
	// requests. Default: "client_id" (TikTok's is "client_key").
	ClientIDParam string

	// AnyClientSecret accepts any non-empty client secret at the token
	// and revocation endpoints, for providers whose secret is computed per
	// request (Sign in with Apple's signed JWT); each one seen is a secret
	// the suite looks for in errors. Otherwise the secret must be
	// [Server.ClientSecret].
	AnyClientSecret bool

	Authorize Authorize
	Token     Token
	// IDToken is set for OpenID Connect providers: Metadata().OpenID must
	// then be true, the authorization request must carry a nonce and the
	// token response carries a signed ID token.
	IDToken *IDToken
	Profile Profile
	// Refresh is set when the provider can refresh tokens: it must then
	// implement provider.Refresher, and must not otherwise.
	Refresh *Refresh
	// Revoke is set when the provider can revoke tokens: it must then
	// implement provider.Revoker, and must not otherwise.
	Revoke *Revoke
	// VerifiesIDTokens is set when the provider implements
	// provider.IDTokenVerifier (it must not otherwise); it needs IDToken.
	VerifiesIDTokens bool

	// Lacks is what the provider cannot tell about an account: the suite
	// then expects the zero value of those Identity fields.
	Lacks Lacks
	// Expect, when set, adjusts the identity the suite expects for u after
	// Lacks is applied, for mappings that derive a field (an avatar URL
	// built from a hash, a username with a discriminator).
	Expect func(u User, want *provider.Identity)

	// Examples are responses the provider's documentation shows, each
	// run through a full flow as is and mapped to the identity it names.
	Examples []Example
}

// Example is a response a provider's documentation shows and the identity
// the provider must make of it: the suite serves its bodies verbatim,
// every other shape as the harness declares it.
type Example struct {
	// Name names the subtest, Example/<Name>. Required.
	Name string
	// Bodies are the JSON bodies of profile routes by their Path, as the
	// documentation shows them. A route without one answers as declared.
	Bodies map[string]string
	// Claims are the ID token's claims, "sub" included, besides iss, aud,
	// exp, iat and nonce (OpenID Connect only).
	Claims map[string]any
	// Want is the identity the provider must return; its Claims are not
	// compared.
	Want provider.Identity
}

// Server is the fake provider the suite started for one subtest, on
// 127.0.0.1.
type Server struct {
	// URL is the base URL, such as "http://127.0.0.1:41234", without a
	// trailing slash.
	URL string
	// Client trusts the server; a harness may pass it to the provider.
	Client *http.Client
	// ClientID and ClientSecret are the client credentials the fake
	// accepts.
	ClientID     string
	ClientSecret string
}

// Credentials are ClientID and ClientSecret, for a catalogue Config.
func (s Server) Credentials() provider.Credentials {
	return provider.Credentials{ClientID: s.ClientID, ClientSecret: s.ClientSecret}
}

// HTTP are the HTTP settings with Client, for a Config's HTTP field.
func (s Server) HTTP() provider.HTTPSettings { return provider.HTTPSettings{Client: s.Client} }

// Authorize declares the authorization endpoint.
type Authorize struct {
	// Path of the authorization endpoint, such as "/oauth2/authorize".
	// Required.
	Path string
	// ScopeSeparator joins scopes in the "scope" parameter. Default: " ".
	ScopeSeparator string
	// PKCE says the provider sends code_challenge (S256) and then
	// code_verifier; without it, neither may be sent.
	PKCE bool
	// Params must be in every authorization URL with these values
	// (Apple's response_mode=form_post). response_mode=form_post makes the
	// fake answer with an auto-submitted form instead of a redirect.
	Params url.Values
	// OfflineParams must be in the authorization URL when the request
	// asks for a refresh token (provider.AuthRequest.Offline), such as
	// Google's access_type=offline.
	OfflineParams url.Values
	// IssuerParameter says the provider sends RFC 9207's "iss" with every
	// authorization response: the fake sends its issuer, and
	// Metadata().IssuerParameterSupported must say so (the account
	// Service then requires and checks it).
	IssuerParameter bool
	// CallbackParams, when set, are further callback parameters for u,
	// which the suite passes on in provider.ExchangeRequest.Params
	// (Apple's "user" on a first authorization).
	CallbackParams func(u User) url.Values
}

// AuthStyle is how a client authenticates with its id and secret.
type AuthStyle int

// Client authentication styles.
const (
	// AuthNone: no client credentials.
	AuthNone AuthStyle = iota
	// AuthBasic: HTTP Basic, client_secret_basic (RFC 6749 section 2.3.1).
	AuthBasic
	// AuthPost: client id and secret in the form body,
	// client_secret_post.
	AuthPost
)

func (a AuthStyle) String() string {
	switch a {
	case AuthBasic:
		return "client_secret_basic"
	case AuthPost:
		return "client_secret_post"
	}
	return "none"
}

// Token declares the token endpoint and its response.
type Token struct {
	// Path of the token endpoint. Required.
	Path string
	// Auth is the client authentication the provider documents. Required.
	Auth AuthStyle
	// TokenType is the response's token_type. Default: "Bearer".
	TokenType string
	// ScopeSeparator joins the granted scopes in the response's "scope";
	// empty means the response has no "scope" member.
	ScopeSeparator string
	// ScopeMember names the member that carries them. Default: "scope"
	// (Bitbucket's is "scopes").
	ScopeMember string
	// RefreshToken says the response carries a refresh_token.
	RefreshToken bool
	// NoExpiry leaves expires_in out of the response (the token's Expiry
	// must then be zero); otherwise it is 3600.
	NoExpiry bool
	// Extra, when set, are further members of the response for u
	// (Notion's workspace, Slack's "ok").
	Extra func(u User) map[string]any
}

// IDToken declares an OpenID Connect provider's ID tokens.
type IDToken struct {
	// IssuerPath is the issuer, relative to Server.URL ("" for the URL
	// itself, "/oauth" for LinkedIn).
	IssuerPath string
	// IssuerTemplate says Metadata().Issuer is empty (a multi-tenant
	// issuer template such as Microsoft's); otherwise it must be the
	// issuer.
	IssuerTemplate bool
	// JWKSPath is where the fake serves its keys. Required unless
	// ClientSecretHS256.
	JWKSPath string
	// ClientSecretHS256 makes the fake sign ID tokens with HS256 keyed
	// with the client secret (LINE's web login) instead of its RSA key.
	ClientSecretHS256 bool
	// Discovery makes the fake serve IssuerPath +
	// "/.well-known/openid-configuration", for providers configured by
	// discovery.
	Discovery bool
	// Claims are u's claims besides iss, sub, aud, exp, iat and nonce,
	// as the provider documents them (email, email_verified, names).
	Claims func(u User) map[string]any
	// OmitNonce leaves the nonce claim out, for providers documented to
	// (LinkedIn).
	OmitNonce bool
}

// Profile declares the routes the provider reads the profile from with the
// access token.
type Profile struct {
	// Routes are answered with their Body for the signed-in user; every
	// route must be requested with "Authorization: Bearer <access token>".
	// An OpenID Connect provider that reads only the ID token has none.
	Routes []Route
	// ReportsScopes says the provider takes the granted scopes from the
	// profile (Facebook's permissions) rather than from the token
	// response: Token.Scopes must still be the granted scopes.
	ReportsScopes bool
	// FromToken says the identity comes from the token response's own
	// members (Token.Extra: Notion's owner), so Routes may be empty.
	FromToken bool
	// ErrorBody is what the provider answers, with HTTP 200, on a failing
	// profile request. Default: {"error":"invalid_token"}.
	ErrorBody string
}

// Route is one profile route.
type Route struct {
	// Method defaults to GET.
	Method string
	// Path of the route, without a query. Required.
	Path string
	// Query are parameters the request must carry; an empty value means
	// any value.
	Query url.Values
	// Body is the route's JSON response for u, granted scopes: a
	// map[string]any or a []any with json.Number for numbers that must
	// keep every digit (User.NumericID).
	Body func(u User, scopes []string) any
}

// Refresh declares the refresh_token grant, at Token.Path with Token.Auth.
type Refresh struct {
	// Rotates says each refresh returns a new refresh token.
	Rotates bool
	// IDToken says a refresh returns a new ID token for the same subject.
	IDToken bool
}

// TokenIn is where a revocation request carries the token.
type TokenIn int

// Where the token travels in a revocation request.
const (
	// InForm: RFC 7009's "token" form parameter, with token_type_hint.
	InForm TokenIn = iota
	// InBearer: "Authorization: Bearer <token>".
	InBearer
	// InJSON: a member of a JSON body, named by Revoke.JSONMember.
	InJSON
	// InFormParam: a form parameter named by Revoke.FormParam, without
	// token_type_hint (LINE's access_token).
	InFormParam
)

// Revoke declares the revocation endpoint.
type Revoke struct {
	// Method defaults to POST. Path is required unless Unsupported.
	Method string
	Path   string
	// TokenIn is where the token travels; JSONMember names the member
	// for InJSON.
	TokenIn    TokenIn
	JSONMember string
	// FormParam names the form parameter for InFormParam.
	FormParam string
	// ClientAuth is how the client authenticates, AuthNone for none.
	ClientAuth AuthStyle
	// Hints are the token_type_hint values the provider can revoke
	// ("access_token", "refresh_token"). Default: both. For another hint,
	// Revoke must fail with provider.ErrRevocationUnsupported and send
	// nothing.
	Hints []string
	// Status and Response are the success answer. Defaults: 200 and an
	// empty body.
	Status   int
	Response string
	// Unsupported says the provider implements provider.Revoker but knows
	// of no revocation endpoint (provider/oidc without one): every Revoke
	// must fail with provider.ErrRevocationUnsupported and send nothing.
	Unsupported bool
}

// Lacks lists the Identity fields a provider cannot know.
type Lacks struct {
	Email, EmailVerified, Names, Username, Avatar bool
}

// User is a fixture account. Harnesses map it to the provider's JSON.
type User struct {
	// ID is the provider user id, decimal digits in every fixture; one
	// fixture's is 2^53+1, which a float64 cannot hold.
	ID            string
	Email         string
	EmailVerified *bool
	FirstName     string
	LastName      string
	Username      string
	AvatarURL     string
}

// NumericID is ID as a JSON number, every digit kept.
func (u User) NumericID() json.Number { return json.Number(u.ID) }

// Name is the full name, "" when the user has none.
func (u User) Name() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// Verified is *EmailVerified, false when nil.
func (u User) Verified() bool { return u.EmailVerified != nil && *u.EmailVerified }

// OrNil returns s, or nil when s is "", for JSON members a provider sends
// as null.
func OrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// StandardClaims are u's OpenID Connect standard claims (OpenID Connect
// Core section 5.1) that most providers send: email and email_verified
// when u has an email address, name, given_name and family_name when u has
// names, and picture. A provider that sends a username adds its claim.
func StandardClaims(u User) map[string]any {
	c := map[string]any{"picture": u.AvatarURL}
	if u.Email != "" {
		c["email"], c["email_verified"] = u.Email, u.Verified()
	}
	if u.Name() != "" {
		c["name"], c["given_name"], c["family_name"] = u.Name(), u.FirstName, u.LastName
	}
	return c
}
