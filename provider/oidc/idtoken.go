package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// idTokenCheck names the ID token check that failed. It is the cause of an
// ErrIDTokenInvalid and the end of its long message, and holds nothing from
// the token.
type idTokenCheck string

func (c idTokenCheck) Error() string { return "oidc: ID token " + string(c) }

// The ID token checks.
const (
	checkMissing    idTokenCheck = "is missing from the token response"
	checkMalformed  idTokenCheck = "is not a well-formed signed JWT"
	checkAlgorithm  idTokenCheck = "is signed with an algorithm that is not allowed"
	checkSignature  idTokenCheck = "has a signature that does not verify with the provider's keys"
	checkIssuer     idTokenCheck = "was issued by another issuer (iss)"
	checkAudience   idTokenCheck = "was issued to another audience (aud)"
	checkExpired    idTokenCheck = "has expired (exp)"
	checkNotYet     idTokenCheck = "is not valid yet (nbf)"
	checkClaims     idTokenCheck = "has malformed claims"
	checkSubject    idTokenCheck = "has no subject (sub)"
	checkIssuedAt   idTokenCheck = "has no issue time (iat)"
	checkFuture     idTokenCheck = "was issued in the future (iat)"
	checkAZP        idTokenCheck = "was issued to another authorized party (azp)"
	checkMissingAZP idTokenCheck = "has several audiences and no authorized party (azp)"
	checkNonce      idTokenCheck = "has a nonce that does not match the authorization request's"
	checkAtHash     idTokenCheck = "has an access token hash (at_hash) that does not match the access token"
	checkTenant     idTokenCheck = "names no tenant (tid) that its issuer (iss) belongs to"
)

// tenantPattern is what a tenant id must look like to be put into an
// issuer template: a GUID, as Microsoft's "tid" is.
var tenantPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// googleIssuerNoScheme is the other spelling of Google's issuer, which
// go-oidc accepts too.
const googleIssuerNoScheme = "accounts.google.com"

// issuerMatches reports whether iss is the provider's issuer: equal to it,
// or for a template, equal to it with {tenantid} replaced by tid, a GUID.
func (p *Provider) issuerMatches(iss, tid string) bool {
	if !p.issuerTemplate {
		return iss == p.issuer || (p.issuer == "https://"+googleIssuerNoScheme && iss == googleIssuerNoScheme)
	}
	return tenantPattern.MatchString(tid) && iss == strings.Replace(p.issuer, tenantPlaceholder, tid, 1)
}

// idTokenInvalid is the error of a failed check.
func idTokenInvalid(c idTokenCheck) *verification.Error {
	return verification.ErrIDTokenInvalid.
		WithLongMessage("The provider's ID token " + string(c) + ".").
		Wrap(c)
}

// verifyIDToken validates raw as OpenID Connect Core section 3.1.3.7 says
// and returns its claims. go-oidc checks the algorithm, signature, iss, aud
// and exp; the other checks are the ones it leaves to its callers. The nonce
// is checked when wantNonce is set: refreshed ID tokens carry none (section
// 12.2). A template issuer, which go-oidc skips, is checked here against
// the token's tenant, and a catalogue provider's own check runs last.
func (p *Provider) verifyIDToken(ctx context.Context, raw, accessToken, nonce string, wantNonce bool) (map[string]any, error) {
	// The algorithm is checked before go-oidc, whose error would not say
	// which check failed.
	if _, err := jose.ParseSignedCompact(raw, p.algorithms); err != nil {
		if alg := headerAlgorithm(raw); alg != "" && !slices.Contains(p.algorithms, jose.SignatureAlgorithm(alg)) {
			return nil, idTokenInvalid(checkAlgorithm)
		}
		return nil, idTokenInvalid(checkMalformed)
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, idTokenInvalid(p.failedCheck(ctx, raw, err))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, idTokenInvalid(checkClaims)
	}
	if p.issuerTemplate {
		iss, _ := claims["iss"].(string)
		tid, _ := claims["tid"].(string)
		if !p.issuerMatches(iss, tid) {
			if !tenantPattern.MatchString(tid) {
				return nil, idTokenInvalid(checkTenant)
			}
			return nil, idTokenInvalid(checkIssuer)
		}
	}
	if idt.Subject == "" {
		return nil, idTokenInvalid(checkSubject)
	}
	if _, ok := claims["iat"].(float64); !ok {
		return nil, idTokenInvalid(checkIssuedAt)
	}
	if idt.IssuedAt.After(p.now().Add(p.skew)) {
		return nil, idTokenInvalid(checkFuture)
	}
	if v, ok := claims["azp"]; ok {
		if azp, _ := v.(string); azp != p.clientID {
			return nil, idTokenInvalid(checkAZP)
		}
	} else if len(idt.Audience) > 1 {
		return nil, idTokenInvalid(checkMissingAZP)
	}
	if wantNonce && !(idt.Nonce == "" && p.allowMissingNonce) &&
		subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, idTokenInvalid(checkNonce)
	}
	if idt.AccessTokenHash != "" && idt.VerifyAccessToken(accessToken) != nil {
		return nil, idTokenInvalid(checkAtHash)
	}
	if p.checkClaims != nil {
		if err := p.checkClaims(claims); err != nil {
			return nil, idTokenInvalid(idTokenCheck("failed a provider-specific check: " + err.Error()))
		}
	}
	return claims, nil
}

