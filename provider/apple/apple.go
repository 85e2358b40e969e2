// Package apple is the Sign in with Apple provider (strategy oauth_apple):
// OpenID Connect with Apple's documented endpoints, for web sign-in with a
// Services ID.
//
// # Client secret
//
// Apple's client secret is not a static string but an ES256 JWT signed
// with the private key (the .p8 file) of a "Sign in with Apple" key: its
// header names the key id, and its claims the team id (iss), the Services
// ID (sub), Apple (aud "https://appleid.apple.com"), and when it was issued
// and expires. The provider makes one from Config.PrivateKey when it first
// needs one, reuses it, and makes a new one when less than a quarter of
// Config.SecretLifetime is left, so a host never handles the JWT. A missing
// or malformed key, key id or team id is an error of New, never of a
// callback.
//
// # The user's name
//
// Apple puts the user's name in no token: it sends it once, on the first
// authorization of the app by that user, as the "user" parameter of the
// callback, a JSON object ({"name": {"firstName": ..., "lastName": ...},
// "email": ...}) posted with the code. The authorization therefore asks for
// response_mode=form_post (which Apple requires when it requests the name
// or email), the callback must accept POST (httpadapter does), and the
// provider takes the first and last names from that parameter into the
// Identity. Only the names are taken: the parameter is not signed, so the
// email address and its verified flag come from the ID token alone.
// Later authorizations carry no "user": their Identity has no names.
//
// # Identity
//
// The provider user id is the ID token's "sub", stable for the team. The
// email may be a private relay address (the "is_private_email" claim, kept
// in Identity.Claims); email_verified arrives as a string, read as a
// boolean. Apple has no username and no avatar.
//
// Tokens refresh, and Revoke uses Apple's revocation endpoint (which an app
// offering account deletion must call).
package apple

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/internal/catalog"
	"github.com/tetherauth/tether/verification"
)

// Strategy is the strategy Apple serves.
var Strategy = verification.MustParseStrategy("oauth_apple")

// Issuer is Apple's issuer identifier, the base of its endpoints and the
// audience of client secrets.
const Issuer = "https://appleid.apple.com"

// DefaultScopes ask for the name and the email address ("openid" is added).
var DefaultScopes = []string{"name", "email"}

// Client secret lifetimes: Apple accepts at most six months.
const (
	DefaultSecretLifetime = time.Hour
	MaxSecretLifetime     = 180 * 24 * time.Hour
)

// idPattern is an Apple team id or key id: ten uppercase letters and
// digits.
var idPattern = regexp.MustCompile(`^[A-Z0-9]{10}$`)

// Config configures the Apple provider. ClientID, TeamID, KeyID and
// PrivateKey are required; every other zero field has a default.
type Config struct {
	// ClientID is the Services ID ("com.example.web"), the client id of
	// web sign-in.
	ClientID string
	// AdditionalAudiences are the host's app bundle ids
	// ("com.example.app") whose ID tokens SignInWithIDToken accepts
	// (strategy oauth_token_apple): Sign in with Apple on a phone.
	AdditionalAudiences []string
	// TeamID is the Apple Developer team id, KeyID the id of the "Sign in
	// with Apple" key, and PrivateKey that key's .p8 file (PEM, PKCS #8,
	// P-256; SEC 1 "EC PRIVATE KEY" PEM is accepted too).
	TeamID     string
	KeyID      string
	PrivateKey []byte
	// SecretLifetime is how long each generated client secret is valid.
	// Default: DefaultSecretLifetime; at most MaxSecretLifetime.
	SecretLifetime time.Duration
	// Scopes are requested on every authorization ("openid" is always
	// added). Default: DefaultScopes.
	Scopes []string
	// BaseURL, when set, replaces Issuer for every endpoint and as
	// issuer, for tests against a fake Apple. Client secrets keep Apple's
	// audience.
	BaseURL string
	// HTTP is the client, timeout, response size limit and clock of
	// every request to Apple; its zero value is the default.
	HTTP provider.HTTPSettings
	// ClockSkew is as in oidc.Config.
	ClockSkew time.Duration
}

// String describes c without its private key.
func (c Config) String() string {
	return fmt.Sprintf("apple.Config{ClientID: %q, TeamID: %q, KeyID: %q, PrivateKey: REDACTED}", c.ClientID, c.TeamID, c.KeyID)
}

