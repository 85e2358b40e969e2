// Package provider defines how Tether talks to an external identity
// provider: the [Provider] interface, the normalized [Identity] of the
// account at the provider, the [Token] the provider issued, and a [Registry]
// that resolves a strategy (oauth_google, oauth_custom_dev) to its provider.
//
// Generic implementations live in sub-packages: provider/oidc for any OpenID
// Connect provider (discovery or configured endpoints, ID tokens verified
// with go-oidc) and provider/oauth2 for OAuth 2.0 providers without OpenID
// Connect (endpoints and a profile mapping). provider/providertest is a
// real, spec-following fake authorization server for tests and demos.
//
// # Catalogue
//
// One package per provider (LinkedIn's two products share
// provider/linkedin), each a thin layer over provider/oidc or
// provider/oauth2: the provider's endpoints and default scopes as data
// (provider/internal/catalog), its profile mapping and its quirks. New
// takes the host's app registration (most packages' Config is [AppConfig]),
// does no I/O, and fails on a missing or malformed setting. Every package
// names its sources, the documentation pages its endpoints and shapes come
// from; every provider runs the conformance suite of
// provider/providertest/conformance on those shapes.
//
//	Provider           Strategy             Protocol        Default scopes                                     Provider user id               Refresh                   Revocation
//	Apple              oauth_apple          OIDC            openid name email                                  ID token sub                   yes                       yes (/auth/revoke)
//	Atlassian          oauth_atlassian      OAuth 2.0       read:me offline_access                             account_id                     offline_access, rotates   no
//	Bitbucket          oauth_bitbucket      OAuth 2.0       account email                                      uuid                           yes                       no
//	Box                oauth_box            OAuth 2.0       root_readonly                                      id                             yes, rotates              yes (/oauth2/revoke)
//	Coinbase           oauth_coinbase       OAuth 2.0+PKCE  wallet:user:read wallet:user:email offline_access  data.id (UUID)                 offline_access, rotates   yes (RFC 7009)
//	Discord            oauth_discord        OAuth 2.0+PKCE  identify email                                     id (snowflake)                 yes, rotates              yes (RFC 7009)
//	Dropbox            oauth_dropbox        OAuth 2.0+PKCE  account_info.read                                  account_id (dbid:...)          yes (offline)             yes (by access token)
//	Facebook           oauth_facebook       OAuth 2.0+PKCE  email public_profile                               id (app-scoped)                no (long-lived)           yes (DELETE /me/permissions)
//	GitHub             oauth_github         OAuth 2.0+PKCE  read:user user:email                               id (numeric, never the login)  GitHub Apps only          yes (DELETE /applications/{client_id}/grant)
//	GitLab             oauth_gitlab         OIDC            openid profile email                               ID token sub (numeric)         yes, rotates              yes (RFC 7009)
//	Google             oauth_google         OIDC            openid email profile                               ID token sub                   yes (access_type)         yes (RFC 7009)
//	HubSpot            oauth_hubspot        OAuth 2.0       oauth                                              user_id (token metadata)       yes                       yes (refresh tokens)
//	Hugging Face       oauth_huggingface    OIDC            openid profile email                               ID token sub                   no                        no
//	Instagram          oauth_instagram      OAuth 2.0       instagram_business_basic                           user_id                        no (long-lived exchange)  no
//	LINE               oauth_line           OIDC (HS256)    openid profile (+ email)                           ID token sub (U...)            yes                       yes (access tokens)
//	Linear             oauth_linear         OAuth 2.0+PKCE  read                                               viewer id (UUID, GraphQL)      yes                       yes (by access token)
//	LinkedIn           oauth_linkedin_oidc  OIDC            openid profile email                               ID token sub                   partners only             yes (/oauth/v2/revoke)
//	LinkedIn (legacy)  oauth_linkedin       OAuth 2.0       r_liteprofile r_emailaddress                       id                             partners only             yes (/oauth/v2/revoke)
//	Microsoft          oauth_microsoft      OIDC            openid email profile offline_access                ID token sub                   yes, rotates              no
//	Notion             oauth_notion         OAuth 2.0       (none: access is chosen per page)                  bot owner's user id            yes, rotates              yes (by access token)
//	Slack              oauth_slack          OIDC            openid profile email                               ID token sub (user id)         with token rotation       yes (auth.revoke)
//	Spotify            oauth_spotify        OAuth 2.0+PKCE  user-read-email user-read-private                  account_id (else id)           yes (may rotate)          no
//	TikTok             oauth_tiktok         OAuth 2.0       user.info.basic                                    open_id                        yes, rotates              yes (access tokens)
//	Twitch             oauth_twitch         OIDC            openid user:read:email                             ID token sub                   yes, rotates              yes (access tokens)
//	Twitter (X legacy) oauth_twitter        OAuth 1.0a      (none: set on the app)                             id_str                         no (never expire)         yes (invalidate_token)
//	Vercel             oauth_vercel         OIDC            openid email profile offline_access                ID token sub                   offline_access, rotates   yes (RFC 7009)
//	X                  oauth_x              OAuth 2.0+PKCE  tweet.read users.read offline.access               data.id                        yes, rotates              yes (RFC 7009)
//	Xero               oauth_xero           OIDC            openid profile email offline_access                xero_userid                    offline_access, rotates   yes (refresh tokens)
//
// The OpenID Connect providers send a nonce and validate the ID token in
// full; every provider that accepts PKCE gets S256. Providers with refresh
// implement [Refresher]; providers with revocation implement [Revoker]
// (the OAuth 1.0a provider revokes with [OAuth1].RevokeCredentials). A
// host's own provider is registered as oauth_custom_<slug>, built with
// provider/oidc or provider/oauth2.
//
// Clerk's catalogue has 29 strategies; 28 are served:
//
//   - oauth_twitter, Clerk's legacy X integration, speaks OAuth 1.0a (RFC
//     5849), not OAuth 2.0: provider/twitter implements [OAuth1], whose
//     flows start with a request for temporary credentials that the Service
//     keeps sealed with the flow until the callback, and whose tokens come
//     with a secret ([Token].TokenSecret). New integrations should prefer
//     oauth_x (OAuth 2.0 with PKCE), which signs in the same X accounts.
//   - oauth_enstall is not served: no public documentation of Enstall's
//     OAuth endpoints, scopes or profile could be found (Clerk names the
//     strategy only), and a catalogue provider is written from its
//     provider's documentation.
//
// # Errors
//
// Implementations report failures as *verification.Error values so that the
// account Service can apply the state machine without knowing the provider:
// verification.ErrTokenExchange when the code exchange fails (an HTTP 200
// with an "error" member included), verification.ErrFetchUser when the
// profile cannot be fetched or has no account id,
// verification.ErrIDTokenInvalid when an ID token fails validation, and
// verification.ErrProviderNotEnabled for a strategy nobody registered or
// that is disabled. A provider's error response is wrapped as an
// [OAuthError] (HTTP status and OAuth error code), so callers can tell an
// invalid_grant from a temporary failure; Revoke wraps
// [ErrRevocationUnsupported] when there is nothing it can revoke.
// Errors never carry the code, the PKCE verifier, the nonce, a token or a
// client secret, and never echo a provider's raw response body.
package provider