// failedCheck finds which go-oidc check rejected raw. go-oidc verifies the
// signature before any claim, so when the signature verifies (the key set
// is cached by then; the algorithm was checked above), a claim check failed
// and the now-authentic claims say which.
func (p *Provider) failedCheck(ctx context.Context, raw string, err error) idTokenCheck {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return checkExpired
	}
	payload, err := p.keySet.VerifySignature(ctx, raw)
	if err != nil {
		return checkSignature
	}
	var c struct {
		Issuer    string          `json:"iss"`
		Tenant    any             `json:"tid"`
		Audience  json.RawMessage `json:"aud"`
		NotBefore *float64        `json:"nbf"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return checkClaims
	}
	tid, _ := c.Tenant.(string)
	if !p.issuerMatches(c.Issuer, tid) {
		return checkIssuer
	}
	var aud []string
	var one string
	if json.Unmarshal(c.Audience, &one) == nil {
		aud = []string{one}
	} else if json.Unmarshal(c.Audience, &aud) != nil {
		return checkAudience
	}
	if !slices.Contains(aud, p.clientID) {
		return checkAudience
	}
	if c.NotBefore != nil && time.Unix(int64(*c.NotBefore), 0).After(p.now()) {
		return checkNotYet
	}
	return checkClaims
}

// algPattern is what an "alg" header must look like to be compared.
var algPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,16}$`)

// headerAlgorithm returns the "alg" of a compact JWS's header without
// verifying anything, or "".
func headerAlgorithm(raw string) string {
	h, _, ok := strings.Cut(raw, ".")
	if !ok {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &header) != nil || !algPattern.MatchString(header.Alg) {
		return ""
	}
	return header.Alg
}

// VerifyIDToken implements provider.IDTokenVerifier: an ID token a native
// client obtained, checked as the code flow's are (signature, algorithm,
// issuer, expiry, iat, sub, at_hash is absent), with an audience and azp
// among the client id and Config.AdditionalAudiences, and the nonce when
// given. Replays are the caller's to refuse (the Service keeps each token
// until it expires).
func (p *Provider) VerifyIDToken(ctx context.Context, raw, nonce string) (*provider.Identity, time.Time, error) {
	if _, err := jose.ParseSignedCompact(raw, p.algorithms); err != nil {
		return nil, time.Time{}, idTokenInvalid(checkMalformed)
	}
	idt, err := p.native.Verify(ctx, raw)
	if err != nil {
		return nil, time.Time{}, idTokenInvalid(p.failedCheck(ctx, raw, err))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, time.Time{}, idTokenInvalid(checkClaims)
	}
	if p.issuerTemplate {
		iss, _ := claims["iss"].(string)
		tid, _ := claims["tid"].(string)
		if !p.issuerMatches(iss, tid) {
			return nil, time.Time{}, idTokenInvalid(checkIssuer)
		}
	}
	aud := slices.ContainsFunc(idt.Audience, func(a string) bool { return slices.Contains(p.audiences, a) })
	azp, hasAZP := claims["azp"].(string)
	switch {
	case !aud:
		return nil, time.Time{}, idTokenInvalid(checkAudience)
	case hasAZP && !slices.Contains(p.audiences, azp):
		return nil, time.Time{}, idTokenInvalid(checkAZP)
	case idt.Subject == "":
		return nil, time.Time{}, idTokenInvalid(checkSubject)
	case idt.IssuedAt.After(p.now().Add(p.skew)):
		return nil, time.Time{}, idTokenInvalid(checkFuture)
	case nonce != "" && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1:
		return nil, time.Time{}, idTokenInvalid(checkNonce)
	}
	if _, ok := claims["iat"].(float64); !ok {
		return nil, time.Time{}, idTokenInvalid(checkIssuedAt)
	}
	if p.checkClaims != nil {
		if err := p.checkClaims(claims); err != nil {
			return nil, time.Time{}, idTokenInvalid(idTokenCheck("failed a provider-specific check: " + err.Error()))
		}
	}
	id := identityFromClaims(claims)
	if p.mapIdentity != nil {
		if err := p.mapIdentity(id, claims, nil); err != nil {
			return nil, time.Time{}, verification.ErrFetchUser.WithLongMessage("The provider's profile could not be mapped to an account.").Wrap(errIdentityMapping)
		}
	}
	return id, idt.Expiry, nil
}