// GoString is String, so that %#v does not print the private key either.
func (c Config) GoString() string { return c.String() }

// endpoint is Apple's, from
// https://developer.apple.com/documentation/sign_in_with_apple/sign_in_with_apple_rest_api.
var endpoint = catalog.Endpoint{
	AuthURL:       Issuer + "/auth/authorize",
	TokenURL:      Issuer + "/auth/token",
	JWKSURL:       Issuer + "/auth/keys",
	RevocationURL: Issuer + "/auth/revoke",
}

// Provider is the Apple provider. It is safe for concurrent use.
type Provider struct {
	provider.Provider
	provider.Refresher
	provider.Revoker
	provider.IDTokenVerifier
}

// New returns the Apple provider. It does no I/O; it fails when a required
// field is missing, the key does not parse as a P-256 private key, an id is
// malformed, or BaseURL is invalid. It signs a first client secret to prove
// the key works.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("apple: Config.ClientID (the Services ID) is required")
	case cfg.TeamID == "":
		return nil, errors.New("apple: Config.TeamID is required")
	case !idPattern.MatchString(cfg.TeamID):
		return nil, fmt.Errorf("apple: Config.TeamID %q is not a 10-character Apple team id", cfg.TeamID)
	case cfg.KeyID == "":
		return nil, errors.New("apple: Config.KeyID is required")
	case !idPattern.MatchString(cfg.KeyID):
		return nil, fmt.Errorf("apple: Config.KeyID %q is not a 10-character Apple key id", cfg.KeyID)
	case len(cfg.PrivateKey) == 0:
		return nil, errors.New("apple: Config.PrivateKey (the .p8 file) is required")
	case cfg.SecretLifetime < 0 || cfg.SecretLifetime > MaxSecretLifetime:
		return nil, fmt.Errorf("apple: Config.SecretLifetime %v is not between 0 and %v", cfg.SecretLifetime, MaxSecretLifetime)
	}
	key, err := parseKey(cfg.PrivateKey)
	if err != nil {
		return nil, err
	}
	base, err := catalog.BaseURL("apple", "BaseURL", cfg.BaseURL, Issuer)
	if err != nil {
		return nil, err
	}
	lifetime := cfg.SecretLifetime
	if lifetime == 0 {
		lifetime = DefaultSecretLifetime
	}
	now := cfg.HTTP.Now
	if now == nil {
		now = time.Now
	}
	secret, err := newClientSecret(key, cfg.KeyID, cfg.TeamID, cfg.ClientID, lifetime, now)
	if err != nil {
		return nil, err
	}
	if _, err := secret.get(context.Background()); err != nil {
		return nil, fmt.Errorf("apple: the private key cannot sign a client secret: %w", err)
	}
	return catalog.NewOIDC[Provider](catalog.OIDC{
		Spec: catalog.Spec{
			Strategy:      Strategy,
			Title:         "Apple",
			Endpoint:      endpoint.Rebase(Issuer, base),
			DefaultScopes: DefaultScopes,
			AuthStyle:     catalog.ClientSecretPost,
		},
		Issuer: base,
		OIDC:   catalog.OIDCHooks{ClientSecretFunc: secret.get, AuthParams: authParams, MapIdentity: mapIdentity},
	}, catalog.Host{
		Credentials: provider.Credentials{ClientID: cfg.ClientID}, Scopes: cfg.Scopes, HTTP: cfg.HTTP, ClockSkew: cfg.ClockSkew,
		AdditionalAudiences: cfg.AdditionalAudiences,
	})
}

// parseKey reads a .p8 file: a PEM PKCS #8 (or SEC 1) P-256 private key.
func parseKey(b []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("apple: Config.PrivateKey is not PEM (the .p8 file's content is)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("apple: Config.PrivateKey is a PEM %q block, not a private key", block.Type)
	}
	if err != nil {
		return nil, errors.New("apple: Config.PrivateKey does not parse as a private key")
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("apple: Config.PrivateKey is not a P-256 (ES256) key")
	}
	return ec, nil
}

// authParams asks for form_post, which Apple requires with the name and
// email scopes, and drops prompt and login_hint, which Apple does not
// define.
func authParams(_ provider.AuthRequest, v url.Values) {
	v.Set("response_mode", "form_post")
	v.Del("prompt")
	v.Del("login_hint")
}
