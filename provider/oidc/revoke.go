package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Revoke revokes token at the provider's RFC 7009 revocation endpoint,
// authenticating as Config.AuthStyle says; hint is sent as token_type_hint
// ("refresh_token" or "access_token") when not empty. The provider answers
// 200 for tokens it does not know, so revoking twice succeeds. It returns
// ErrNoRevocationEndpoint when discovery named no endpoint; other errors
// carry the HTTP status and the OAuth error code only.
func (p *Provider) Revoke(ctx context.Context, token, hint string) error {
	if p.revocationURL == "" {
		return ErrNoRevocationEndpoint
	}
	if token == "" {
		return fmt.Errorf("oidc: Revoke of an empty token")
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if p.authStyle == oauth2.AuthStyleInParams {
		form.Set("client_id", p.clientID)
		form.Set("client_secret", p.clientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.revocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("oidc: revocation request: %w", sanitize(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p.authStyle == oauth2.AuthStyleInHeader {
		// Form-encoded before Basic encoding, as RFC 6749 section 2.3.1 says.
		req.SetBasicAuth(url.QueryEscape(p.clientID), url.QueryEscape(p.clientSecret))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("oidc: revocation failed: %w", sanitize(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	body, _ := io.ReadAll(resp.Body) // bounded by limitTransport
	_ = json.Unmarshal(body, &e)
	return fmt.Errorf("oidc: revocation failed: %w", newStatusError(resp.StatusCode, e.Error))
}