import (
	"context"
	"time"

	"github.com/tetherauth/tether/verification"
)

// Provider is one external identity provider, configured with the host's
// client credentials. Implementations must be safe for concurrent use.
type Provider interface {
	// Strategy is the verification strategy this provider serves, such as
	// oauth_google or oauth_custom_dev.
	Strategy() verification.Strategy

	// Metadata describes the provider: its issuer and what it supports.
	Metadata() Metadata

	// AuthCodeURL returns the URL of the provider's authorization endpoint
	// for req. It does no I/O beyond what configuration needs and never
	// logs req.
	AuthCodeURL(ctx context.Context, req AuthRequest) (string, error)

	// Exchange redeems an authorization code for tokens (with the PKCE
	// verifier), validates them (for OpenID Connect: the ID token's
	// signature, issuer, audience, expiry, issued-at, nonce and subject) and
	// returns the account's identity and the tokens.
	Exchange(ctx context.Context, req ExchangeRequest) (*Identity, *Token, error)
}

// Metadata describes a provider to the account Service.
type Metadata struct {
	// Issuer identifies the authorization server, as in RFC 8414 and OpenID
	// Connect Discovery. When set, an RFC 9207 "iss" callback parameter must
	// equal it.
	Issuer string
	// IssuerParameterSupported is the server's
	// authorization_response_iss_parameter_supported: when true, a callback
	// without "iss" is rejected (RFC 9207 section 2.4).
	IssuerParameterSupported bool
	// OpenID reports whether the provider speaks OpenID Connect; the
	// Service then sends a nonce with every authorization request.
	OpenID bool
	// DefaultScopes are requested on every authorization, before any the
	// user adds.
	DefaultScopes []string
	// Title is the human name, such as "Google"; ProviderTitle appends
	// " Account".
	Title string
}

