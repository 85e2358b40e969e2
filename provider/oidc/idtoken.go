package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"hash"
	"regexp"
	"slices"
	"strings"
	"time"

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

// idClaims are the ID token claims Tether checks, decoded once from the
// verified payload (the identity is mapped from the claims map, which
// hosts get as Identity.Claims).
type idClaims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  audience     `json:"aud"`
	Expiry    *numericDate `json:"exp"`
	IssuedAt  *numericDate `json:"iat"`
	NotBefore *numericDate `json:"nbf"`
	Nonce     string       `json:"nonce"`
	AZP       *string      `json:"azp"`
	AtHash    string       `json:"at_hash"`
	Tenant    any          `json:"tid"`
}

// audience is "aud": one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// numericDate is a JWT NumericDate: seconds since the epoch, fractions
// dropped.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	f, err := n.Float64()
	if err != nil {
		return err
	}
	d.Time = time.Unix(int64(f), 0)
	return nil
}

// nbfLeeway is how far in the future an "nbf" may be, on top of the clock
// skew, as go-oidc allowed before Tether checked ID tokens itself.
const nbfLeeway = 5 * time.Minute

// parseIDToken is the one parse of an ID token: the algorithm from its
// header, the signature with the provider's keys (one JWS parse, by
// go-oidc's key set, which refetches the keys for an unknown key id),
// then the claims decoded once into idClaims and once into the map. It
// checks the expiry and "nbf" too, which no use of a token skips.
func (p *Provider) parseIDToken(ctx context.Context, raw string) (*idClaims, map[string]any, jose.SignatureAlgorithm, error) {
	alg := jose.SignatureAlgorithm(headerAlgorithm(raw))
	switch {
	case alg == "" || strings.Count(raw, ".") != 2:
		return nil, nil, "", idTokenInvalid(checkMalformed)
	case !slices.Contains(p.algorithms, alg):
		return nil, nil, "", idTokenInvalid(checkAlgorithm)
	}
	payload, err := p.keySet.VerifySignature(ctx, raw)
	if err != nil {
		// Only on failure: a token that does not even parse is malformed.
		if _, perr := jose.ParseSignedCompact(raw, p.algorithms); perr != nil {
			return nil, nil, "", idTokenInvalid(checkMalformed)
		}
		return nil, nil, "", idTokenInvalid(checkSignature)
	}
	var c idClaims
	var m map[string]any
	if json.Unmarshal(payload, &c) != nil || json.Unmarshal(payload, &m) != nil || m == nil {
		return nil, nil, "", idTokenInvalid(checkClaims)
	}
	now := p.now().Add(-p.skew)
	switch {
	case c.Expiry == nil || c.Expiry.Before(now):
		return nil, nil, "", idTokenInvalid(checkExpired)
	case c.NotBefore != nil && now.Add(nbfLeeway).Before(c.NotBefore.Time):
		return nil, nil, "", idTokenInvalid(checkNotYet)
	}
	return &c, m, alg, nil
}

// checkIssuer checks "iss" (against the template and the token's tenant
// for a template issuer).
func (p *Provider) checkIssuer(c *idClaims) error {
	tid, _ := c.Tenant.(string)
	if p.issuerMatches(c.Issuer, tid) {
		return nil
	}
	if p.issuerTemplate && !tenantPattern.MatchString(tid) {
		return idTokenInvalid(checkTenant)
	}
	return idTokenInvalid(checkIssuer)
}

// verifyIDToken validates raw as OpenID Connect Core section 3.1.3.7 says
// and returns its claims: the algorithm, signature, iss, aud, exp, nbf,
// sub, iat, azp, the nonce when wantNonce is set (refreshed ID tokens carry
// none, section 12.2) and at_hash, then a catalogue provider's own check.
// The token is parsed and verified once.
func (p *Provider) verifyIDToken(ctx context.Context, raw, accessToken, nonce string, wantNonce bool) (map[string]any, error) {
	c, claims, alg, err := p.parseIDToken(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := p.checkIssuer(c); err != nil {
		return nil, err
	}
	switch {
	case !slices.Contains(c.Audience, p.clientID):
		return nil, idTokenInvalid(checkAudience)
	case c.Subject == "":
		return nil, idTokenInvalid(checkSubject)
	case c.IssuedAt == nil:
		return nil, idTokenInvalid(checkIssuedAt)
	case c.IssuedAt.After(p.now().Add(p.skew)):
		return nil, idTokenInvalid(checkFuture)
	case c.AZP != nil && *c.AZP != p.clientID:
		return nil, idTokenInvalid(checkAZP)
	case c.AZP == nil && len(c.Audience) > 1:
		return nil, idTokenInvalid(checkMissingAZP)
	case wantNonce && !(c.Nonce == "" && p.allowMissingNonce) &&
		subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1:
		return nil, idTokenInvalid(checkNonce)
	case c.AtHash != "" && !atHashMatches(alg, c.AtHash, accessToken):
		return nil, idTokenInvalid(checkAtHash)
	}
	if p.checkClaims != nil {
		if err := p.checkClaims(claims); err != nil {
			return nil, idTokenInvalid(idTokenCheck("failed a provider-specific check: " + err.Error()))
		}
	}
	return claims, nil
}

// atHashMatches reports whether atHash is the left half of the access
// token's hash with the ID token's algorithm (OpenID Connect Core section
// 3.1.3.6).
func atHashMatches(alg jose.SignatureAlgorithm, atHash, accessToken string) bool {
	var h hash.Hash
	switch alg {
	case jose.RS256, jose.ES256, jose.PS256:
		h = sha256.New()
	case jose.RS384, jose.ES384, jose.PS384:
		h = sha512.New384()
	case jose.RS512, jose.ES512, jose.PS512, jose.EdDSA:
		h = sha512.New()
	default:
		return false
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])), []byte(atHash)) == 1
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
	c, claims, _, err := p.parseIDToken(ctx, raw)
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := p.checkIssuer(c); err != nil {
		return nil, time.Time{}, err
	}
	aud := slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(p.audiences, a) })
	switch {
	case !aud:
		return nil, time.Time{}, idTokenInvalid(checkAudience)
	case c.AZP != nil && !slices.Contains(p.audiences, *c.AZP):
		return nil, time.Time{}, idTokenInvalid(checkAZP)
	case c.Subject == "":
		return nil, time.Time{}, idTokenInvalid(checkSubject)
	case c.IssuedAt == nil:
		return nil, time.Time{}, idTokenInvalid(checkIssuedAt)
	case c.IssuedAt.After(p.now().Add(p.skew)):
		return nil, time.Time{}, idTokenInvalid(checkFuture)
	case nonce != "" && subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1:
		return nil, time.Time{}, idTokenInvalid(checkNonce)
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
	return id, c.Expiry.Time, nil
}
