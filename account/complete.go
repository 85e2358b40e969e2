package account

import (
	"context"
	"errors"
	"regexp"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// CallbackParams are the parameters of the OAuth callback, as the provider
// sent them to the browser, plus what the host knows about the browser.
type CallbackParams struct {
	State string
	Code  string
	// Error is the OAuth "error" parameter ("access_denied", ...). The
	// error_description is deliberately not taken: it is the provider's
	// free text and never shown.
	Error string
	// Iss is the RFC 9207 "iss" parameter, "" when absent.
	Iss string
	// Binding is the browser-binding value of the browser that called back
	// (see ConnectParams.Binding).
	Binding string
	// UserID, when set, is the host's signed-in user on the callback; it
	// must be the user who started the flow. A callback must carry UserID
	// or the Binding of a bound flow; with neither it is refused.
	UserID string
	// Extra are other callback parameters passed on to the provider (such as
	// Apple's "user"); nil for most providers.
	Extra map[string][]string
}

// Completion is the outcome of a callback that matched a flow.
type Completion struct {
	// Account is the account after the callback: verified, or carrying the
	// error in its verification (and, when it can be retried, a fresh
	// redirect URL).
	Account *ExternalAccount
	// RedirectURL is where the flow asked the browser to go afterwards.
	RedirectURL string
	// Attempt is the sign-in or sign-up after a callback of one (Account
	// is then nil unless the attempt signed a user in). Its Status says
	// what happened: complete (UserID is signed in, or needs a session),
	// transferable (Verification), or a new identity waiting for its user
	// (Attempt.NeedsUser: call TransferToNewUser).
	Attempt *Attempt
}

// Complete handles the OAuth callback: it takes the flow of the state once
// and for all, checks the RFC 9207 issuer, exchanges the code with the PKCE
// verifier, validates the identity, enforces one owner per identity, applies
// the state machine and stores the sealed tokens.
//
// When the callback matched a flow, Complete returns a non-nil Completion
// even if it also returns an error, so the browser can be sent back to the
// host, which reads the outcome from the account. The error then says why
// the account is not verified: oauth_access_denied, oauth_token_exchange_error,
// oauth_fetch_user_error, oauth_id_token_invalid, oauth_callback_invalid
// (bad or missing parameters, iss mismatch), verification_expired,
// external_account_exists (the identity belongs to another user),
// oauth_account_already_connected (to this user, as another account) or
// external_account_identity_mismatch (a reauthorization returned another
// identity).
//
// A nil Completion with oauth_callback_invalid means the state is unknown,
// already used, expired, superseded, or bound to another browser or user:
// nothing is redirected and no account is verified. Store failures return
// store_unavailable.
func (s *Service) Complete(ctx context.Context, p CallbackParams) (_ *Completion, err error) {
	ctx, end := s.operation(ctx, "Complete")
	defer func() { end(err) }()
	if p.State == "" || len(p.State) > maxStateLength || len(p.Code) > maxCodeLength {
		return nil, verification.ErrCallbackInvalid
	}
	key := hashKey(p.State)
	flow, err := s.flows.TakeFlow(ctx, key)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, verification.ErrCallbackInvalid
	}
	if err != nil {
		return nil, err
	}

	// The flow is consumed: whatever happens to the request now, its
	// outcome is written.
	wctx, cancel := s.detached(ctx)
	defer cancel()
	if flow.Kind == FlowSignIn || flow.Kind == FlowSignUp {
		return s.completeAttempt(ctx, wctx, flow, key, p)
	}
	a, err := s.accounts.GetAccount(wctx, flow.AccountID)
	if errors.Is(err, verification.ErrExternalAccountNotFound) {
		return nil, verification.ErrCallbackInvalid // destroyed meanwhile
	}
	if err != nil {
		return nil, err
	}
	if a.UserID != flow.UserID || a.Verification.FlowKey != key {
		// A superseded flow (a newer reauthorization started) or a
		// verification that already ended.
		return nil, verification.ErrCallbackInvalid
	}
	c := &flowOutcome{s: s, flow: flow, key: key}

	if flow.BindingHash == "" && p.UserID == "" {
		// Bound to nothing: anyone who got a victim to authorize could
		// complete the attacker's flow with the victim's identity.
		s.log.LogAttrs(ctx, levelError, "tether: refused a callback bound to nothing: set ConnectParams.Binding or CallbackParams.UserID", accountAttrs(a)...)
		_, _ = c.retry(wctx, a, verification.ErrCallbackInvalid.WithLongMessage("The callback could not be tied to the browser or user that started it."))
		return nil, verification.ErrCallbackInvalid.WithLongMessage("The flow is bound to no browser and the callback names no user: a host must set ConnectParams.Binding (and CallbackParams.Binding) or CallbackParams.UserID.")
	}
	if (p.UserID != "" && p.UserID != flow.UserID) ||
		(flow.BindingHash != "" && !equalHashes(bindingHash(p.Binding), flow.BindingHash)) {
		// Login CSRF: a callback delivered to a browser or user that did
		// not start the flow. The rightful owner sees an error and gets a
		// fresh attempt; the caller gets no redirect.
		s.log.LogAttrs(ctx, levelWarn, "tether: callback from another browser or user", accountAttrs(a)...)
		_, _ = c.retry(wctx, a, verification.ErrCallbackInvalid.WithLongMessage("The callback did not come from the browser that started the flow."))
		return nil, verification.ErrCallbackInvalid
	}

	done := func(a *ExternalAccount, err error) (*Completion, error) {
		if a == nil {
			return nil, err
		}
		return &Completion{Account: a, RedirectURL: flow.RedirectURL}, err
	}
	if s.policy.Observe(a.Verification, s.clock()).Status == verification.StatusExpired {
		return done(c.retry(wctx, a, verification.ErrVerificationExpired))
	}
	if p.Error != "" {
		return done(c.retry(wctx, a, providerError(p.Error)))
	}
	prov, err := s.providers.Lookup(flow.Strategy)
	if err != nil {
		return done(c.fail(wctx, a, verification.ErrProviderNotEnabled))
	}
	if cause := checkIssuer(prov.Metadata(), p.Iss); cause != nil {
		return done(c.retry(wctx, a, cause))
	}
	if p.Code == "" {
		return done(c.retry(wctx, a, verification.ErrCallbackInvalid.WithLongMessage("The callback has no authorization code.")))
	}
	c.prov = prov

	secrets, err := s.openFlowSecrets(flow)
	if err != nil {
		s.log.LogAttrs(ctx, levelError, "tether: flow secrets do not open (was the key removed from the keyring?)", accountAttrs(a)...)
		return done(c.retry(wctx, a, verification.ErrCallbackInvalid.WithLongMessage("The flow could not be resumed. Start again.")))
	}
	ident, tok, err := prov.Exchange(ctx, provider.ExchangeRequest{
		Code:         p.Code,
		CodeVerifier: secrets.Verifier,
		RedirectURI:  s.callbackURL,
		Nonce:        secrets.Nonce,
		Params:       p.Extra,
	})
	if err == nil && (ident == nil || tok == nil || tok.AccessToken == "") {
		err = verification.ErrFetchUser.WithLongMessage("The provider returned no account or no access token.")
	}
	if err == nil {
		ident, err = cleanIdentity(ident)
	}
	if err != nil {
		return done(c.retry(wctx, a, exchangeError(err)))
	}
	return done(c.succeed(wctx, a, ident, tok))
}