// AuthRequest is what the Service asks a provider's authorization endpoint
// for. State, CodeChallenge and Nonce are secrets of the flow; a Provider
// never logs them.
type AuthRequest struct {
	// State is the opaque value the provider returns on the callback.
	State string
	// CodeChallenge is the RFC 7636 S256 challenge of the flow's verifier;
	// the method is always S256.
	CodeChallenge string
	// Nonce is set for OpenID Connect providers and must be sent as the
	// "nonce" parameter.
	Nonce string
	// RedirectURI is the absolute callback URL registered at the provider.
	RedirectURI string
	// Scopes are the scopes to request, defaults included.
	Scopes []string
	// Prompt is the OpenID Connect "prompt" parameter ("consent",
	// "select_account", ...); empty means none.
	Prompt string
	// LoginHint is the OpenID Connect "login_hint" parameter; empty means
	// none.
	LoginHint string
	// Offline asks for a refresh token where the provider needs to be asked
	// (Google's access_type=offline).
	Offline bool
}

// ExchangeRequest is what the Service gives a provider to redeem an
// authorization code.
type ExchangeRequest struct {
	Code         string
	CodeVerifier string
	RedirectURI  string
	// Nonce is the nonce sent in the authorization request. It is required
	// when the provider's Metadata().OpenID is true: an OpenID Connect
	// provider rejects an exchange without it (before redeeming the code)
	// and requires the ID token's nonce claim to equal it. Other providers
	// ignore it.
	Nonce string
	// Params are the other callback parameters, for providers that send
	// data on the callback itself (Apple's "user" on form_post, OAuth
	// 1.0a's oauth_token). Tether removes code, state and iss before
	// passing them on. Nobody signed them: a provider takes from them only
	// what it cannot get otherwise, and never the account's id or email
	// address.
	Params map[string][]string
	// Temporary are the flow's OAuth 1.0a temporary credentials, as
	// [OAuth1.StartOAuth1] returned them; zero for other providers.
	Temporary TemporaryCredentials
}

// Identity is the account at the provider, normalized.
type Identity struct {
	// ProviderUserID is the stable identifier of the account at the
	// provider: the OpenID Connect "sub", GitHub's numeric id. Never an
	// email address or a login name, which can change hands.
	ProviderUserID string
	EmailAddress   string
	// EmailVerified is the provider's word on EmailAddress; nil when the
	// provider does not say.
	EmailVerified *bool
	FirstName     string
	LastName      string
	AvatarURL     string
	Username      string
	// Claims are the raw claims or profile fields the identity was mapped
	// from, for hosts that need more. They are never stored by Tether.
	Claims map[string]any
}

// Token is what the provider's token endpoint issued. It is secret: the
// Service seals it before any store sees it, and its String method hides it.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string
	// TokenSecret is the OAuth 1.0a token credentials' secret (RFC 5849
	// section 2.3), which signs every request with AccessToken; "" for
	// OAuth 2.0.
	TokenSecret string
	// Expiry is when the access token expires; zero when unknown.
	Expiry time.Time
	// Scopes are the scopes the provider says it granted (the token
	// response's "scope"), nil when it did not say.
	Scopes []string
}

// String hides the token's secrets so that a Token printed by mistake leaks
// nothing.
func (t *Token) String() string { return "provider.Token{REDACTED}" }

// GoString hides the token's secrets from %#v.
func (t *Token) GoString() string { return t.String() }

