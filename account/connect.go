package account

import (
	"context"

	"github.com/tetherauth/tether/verification"
)

// ConnectParams are the inputs of Connect.
type ConnectParams struct {
	// UserID is the host's signed-in user. Required.
	UserID string
	// Strategy is oauth_<name> or oauth_custom_<slug>. Required.
	Strategy string
	// RedirectURL is where the browser goes after the callback: a path on
	// the host ("/settings") or an absolute http(s) URL. Required.
	RedirectURL string
	// AdditionalScopes are requested on top of the provider's defaults.
	AdditionalScopes []string
	// Label tells apart several accounts of one provider.
	Label string
	// OIDCPrompt and OIDCLoginHint are passed to the provider as prompt
	// and login_hint.
	OIDCPrompt    string
	OIDCLoginHint string
	// Binding binds the flow to the browser that started it: the callback
	// must present the same value in CallbackParams.Binding (httpadapter
	// keeps it in a cookie). Only its hash is stored. A flow must be bound
	// to a browser, or its callback must name the signed-in user in
	// CallbackParams.UserID: Complete refuses a callback that has neither.
	Binding string
}

// ReauthorizeParams are the inputs of Reauthorize.
type ReauthorizeParams struct {
	UserID    string
	AccountID string
	// AdditionalScopes are requested on top of the approved ones.
	AdditionalScopes []string
	RedirectURL      string
	OIDCPrompt       string
	OIDCLoginHint    string
	Binding          string
}

// Connect starts linking a new external account to a user: it returns the
// account, unverified, whose Verification.ExternalVerificationRedirectURL is
// the provider's authorization URL to send the browser to. The flow (state
// hash, PKCE verifier, nonce) waits in the flow store for Complete.
//
// # Errors
//
// An empty UserID is authentication_invalid; an unknown strategy
// verification_strategy_invalid; a strategy without a provider
// oauth_provider_not_enabled; a bad redirect URL, label, scope or prompt
// form_param_invalid (meta.param_name names it). Nothing is stored on bad
// input. Store failures are store_unavailable.
func (s *Service) Connect(ctx context.Context, p ConnectParams) (_ *ExternalAccount, err error) {
	ctx, end := s.operation(ctx, "Connect")
	defer func() { end(err) }()
	if err := validateUserID(p.UserID); err != nil {
		return nil, err
	}
	strategy, prov, err := s.startable(p.Strategy, p.RedirectURL)
	if err != nil {
		return nil, err
	}
	if err := validateScopes(p.AdditionalScopes); err != nil {
		return nil, err
	}
	if err := validateLabel(p.Label); err != nil {
		return nil, err
	}
	if err := validatePrompt(p.OIDCPrompt, p.OIDCLoginHint); err != nil {
		return nil, err
	}

	now := s.clock()
	if err := s.checkLimits(ctx, p.UserID, now); err != nil {
		return nil, err
	}
	a := &ExternalAccount{
		ID:               s.newID(AccountIDPrefix),
		UserID:           p.UserID,
		IdentificationID: s.newID(IdentificationIDPrefix),
		Provider:         strategy,
		Label:            p.Label,
		CreatedAt:        now,
		UpdatedAt:        now,
	}
	fr := flowRequest{
		kind:   FlowConnect,
		userID: a.UserID, subjectID: a.ID, strategy: a.Provider,
		scopes:      mergeScopes(prov.Metadata().DefaultScopes, p.AdditionalScopes),
		redirectURL: p.RedirectURL,
		prompt:      p.OIDCPrompt,
		loginHint:   p.OIDCLoginHint,
		bindingHash: bindingHash(p.Binding),
		offline:     true,
	}
	pf, err := s.prepareFlow(ctx, prov, fr, now)
	if err != nil {
		return nil, err
	}
	a.Verification = s.policy.Start(strategy, pf.url, pf.flow.StateHash, now)
	s.seal(pf, a)
	if err := s.createAccountFlow(ctx, a, pf); err != nil {
		return nil, err
	}
	s.countFlowStarted(ctx, fr.kind, fr.strategy)
	s.log.LogAttrs(ctx, levelInfo, "tether: connect started", accountAttrs(a)...)
	s.emitAccount(ctx, EventAccountCreated, a)
	return a, nil
}

// Reauthorize starts a new verification of an existing account, asking for
// its approved scopes plus AdditionalScopes. The returned account is
// unverified with a fresh authorization URL; until the callback succeeds the
// previous grant (identity, tokens, approved scopes) stays as it was, and it
// stays so if the reauthorization fails or expires. On success the provider
// must return the same identity, else the verification fails with
// external_account_identity_mismatch.
//
// An account that never verified (its connect failed or expired) may be
// reauthorized too: that retries the connect.
//
// # Errors
//
// As Connect, plus external_account_not_found for an account that does not
// exist or belongs to another user, and conflict when the account changed
// concurrently more often than the Service retries.
func (s *Service) Reauthorize(ctx context.Context, p ReauthorizeParams) (_ *ExternalAccount, err error) {
	ctx, end := s.operation(ctx, "Reauthorize")
	defer func() { end(err) }()
	if err := validateUserID(p.UserID); err != nil {
		return nil, err
	}
	if _, err := ValidateRedirectURL(p.RedirectURL); err != nil {
		return nil, err
	}
	if err := validateScopes(p.AdditionalScopes); err != nil {
		return nil, err
	}
	if err := validatePrompt(p.OIDCPrompt, p.OIDCLoginHint); err != nil {
		return nil, err
	}
	a, err := s.get(ctx, p.UserID, p.AccountID)
	if err != nil {
		return nil, err
	}
	prov, err := s.providers.Lookup(a.Provider)
	if err != nil {
		return nil, err
	}
	offline := true
	if a.HasIdentity() {
		if tok, err := s.openTokens(ctx, a.ID); err == nil && tok.RefreshToken != "" {
			offline = false
		}
	}
	for range maxCASRetries {
		now := s.clock()
		fr := flowRequest{
			kind:   FlowReauthorize,
			userID: a.UserID, subjectID: a.ID, strategy: a.Provider,
			scopes:      mergeScopes(prov.Metadata().DefaultScopes, a.ApprovedScopes, p.AdditionalScopes),
			redirectURL: p.RedirectURL,
			prompt:      p.OIDCPrompt,
			loginHint:   p.OIDCLoginHint,
			bindingHash: bindingHash(p.Binding),
			offline:     offline,
		}
		pf, err := s.prepareFlow(ctx, prov, fr, now)
		if err != nil {
			return nil, err
		}
		next := a.Clone()
		next.Verification = s.policy.Start(a.Provider, pf.url, pf.flow.StateHash, now)
		next.UpdatedAt = now
		s.seal(pf, next)
		err = s.writeFlows(ctx, &flowWrite{save: pf}, next, nil)
		if err == nil {
			s.countFlowStarted(ctx, fr.kind, fr.strategy)
			s.log.LogAttrs(ctx, levelInfo, "tether: reauthorize started", accountAttrs(next)...)
			return next, nil
		}
		if !isConflict(err) {
			return nil, err
		}
		// Someone else wrote the account; a flow saved on its own is
		// superseded (its key is not the account's) and expires unused.
		if a, err = s.get(ctx, p.UserID, p.AccountID); err != nil {
			return nil, err
		}
	}
	return nil, verification.ErrConflict
}
