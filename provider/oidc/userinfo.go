package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tetherauth/tether/provider/internal/oauthclient"
	"github.com/tetherauth/tether/verification"
)

// errSubMismatch is the cause of a userinfo response about another account.
var errSubMismatch = errors.New("oidc: userinfo sub mismatch")

// errUserinfoJWT is the cause of a signed userinfo response that does not
// verify.
var errUserinfoJWT = errors.New("oidc: signed userinfo response does not verify")

// userinfo fetches the userinfo endpoint with the access token (OpenID
// Connect Core section 5.3) and returns its claims. A signed response
// (application/jwt) must verify with the provider's keys and, when it names
// them, its issuer and audience must be the provider and this client.
func (p *Provider) userinfo(ctx context.Context, accessToken string) (map[string]any, error) {
	fail := func(err error) error {
		return p.failure(verification.ErrFetchUser, "return the account's profile from its userinfo endpoint", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.userinfoURL, nil)
	if err != nil {
		return nil, fail(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json, application/jwt")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // bounded by limitTransport
	if err != nil {
		return nil, fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fail(newStatusError(resp.StatusCode, oauthclient.ErrorCode(resp, body)))
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/jwt" {
		if body, err = p.verifyUserinfoJWT(ctx, string(body)); err != nil {
			return nil, verification.ErrFetchUser.
				WithLongMessage("The provider's signed userinfo response did not verify.").
				Wrap(errUserinfoJWT)
		}
	}
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
		return nil, fail(errMalformedResponse)
	}
	return claims, nil
}

// verifyUserinfoJWT verifies a signed userinfo response and returns its
// claims (OpenID Connect Core section 5.3.2).
func (p *Provider) verifyUserinfoJWT(ctx context.Context, raw string) ([]byte, error) {
	// The algorithm is checked here; the key set checks only signatures.
	if _, err := jose.ParseSignedCompact(raw, p.algorithms); err != nil {
		return nil, err
	}
	payload, err := p.keySet.VerifySignature(ctx, raw)
	if err != nil {
		return nil, err
	}
	var c struct {
		Issuer   *string         `json:"iss"`
		Tenant   any             `json:"tid"`
		Audience json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	tid, _ := c.Tenant.(string)
	if c.Issuer != nil && !p.issuerMatches(*c.Issuer, tid) {
		return nil, errUserinfoJWT
	}
	if len(c.Audience) > 0 {
		var aud []string
		var one string
		if json.Unmarshal(c.Audience, &one) == nil {
			aud = []string{one}
		} else if json.Unmarshal(c.Audience, &aud) != nil {
			return nil, errUserinfoJWT
		}
		if !slices.Contains(aud, p.clientID) {
			return nil, errUserinfoJWT
		}
	}
	return payload, nil
}
