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

// Complete handles the OAuth callback: it reads the flow of the state,
// checks the RFC 9207 issuer, exchanges the code with the PKCE verifier,
// validates the identity, enforces one owner per identity, applies the
// state machine and stores the sealed tokens. The flow carries the account
// as its start left it, so the outcome is written without reading the
// account first: with a FlowWriter store (SQL, memstore), taking the flow,
// the account's compare-and-swap and the tokens are one transaction, and
// the whole flow costs two commits (Connect's and the callback's).
//
// An OAuth 1.0a provider's callback (provider.OAuth1: oauth_twitter)
// carries oauth_token and oauth_verifier instead of a code: the verifier is
// redeemed with the flow's temporary credentials, and X's "denied" is
// oauth_access_denied.
//
// A flow is used once: of the callbacks of one state, one outcome is
// written. Until it is, the flow stays: a callback interrupted by a crash
// or a store outage can be delivered again (or the account's redirect URL
// followed), and when the provider refuses the spent code the account gets
// oauth_token_exchange_error with a fresh attempt, never a dead link.
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
	flow, err := s.flows.GetFlow(ctx, key)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, verification.ErrCallbackInvalid
	}
	if err != nil {
		return nil, err
	}
	if flow.Kind == FlowSignIn || flow.Kind == FlowSignUp {
		// Attempts have no account to carry the outcome: the flow is
		// taken first, and its outcome written even if the request ends.
		if flow, err = s.flows.TakeFlow(ctx, key); errors.Is(err, verification.ErrResourceNotFound) {
			return nil, verification.ErrCallbackInvalid
		} else if err != nil {
			return nil, err
		}
		wctx, cancel := s.detached(ctx)
		defer cancel()
		return s.completeAttempt(ctx, wctx, flow, key, p)
	}

	// The flow is taken by the write of its outcome, so a callback that
	// stops before it (a crash, a store outage) leaves the flow as it
	// was: the callback can be delivered again, and the account's redirect
	// URL still leads to a flow. The store lets one outcome of a flow
	// through; in this process, a second callback of a flow in progress is
	// refused before it redeems the code again (a double submit), which
	// the provider would take for a replay.
	if _, busy := s.completing.LoadOrStore(key, struct{}{}); busy {
		return nil, verification.ErrCallbackInvalid
	}
	defer s.completing.Delete(key)
	// Once the code is redeemed, the outcome is written even if the
	// request ends.
	wctx, cancel := s.detached(ctx)
	defer cancel()
	secrets, secretsErr := s.openFlowSecrets(flow)
	a := secrets.account()
	if a == nil || a.ID != flow.AccountID {
		// A flow without the account (sealed by an older version, or
		// whose secrets do not open): read it.
		if a, err = s.accounts.GetAccount(wctx, flow.AccountID); errors.Is(err, verification.ErrExternalAccountNotFound) {
			return nil, verification.ErrCallbackInvalid // destroyed meanwhile
		} else if err != nil {
			return nil, err
		}
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
	prov, provErr := s.providers.Lookup(flow.Strategy)
	var cause *verification.Error
	if provErr == nil {
		p, cause = oauth1Callback(prov, p)
	}
	if s.policy.Observe(a.Verification, s.clock()).Status == verification.StatusExpired {
		return done(c.retry(wctx, a, verification.ErrVerificationExpired))
	}
	if p.Error != "" {
		return done(c.retry(wctx, a, providerError(p.Error)))
	}
	if provErr != nil {
		return done(c.fail(wctx, a, verification.ErrProviderNotEnabled))
	}
	if cause == nil {
		cause = checkCallback(prov, p)
	}
	if cause != nil {
		return done(c.retry(wctx, a, cause))
	}
	c.prov = prov

	if secretsErr != nil {
		s.log.LogAttrs(ctx, levelError, "tether: flow secrets do not open (was the key removed from the keyring?)", accountAttrs(a)...)
		return done(c.retry(wctx, a, verification.ErrCallbackInvalid.WithLongMessage("The flow could not be resumed. Start again.")))
	}
	ident, tok, err := prov.Exchange(ctx, s.exchangeRequest(p, secrets))
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

// exchangeRequest is what the provider gets to redeem callback p of a flow
// with secrets.
func (s *Service) exchangeRequest(p CallbackParams, secrets flowSecrets) provider.ExchangeRequest {
	return provider.ExchangeRequest{
		Code:         p.Code,
		CodeVerifier: secrets.Verifier,
		RedirectURI:  s.callbackURL,
		Nonce:        secrets.Nonce,
		Params:       p.Extra,
		Temporary:    secrets.temporary(),
	}
}

// checkCallback checks what a callback without an error needs before its
// code is redeemed: the RFC 9207 issuer, and a code.
func checkCallback(prov provider.Provider, p CallbackParams) *verification.Error {
	if cause := checkIssuer(prov.Metadata(), p.Iss); cause != nil {
		return cause
	}
	if p.Code == "" {
		return verification.ErrCallbackInvalid.WithLongMessage("The callback has no authorization code.")
	}
	return nil
}

// oauth1Callback reads the callback of an OAuth 1.0a provider (RFC 5849
// section 2.2) as the rest of Complete reads an OAuth 2.0 one: its
// oauth_verifier is the code, and X's "denied" (the user refused) is
// access_denied. oauth_token stays in Extra for the provider, which checks
// it against the flow's temporary credentials. Other providers' callbacks
// are returned as they are. A repeated or oversized verifier is
// oauth_callback_invalid.
func oauth1Callback(prov provider.Provider, p CallbackParams) (CallbackParams, *verification.Error) {
	if _, ok := prov.(provider.OAuth1); !ok {
		return p, nil
	}
	verifiers := p.Extra["oauth_verifier"]
	switch {
	case p.Code != "":
		return p, verification.ErrCallbackInvalid.WithLongMessage("An OAuth 1.0a callback has no code parameter.").WithParam("code")
	case len(verifiers) > 1:
		return p, verification.ErrCallbackInvalid.WithLongMessage("The callback repeats the parameter oauth_verifier.").WithParam("oauth_verifier")
	case len(verifiers) == 1 && len(verifiers[0]) > maxCodeLength:
		return p, verification.ErrCallbackInvalid.WithLongMessage("The callback's oauth_verifier is too long.").WithParam("oauth_verifier")
	case len(verifiers) == 1:
		p.Code = verifiers[0]
	case p.Error == "" && len(p.Extra["denied"]) > 0:
		p.Error = "access_denied"
	}
	return p, nil
}

// flowOutcome carries one Complete's flow through its outcome: it writes
// what the callback decided to the account the flow belongs to.
type flowOutcome struct {
	s    *Service
	flow *Flow
	key  string
	prov provider.Provider
}

// update writes the outcome mutate gives, with the flow taken in the same
// write and fresh (when not nil) saved, retrying on a lost compare-and-swap
// as long as the account still waits for this flow. mutate returns the
// tokens to store with the account, or nil. A flow another callback took
// meanwhile is verification.ErrCallbackInvalid.
func (c *flowOutcome) update(ctx context.Context, a *ExternalAccount, fresh *pendingFlow, mutate func(*ExternalAccount) (*SealedTokens, error)) (_ *ExternalAccount, err error) {
	w := &flowWrite{take: c.key, save: fresh}
	defer func() {
		if err != nil && w.saved {
			// Saved on its own for an outcome that was not written.
			_, _ = c.s.flows.TakeFlow(ctx, w.save.flow.StateHash)
		}
	}()
	for range maxCASRetries {
		next := a.Clone()
		tokens, err := mutate(next)
		if err != nil {
			return nil, err
		}
		next.UpdatedAt = c.s.clock()
		if fresh != nil && !w.saved {
			// The fresh flow goes with the account only if the outcome
			// points at it (not when it ended the verification).
			w.save = nil
			if next.Verification.FlowKey == fresh.flow.StateHash {
				c.s.seal(fresh, next)
				w.save = fresh
			}
		}
		err = c.s.writeFlows(ctx, w, next, tokens)
		if err == nil {
			if w.save != nil {
				c.s.countFlowStarted(ctx, fresh.flow.Kind, fresh.flow.Strategy)
			}
			return next, nil
		}
		if errors.Is(err, verification.ErrResourceNotFound) {
			return nil, verification.ErrCallbackInvalid
		}
		if !isConflict(err) {
			return nil, err
		}
		a, err = c.s.accounts.GetAccount(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if a.Verification.FlowKey != c.key || a.Verification.Status != verification.StatusUnverified {
			// This flow's outcome is written (by another callback, or by
			// one that stopped before deleting the flow, on a store
			// without FlowWriter): the flow is spent.
			if _, err := c.s.flows.TakeFlow(ctx, c.key); err != nil && !errors.Is(err, verification.ErrResourceNotFound) {
				return nil, err
			}
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
	var fresh *pendingFlow
	if c.s.policy.CanRetry(a.Verification, now) {
		prov := c.prov
		if prov == nil {
			prov, _ = c.s.providers.Lookup(c.flow.Strategy)
		}
		if prov != nil {
			fresh = c.s.retryFlow(ctx, prov, flowRequest{
				kind:   c.flow.Kind,
				userID: a.UserID, subjectID: a.ID, strategy: a.Provider,
				scopes:      c.flow.Scopes,
				redirectURL: c.flow.RedirectURL,
				prompt:      c.flow.Prompt,
				loginHint:   c.flow.LoginHint,
				offline:     c.flow.Offline,
				bindingHash: c.flow.BindingHash,
			}, now)
		}
	}
	var outcome error = cause
	next, err := c.update(ctx, a, fresh, func(n *ExternalAccount) (*SealedTokens, error) {
		var url, key string
		if fresh != nil {
			url, key = fresh.url, fresh.flow.StateHash
		}
		v, err := c.s.policy.Retry(n.Verification, now, cause, url, key)
		if err != nil {
			outcome = err
		}
		if url == "" && v.Status == verification.StatusUnverified {
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
	next, err := c.update(ctx, a, nil, func(n *ExternalAccount) (*SealedTokens, error) {
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
	next, err := c.update(ctx, a, nil, func(n *ExternalAccount) (*SealedTokens, error) {
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