// flowOutcome carries one Complete's flow through its outcome: it writes
// what the callback decided to the account the flow belongs to.
type flowOutcome struct {
	s    *Service
	flow *Flow
	key  string
	prov provider.Provider
}

// update writes the outcome mutate gives, retrying on a lost
// compare-and-swap as long as the account still belongs to this flow. mutate
// returns the tokens to store with the account, or nil.
func (c *flowOutcome) update(ctx context.Context, a *ExternalAccount, mutate func(*ExternalAccount) (*SealedTokens, error)) (*ExternalAccount, error) {
	for range maxCASRetries {
		next := a.Clone()
		tokens, err := mutate(next)
		if err != nil {
			return nil, err
		}
		next.UpdatedAt = c.s.clock()
		err = c.s.accounts.UpdateAccount(ctx, next, tokens)
		if err == nil {
			return next, nil
		}
		if !isConflict(err) {
			return nil, err
		}
		a, err = c.s.accounts.GetAccount(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if a.Verification.FlowKey != c.key {
			return nil, verification.ErrCallbackInvalid
		}
	}
	return nil, verification.ErrConflict
}

// retry records a retryable failure: a fresh flow when attempts remain,
// failed at the last one, expired when too late. It returns the account and
// the error to report.
func (c *flowOutcome) retry(ctx context.Context, a *ExternalAccount, cause *verification.Error) (*ExternalAccount, error) {
	now := c.s.clock()
	var fresh startedFlow
	if c.s.policy.CanRetry(a.Verification, now) {
		prov := c.prov
		if prov == nil {
			prov, _ = c.s.providers.Lookup(c.flow.Strategy)
		}
		if prov != nil {
			f, err := c.s.startFlow(ctx, prov, flowRequest{
				kind:   c.flow.Kind,
				userID: a.UserID, subjectID: a.ID, strategy: a.Provider,
				scopes:      c.flow.Scopes,
				redirectURL: c.flow.RedirectURL,
				prompt:      c.flow.Prompt,
				loginHint:   c.flow.LoginHint,
				offline:     c.flow.Offline,
				bindingHash: c.flow.BindingHash,
			}, now)
			if err != nil {
				return nil, err
			}
			fresh = f
		}
	}
	var outcome error = cause
	next, err := c.update(ctx, a, func(n *ExternalAccount) (*SealedTokens, error) {
		v, err := c.s.policy.Retry(n.Verification, now, cause, fresh.url, fresh.key)
		if err != nil {
			outcome = err
		}
		if fresh.url == "" && v.Status == verification.StatusUnverified {
			// No flow could be made (the provider went away): end it.
			v, _ = c.s.policy.Fail(n.Verification, now, cause)
		}
		n.Verification = v
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	c.s.log.LogAttrs(ctx, levelWarn, "tether: callback failed", append(accountAttrs(next), errAttr(outcome))...)
	c.s.emitAccount(ctx, outcomeEvent(next), next)
	c.s.countFlowCompleted(ctx, c.flow.Kind, c.flow.Strategy, outcomeOf(outcome))
	return next, outcome
}

// fail records a final failure.
func (c *flowOutcome) fail(ctx context.Context, a *ExternalAccount, cause *verification.Error) (*ExternalAccount, error) {
	now := c.s.clock()
	var outcome error = cause
	next, err := c.update(ctx, a, func(n *ExternalAccount) (*SealedTokens, error) {
		v, err := c.s.policy.Fail(n.Verification, now, cause)
		if err != nil {
			outcome = err
		}
		n.Verification = v
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	c.s.log.LogAttrs(ctx, levelWarn, "tether: callback failed", append(accountAttrs(next), errAttr(outcome))...)
	c.s.emitAccount(ctx, outcomeEvent(next), next)
	c.s.countFlowCompleted(ctx, c.flow.Kind, c.flow.Strategy, outcomeOf(outcome))
	return next, outcome
}

// succeed checks the identity's ownership, then verifies the account and
// stores its tokens in one write.
func (c *flowOutcome) succeed(ctx context.Context, a *ExternalAccount, ident *provider.Identity, tok *provider.Token) (*ExternalAccount, error) {
	// The store's unique identity index decides ownership in the write
	// itself; the owner is looked up only when the write says the identity
	// is taken, which keeps the happy path to three store calls.
	if a.HasIdentity() && a.ProviderUserID != ident.ProviderUserID {
		return c.fail(ctx, a, verification.ErrIdentityMismatch)
	}
	record := tokenRecordFrom(tok)
	if record.RefreshToken == "" && a.HasIdentity() {
		// Providers often send no new refresh token on re-consent; the
		// one already held stays valid.
		if old, err := c.s.openTokens(ctx, a.ID); err == nil {
			record.RefreshToken = old.RefreshToken
		}
	}
	now := c.s.clock()
	next, err := c.update(ctx, a, func(n *ExternalAccount) (*SealedTokens, error) {
		v, err := c.s.policy.Succeed(n.Verification, now)
		if err != nil {
			return nil, err
		}
		n.Verification = v
		applyIdentity(n, ident)
		n.ApprovedScopes = mergeScopes(tok.Scopes)
		if tok.Scopes == nil {
			n.ApprovedScopes = mergeScopes(c.flow.Scopes)
		}
		return c.s.sealTokens(n.ID, record)
	})
	if errors.Is(err, verification.ErrExternalAccountExists) {
		// The identity belongs to another account.
		cause, ferr := c.ownership(ctx, a, ident)
		if ferr != nil {
			return nil, ferr
		}
		if cause == nil {
			cause = verification.ErrExternalAccountExists
		}
		return c.fail(ctx, a, cause)
	}
	if errors.Is(err, verification.ErrVerificationExpired) {
		// The verification expired during the exchange.
		return c.retry(ctx, a, verification.ErrVerificationExpired)
	}
	if err != nil {
		return nil, err
	}
	c.s.log.LogAttrs(ctx, levelInfo, "tether: account verified", accountAttrs(next)...)
	if a.HasIdentity() {
		c.s.emitAccount(ctx, EventAccountReauthorized, next)
		c.s.countFlowCompleted(ctx, c.flow.Kind, c.flow.Strategy, "reauthorized")
	} else {
		c.s.emitAccount(ctx, EventAccountVerified, next)
		c.s.countFlowCompleted(ctx, c.flow.Kind, c.flow.Strategy, "verified")
	}
	return next, nil
}

// ownership returns the final failure an identity causes, or nil when a may
// take it.
func (c *flowOutcome) ownership(ctx context.Context, a *ExternalAccount, ident *provider.Identity) (*verification.Error, error) {
	if a.HasIdentity() && a.ProviderUserID != ident.ProviderUserID {
		return verification.ErrIdentityMismatch, nil
	}
	owner, err := c.s.accounts.FindAccountByIdentity(ctx, a.Provider, ident.ProviderUserID)
	switch {
	case errors.Is(err, verification.ErrExternalAccountNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case owner.ID == a.ID:
		return nil, nil
	case owner.UserID != a.UserID:
		return verification.ErrExternalAccountExists, nil
	default:
		return verification.ErrAlreadyConnected, nil
	}
}

// applyIdentity copies the provider's profile onto a. A field the provider
// leaves empty keeps what a verification of the same identity stored before:
// some providers send profile data only once (Apple sends the name on the
// first authorization only), and a reauthorization without the email scope
// does not make the address unknown.
func applyIdentity(a *ExternalAccount, id *provider.Identity) {
	a.ProviderUserID = id.ProviderUserID
	if id.EmailAddress != "" {
		a.EmailAddress = id.EmailAddress
		a.EmailAddressVerified = id.EmailVerified
	}
	keep := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	keep(&a.FirstName, id.FirstName)
	keep(&a.LastName, id.LastName)
	keep(&a.AvatarURL, id.AvatarURL)
	keep(&a.Username, id.Username)
}

// checkIssuer applies RFC 9207: an "iss" parameter must equal the
// provider's issuer, and must be present when the provider advertises it.
func checkIssuer(md provider.Metadata, iss string) *verification.Error {
	switch {
	case iss == "" && md.IssuerParameterSupported:
		return verification.ErrCallbackInvalid.WithLongMessage("The callback has no iss parameter although the provider sends one (RFC 9207).")
	case iss != "" && md.Issuer != "" && iss != md.Issuer:
		return verification.ErrCallbackInvalid.WithLongMessage("The callback's iss parameter names another authorization server (RFC 9207).")
	}
	return nil
}

var oauthErrorCode = regexp.MustCompile(`^[a-z_]{1,64}$`)

// providerError maps the callback's OAuth error parameter. Only a plain
// error code is repeated; the provider's free text never is.
func providerError(code string) *verification.Error {
	if code == "access_denied" {
		return verification.ErrAccessDenied
	}
	if oauthErrorCode.MatchString(code) {
		return verification.ErrCallbackInvalid.WithLongMessage("The provider answered with the error "+code+".").WithMeta("provider_error", code)
	}
	return verification.ErrCallbackInvalid.WithLongMessage("The provider answered with an error.")
}

// exchangeError keeps a provider's API error and turns anything else (a bug,
// a context error) into a token exchange error.
func exchangeError(err error) *verification.Error {
	var verr *verification.Error
	if errors.As(err, &verr) {
		return verr
	}
	return verification.ErrTokenExchange.Wrap(err)
}