// OAuth1 is implemented by OAuth 1.0a providers (RFC 5849), such as X's
// legacy oauth_twitter. Their authorization starts with a request to the
// provider for temporary credentials (RFC 5849 section 2.1, the "request
// token"), and their callback carries oauth_token and oauth_verifier
// instead of a code. The Service starts their flows with StartOAuth1 (their
// AuthCodeURL fails), keeps the temporary credentials sealed with the flow
// like a PKCE verifier, and on the callback passes oauth_verifier as
// [ExchangeRequest.Code], the callback's other parameters (oauth_token
// among them) as Params, and the credentials as
// [ExchangeRequest.Temporary]. PKCE, nonces and RFC 9207 do not exist in
// OAuth 1.0a; the flow's state travels in the callback URL's query, which
// the provider keeps (RFC 5849 section 2.2).
type OAuth1 interface {
	Provider

	// StartOAuth1 obtains temporary credentials whose callback is
	// req.RedirectURI with req.State added to its query, and returns the
	// URL of the provider's authorization page for them. It does I/O: one
	// request to the provider.
	StartOAuth1(ctx context.Context, req AuthRequest) (authURL string, tmp TemporaryCredentials, err error)

	// RevokeCredentials invalidates token credentials: tok's AccessToken
	// and TokenSecret. It wraps [ErrRevocationUnsupported] when the
	// provider cannot; otherwise its errors are those of
	// [Revoker.Revoke].
	RevokeCredentials(ctx context.Context, tok *Token) error
}

// TemporaryCredentials are OAuth 1.0a temporary credentials (RFC 5849
// section 2.1): the token the authorization page is for and the secret
// that signs its exchange. Both are secrets of the flow; String hides them.
type TemporaryCredentials struct {
	Token  string
	Secret string
}

// String hides the credentials.
func (TemporaryCredentials) String() string { return "provider.TemporaryCredentials{REDACTED}" }

// GoString hides the credentials from %#v.
func (c TemporaryCredentials) GoString() string { return c.String() }

// IDTokenVerifier is implemented by providers whose ID tokens a native
// client may obtain itself (Google One Tap, Sign in with Apple on a phone)
// and hand to the host: account.Service.SignInWithIDToken verifies them
// through it.
type IDTokenVerifier interface {
	// VerifyIDToken verifies raw as an ID token of this provider: the
	// signature with the provider's published keys, the issuer, the
	// expiry, an audience (and azp, when present) among the provider's
	// client ids, and the nonce when nonce is not "". It returns the
	// identity and when the token expires. A token that fails any check
	// is verification.ErrIDTokenInvalid.
	VerifyIDToken(ctx context.Context, raw, nonce string) (*Identity, time.Time, error)
}

// RefreshRequest is what Refresher.Refresh needs.
type RefreshRequest struct {
	// RefreshToken is the refresh token to redeem. Secret.
	RefreshToken string
	// Subject is the account's provider user id. An OpenID Connect
	// provider that returns a new ID token must return one for the same
	// subject (and issuer and audience, OpenID Connect Core section 12.2);
	// "" skips the subject check.
	Subject string
}

// String hides the refresh token.
func (r RefreshRequest) String() string {
	return "provider.RefreshRequest{Subject: " + r.Subject + ", RefreshToken: REDACTED}"
}

// GoString hides the refresh token from %#v.
func (r RefreshRequest) GoString() string { return r.String() }

// Refresher is implemented by providers that can refresh an access token.
type Refresher interface {
	// Refresh redeems a refresh token. The returned token's RefreshToken is
	// empty when the provider did not rotate it. It fails with
	// verification.ErrMissingRefreshToken for an empty refresh token and
	// verification.ErrTokenRetrieval otherwise; a provider's refusal wraps
	// an *OAuthError, whose Code "invalid_grant" means the grant is gone
	// (reauthorize), while [OAuthError.Temporary] failures may be retried.
	Refresh(ctx context.Context, req RefreshRequest) (*Token, error)
}

// Revoker is implemented by providers with a revocation endpoint (RFC 7009
// or the provider's own). Catalogue providers without one do not implement
// it; a generic provider that learns only from its configuration that there
// is none (provider/oidc without a revocation_endpoint) implements it and
// returns an error wrapping ErrRevocationUnsupported.
type Revoker interface {
	// Revoke revokes token; hint is "refresh_token" or "access_token".
	// Revoking a token the provider no longer knows succeeds where the
	// provider says so (RFC 7009). Errors wrap ErrRevocationUnsupported when
	// nothing was sent because the provider cannot revoke this kind of
	// token, an *OAuthError when the provider refused, or a context error,
	// ErrResponseTooLarge or a *url.Error (without the URL's query) when it
	// could not be reached; none carries the token.
	Revoke(ctx context.Context, token, hint string) error
}
