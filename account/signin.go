package account

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// StartParams are the inputs of SignIn and SignUp.
type StartParams struct {
	// Binding binds the attempt to the browser that starts it: its
	// callback, its transfer and its reads (Client) must present it.
	// Required: httpadapter keeps it in a cookie. Only hashes of it are
	// stored.
	Binding string
	// Strategy is oauth_<name> or oauth_custom_<slug>. Required.
	Strategy string
	// RedirectURL is where the browser goes after the callback. Required.
	RedirectURL   string
	OIDCPrompt    string
	OIDCLoginHint string
}

// EmailLinking lets a sign-in whose identity belongs to nobody sign in the
// host's user who owns the same email address, by linking the identity to
// that user. It is off unless Config.LinkByEmail is set, and applies only
// when all of these hold:
//   - the provider is in Providers (custom providers only when named);
//   - the provider asserted email_verified as a JSON boolean true;
//   - FindUser says a host user has verified that very address.
//
// Each guards against an attack: a provider that lets users claim an
// address they do not control (unverified email) would hand them the
// victim's user; a custom or self-hosted provider may assert anything; and
// a host user who registered the victim's address without proving it (a
// pre-registered local account) would receive the victim's identity.
type EmailLinking struct {
	// Providers are the strategies trusted to assert verified addresses.
	Providers []verification.Strategy
	// FindUser returns the host's user whose verified email address is
	// email, or "" when there is none.
	FindUser func(ctx context.Context, email string) (userID string, err error)
}

// CreateUserFunc creates the host's user for a verified identity and
// returns its id. It is the host's sign-up: it may refuse with an error
// (returned to the caller as is).
type CreateUserFunc func(ctx context.Context, id *HeldIdentity) (userID string, err error)

// claimTTL bounds how long a transfer may reserve an identity while its
// user is created.
const claimTTL = time.Minute

// SignIn starts signing in with a provider, without a signed-in user: it
// returns the browser's new sign-in attempt, whose
// Verification.ExternalVerificationRedirectURL is the provider's
// authorization URL. The callback (Complete) signs in the identity's owner,
// or makes the attempt transferable (external_account_not_found) when the
// identity belongs to nobody; TransferToNewUser then creates the user.
//
// Errors are Connect's, less the user's.
func (s *Service) SignIn(ctx context.Context, p StartParams) (_ *Attempt, err error) {
	ctx, end := s.operation(ctx, "SignIn")
	defer func() { end(err) }()
	return s.startAttempt(ctx, SignIn, p)
}

// SignUp starts signing up with a provider: the callback (Complete)
// returns an attempt holding the new identity, for TransferToNewUser to
// create its user, or, when the identity belongs to a user, a transferable
// attempt (external_account_exists) that TransferToOwner signs in.
func (s *Service) SignUp(ctx context.Context, p StartParams) (_ *Attempt, err error) {
	ctx, end := s.operation(ctx, "SignUp")
	defer func() { end(err) }()
	return s.startAttempt(ctx, SignUp, p)
}

func (s *Service) startAttempt(ctx context.Context, kind AttemptKind, p StartParams) (*Attempt, error) {
	if p.Binding == "" || len(p.Binding) > 512 {
		return nil, verification.ErrInternal.WithLongMessage("A sign-in or sign-up needs the browser's binding (StartParams.Binding).")
	}
	strategy, prov, err := s.startable(p.Strategy, p.RedirectURL)
	if err != nil {
		return nil, err
	}
	if err := validatePrompt(p.OIDCPrompt, p.OIDCLoginHint); err != nil {
		return nil, err
	}
	now := s.clock()
	prefix, fkind, status := "sia_", FlowSignIn, StatusNeedsFirstFactor
	if kind == SignUp {
		prefix, fkind, status = "sua_", FlowSignUp, StatusMissingRequirements
	}
	// The attempt replaces the browser's previous one of its kind, and
	// its pending flow goes with it: a browser has one of each.
	if old, err := s.loadAttempt(ctx, kind, p.Binding); err == nil && old.Attempt.Verification.FlowKey != "" {
		_, _ = s.flows.TakeFlow(ctx, old.Attempt.Verification.FlowKey)
	}
	r := &attemptRecord{
		Attempt: Attempt{ID: s.newID(prefix), Kind: kind, Status: status, RedirectURL: p.RedirectURL, CreatedAt: now},
		Scopes:  mergeScopes(prov.Metadata().DefaultScopes),
	}
	started, err := s.startFlow(ctx, prov, flowRequest{
		kind: fkind, subjectID: r.Attempt.ID, strategy: strategy,
		scopes: r.Scopes, redirectURL: p.RedirectURL,
		prompt: p.OIDCPrompt, loginHint: p.OIDCLoginHint,
		bindingHash: hashKey(p.Binding), offline: true,
	}, now)
	if err != nil {
		return nil, err
	}
	r.Attempt.Verification = s.policy.Start(strategy, started.url, started.key, now)
	if err := s.saveAttempt(ctx, p.Binding, r); err != nil {
		return nil, err
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: "+string(kind)+" started", attemptAttrs(&r.Attempt)...)
	return s.public(r), nil
}

// completeAttempt is Complete for sign-in and sign-up flows.
func (s *Service) completeAttempt(ctx, wctx context.Context, flow *Flow, key string, p CallbackParams) (*Completion, error) {
	kind := SignIn
	if flow.Kind == FlowSignUp {
		kind = SignUp
	}
	// Sign-in flows are always bound: a callback from another browser is
	// login CSRF, and changes nothing (this browser has no such attempt).
	if flow.BindingHash == "" || !equalHashes(bindingHash(p.Binding), flow.BindingHash) {
		s.log.LogAttrs(ctx, levelWarn, "tether: "+string(kind)+" callback from another browser")
		return nil, verification.ErrCallbackInvalid
	}
	r, err := s.loadAttempt(wctx, kind, p.Binding)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, verification.ErrCallbackInvalid
	}
	if err != nil {
		return nil, err
	}
	if r.Attempt.ID != flow.AccountID || r.Attempt.Verification.FlowKey != key {
		return nil, verification.ErrCallbackInvalid // superseded by a newer attempt
	}
	o := &attemptOutcome{s: s, flow: flow, binding: p.Binding, r: r}
	done := func(err error) (*Completion, error) {
		return &Completion{RedirectURL: flow.RedirectURL, Attempt: s.public(o.r), Account: o.account}, err
	}
	prov, err := s.providers.Lookup(flow.Strategy)
	if err != nil {
		return done(o.retry(wctx, verification.ErrProviderNotEnabled))
	}
	o.prov = prov
	p, cause := oauth1Callback(prov, p)
	if s.policy.Observe(r.Attempt.Verification, s.clock()).Status == verification.StatusExpired {
		return done(o.retry(wctx, verification.ErrVerificationExpired))
	}
	if p.Error != "" {
		return done(o.retry(wctx, providerError(p.Error)))
	}
	if cause == nil {
		cause = checkCallback(prov, p)
	}
	if cause != nil {
		return done(o.retry(wctx, cause))
	}
	secrets, err := s.openFlowSecrets(flow)
	if err != nil {
		return done(o.retry(wctx, verification.ErrCallbackInvalid.WithLongMessage("The flow could not be resumed. Start again.")))
	}
	ident, tok, err := prov.Exchange(ctx, s.exchangeRequest(p, secrets))
	if err == nil && (ident == nil || tok == nil || tok.AccessToken == "") {
		err = verification.ErrFetchUser.WithLongMessage("The provider returned no account or no access token.")
	}
	if err == nil {
		ident, err = cleanIdentity(ident)
	}
	if err != nil {
		return done(o.retry(wctx, exchangeError(err)))
	}
	return done(o.verified(wctx, ident, tok))
}

// attemptOutcome carries one sign-in or sign-up callback to its outcome.
type attemptOutcome struct {
	s       *Service
	flow    *Flow
	binding string
	prov    provider.Provider
	r       *attemptRecord
	account *ExternalAccount // the account signed in, when there is one
	// noTokens: the identity came without provider tokens (an ID token
	// sign-in): the owner's stored tokens are left as they are.
	noTokens bool
}

// retry records a failed callback: a fresh flow when attempts remain.
func (o *attemptOutcome) retry(ctx context.Context, cause *verification.Error) error {
	s, a := o.s, &o.r.Attempt
	now := s.clock()
	var fresh startedFlow
	if s.policy.CanRetry(a.Verification, now) && o.prov != nil {
		f := s.retryFlow(ctx, o.prov, flowRequest{
			kind: o.flow.Kind, subjectID: a.ID, strategy: o.flow.Strategy,
			scopes: o.flow.Scopes, redirectURL: o.flow.RedirectURL,
			prompt: o.flow.Prompt, loginHint: o.flow.LoginHint,
			offline: o.flow.Offline, bindingHash: o.flow.BindingHash,
		}, now)
		if f != nil {
			var err error
			if fresh, err = s.saveFlow(ctx, f); err != nil {
				return err
			}
		}
	}
	v, err := s.policy.Retry(a.Verification, now, cause, fresh.url, fresh.key)
	outcome := error(cause)
	if err != nil {
		outcome = err
	}
	if fresh.url == "" && v.Status == verification.StatusUnverified {
		v, _ = s.policy.Fail(a.Verification, now, cause)
	}
	a.Verification = v
	if err := s.saveAttempt(ctx, o.binding, o.r); err != nil {
		return err
	}
	s.log.LogAttrs(ctx, levelWarn, "tether: "+string(a.Kind)+" callback failed", append(attemptAttrs(a), errAttr(outcome))...)
	s.countFlowCompleted(ctx, o.flow.Kind, o.flow.Strategy, outcomeOf(outcome))
	return outcome
}

// verified decides what a verified identity does for the attempt.
func (o *attemptOutcome) verified(ctx context.Context, ident *provider.Identity, tok *provider.Token) error {
	s, a := o.s, &o.r.Attempt
	now := s.clock()
	strategy := o.flow.Strategy
	owner, err := s.accounts.FindAccountByIdentity(ctx, strategy, ident.ProviderUserID)
	switch {
	case err == nil && a.Kind == SignIn:
		return o.signInOwner(ctx, owner, ident, tok)
	case err == nil: // a sign-up of an identity somebody owns
		return o.hold(ctx, ident, tok, verification.ErrExternalAccountExists)
	case !errors.Is(err, verification.ErrExternalAccountNotFound):
		return err
	case a.Kind == SignIn:
		if userID, ok, err := s.linkByEmail(ctx, strategy, ident); err != nil {
			return err
		} else if ok {
			acct, err := s.createVerified(ctx, userID, strategy, ident, tok, a.Verification, o.r.Scopes)
			if errors.Is(err, verification.ErrExternalAccountExists) {
				return o.hold(ctx, ident, tok, verification.ErrExternalAccountNotFound)
			}
			if err != nil {
				return err
			}
			return o.complete(ctx, acct)
		}
		return o.hold(ctx, ident, tok, verification.ErrExternalAccountNotFound)
	default: // a sign-up of a new identity: verified, waiting for its user
		v, err := s.policy.Succeed(a.Verification, now)
		if err != nil {
			return o.retry(ctx, verification.AsError(err))
		}
		a.Verification = v
		a.Identity = heldIdentity(strategy, ident)
		rec := tokenRecordFrom(tok)
		o.r.Tokens = &rec
		if err := s.saveAttempt(ctx, o.binding, o.r); err != nil {
			return err
		}
		s.countFlowCompleted(ctx, o.flow.Kind, strategy, "new_identity")
		return nil
	}
}

// hold makes the attempt transferable, holding the identity and tokens.
func (o *attemptOutcome) hold(ctx context.Context, ident *provider.Identity, tok *provider.Token, cause *verification.Error) error {
	s, a := o.s, &o.r.Attempt
	v, err := s.policy.Hold(a.Verification, s.clock(), cause)
	if err != nil {
		return o.retry(ctx, verification.AsError(err))
	}
	a.Verification = v
	a.Identity = heldIdentity(o.flow.Strategy, ident)
	rec := tokenRecordFrom(tok)
	o.r.Tokens = &rec
	if err := s.saveAttempt(ctx, o.binding, o.r); err != nil {
		return err
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: "+string(a.Kind)+" transferable", append(attemptAttrs(a), errAttr(cause))...)
	s.countFlowCompleted(ctx, o.flow.Kind, o.flow.Strategy, "transferable")
	s.emitAttempt(ctx, EventAttemptTransferable, a, nil)
	return nil
}

// signInOwner signs in the identity's owner: the account's profile and
// tokens are refreshed from this login.
func (o *attemptOutcome) signInOwner(ctx context.Context, owner *ExternalAccount, ident *provider.Identity, tok *provider.Token) error {
	if o.noTokens {
		return o.complete(ctx, owner)
	}
	acct, err := o.s.refreshOwner(ctx, owner, ident, tokenRecordFrom(tok))
	if err != nil {
		return err
	}
	return o.complete(ctx, acct)
}

// complete ends the attempt with acct's user signed in.
func (o *attemptOutcome) complete(ctx context.Context, acct *ExternalAccount) error {
	s, a := o.s, &o.r.Attempt
	if a.Verification.Status == verification.StatusUnverified {
		v, err := s.policy.Succeed(a.Verification, s.clock())
		if err != nil {
			return o.retry(ctx, verification.AsError(err))
		}
		a.Verification = v
	}
	a.Status, a.UserID, a.Identity, o.r.Tokens = StatusComplete, acct.UserID, nil, nil
	if err := s.saveAttempt(ctx, o.binding, o.r); err != nil {
		return err
	}
	o.account = acct
	s.log.LogAttrs(ctx, levelInfo, "tether: "+string(a.Kind)+" complete", attemptAttrs(a)...)
	s.countFlowCompleted(ctx, o.flow.Kind, o.flow.Strategy, "signed_in")
	s.emitAttempt(ctx, EventSignedIn, a, acct)
	return nil
}

// refreshOwner updates owner's profile and tokens from a login, with a
// compare-and-swap, and clears a lost grant's error when the login brought
// a refresh token.
func (s *Service) refreshOwner(ctx context.Context, owner *ExternalAccount, ident *provider.Identity, rec tokenRecord) (*ExternalAccount, error) {
	a := owner
	for range maxCASRetries {
		if rec.RefreshToken == "" {
			if old, err := s.openTokens(ctx, a.ID); err == nil {
				rec.RefreshToken = old.RefreshToken
			}
		}
		next := a.Clone()
		applyIdentity(next, ident)
		if rec.RefreshToken != "" && next.Verification.Status == verification.StatusVerified &&
			errors.Is(next.Verification.Error, verification.ErrMissingRefreshToken) {
			next.Verification.Error = nil
		}
		next.UpdatedAt = s.clock()
		sealed, err := s.sealTokens(next.ID, rec)
		if err != nil {
			return nil, err
		}
		err = s.accounts.UpdateAccount(ctx, next, sealed)
		if err == nil {
			return next, nil
		}
		if !isConflict(err) {
			return nil, err
		}
		if a, err = s.accounts.GetAccount(ctx, owner.ID); err != nil {
			return nil, err
		}
	}
	return nil, verification.ErrConflict
}

// linkByEmail returns the host user a new identity links to by email, if
// linking is on and every condition of EmailLinking holds.
func (s *Service) linkByEmail(ctx context.Context, p verification.Strategy, ident *provider.Identity) (string, bool, error) {
	l := s.emailLinking
	if l == nil || l.FindUser == nil || !slices.Contains(l.Providers, p) ||
		ident.EmailAddress == "" || ident.EmailVerified == nil || !*ident.EmailVerified {
		return "", false, nil
	}
	// An email_verified claim must be the JSON boolean true: a provider
	// that sends the string "true" is lenient enough to be distrusted here.
	if raw, ok := ident.Claims["email_verified"]; ok {
		if b, isBool := raw.(bool); !isBool || !b {
			return "", false, nil
		}
	}
	userID, err := l.FindUser(ctx, ident.EmailAddress)
	if err != nil {
		return "", false, err
	}
	if userID == "" {
		return "", false, nil
	}
	if err := validateUserID(userID); err != nil {
		return "", false, err
	}
	return userID, true, nil
}

// createVerified stores a new verified account of userID for ident with its
// tokens. A taken identity is external_account_exists.
func (s *Service) createVerified(ctx context.Context, userID string, p verification.Strategy, ident *provider.Identity, tok *provider.Token, v verification.Verification, scopes []string) (*ExternalAccount, error) {
	now := s.clock()
	a := &ExternalAccount{
		ID:               s.newID(AccountIDPrefix),
		UserID:           userID,
		IdentificationID: s.newID(IdentificationIDPrefix),
		Provider:         p,
		CreatedAt:        now,
		UpdatedAt:        now,
	}
	applyIdentity(a, ident)
	a.ApprovedScopes = mergeScopes(tok.Scopes)
	if tok.Scopes == nil {
		a.ApprovedScopes = mergeScopes(scopes)
	}
	v.Status, v.Error, v.ExternalVerificationRedirectURL, v.FlowKey = verification.StatusVerified, nil, "", ""
	a.Verification = v
	if err := s.accounts.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	sealed, err := s.sealTokens(a.ID, tokenRecordFrom(tok))
	if err == nil {
		err = s.tokens.SwapTokens(ctx, sealed)
	}
	if err != nil {
		// The account is verified; its tokens are not stored. AccessToken
		// says so, and a reauthorization stores them.
		s.log.LogAttrs(ctx, levelError, "tether: tokens of a new account not stored", append(accountAttrs(a), errAttr(err))...)
	}
	s.emitAccount(ctx, EventAccountCreated, a)
	s.emitAccount(ctx, EventAccountVerified, a)
	return a, nil
}

// TransferToNewUser creates a user for the identity the browser's attempt
// holds, through createUser, and links the identity to it as a verified
// account with the held tokens: Clerk's sign-up with transfer=true (from a
// transferable sign-in, from is SignIn) or the end of a sign-up with a new
// identity (from is SignUp). It returns the completed sign-up.
//
// The held identity is used once, only by the browser that verified it,
// only before its verification expires. Concurrent transfers of one
// identity (from many browsers) create one user: the others fail with
// external_account_exists, or conflict while the first is under way.
//
// # Errors
//
// resource_not_found when the browser holds no identity to transfer;
// verification_expired when it expired; external_account_exists when the
// identity has an owner by now; createUser's error as is.
func (s *Service) TransferToNewUser(ctx context.Context, binding string, from AttemptKind, createUser CreateUserFunc) (_ *Attempt, err error) {
	ctx, end := s.operation(ctx, "TransferToNewUser")
	defer func() { end(err) }()
	if createUser == nil {
		return nil, verification.ErrInternal.WithLongMessage("TransferToNewUser needs a CreateUserFunc.")
	}
	if binding == "" {
		return nil, errNothingToTransfer // a browser without a binding holds nothing
	}
	r, err := s.takeAttempt(ctx, from, binding)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, errNothingToTransfer
	}
	if err != nil {
		return nil, err
	}
	a := &r.Attempt
	if !a.NeedsUser() || r.Tokens == nil {
		_ = s.saveAttempt(ctx, binding, r) // put it back as it was
		return nil, errNothingToTransfer
	}
	now := s.clock()
	if !a.Verification.ExpireAt.IsZero() && now.After(a.Verification.ExpireAt) {
		return nil, verification.ErrVerificationExpired
	}
	held := a.Identity
	claim := &Flow{StateHash: claimKey(held.Provider, held.ProviderUserID), Kind: FlowClaim, Strategy: held.Provider, CreatedAt: now, ExpiresAt: now.Add(claimTTL)}
	if err := s.flows.SaveFlow(ctx, claim); err != nil {
		_ = s.saveAttempt(ctx, binding, r)
		if isConflict(err) {
			return nil, verification.ErrConflict.WithLongMessage("Another sign-up with this account is under way; try again in a moment.")
		}
		return nil, err
	}
	defer func() {
		rctx, cancel := s.detached(ctx)
		defer cancel()
		_, _ = s.flows.TakeFlow(rctx, claim.StateHash)
	}()
	if _, err := s.accounts.FindAccountByIdentity(ctx, held.Provider, held.ProviderUserID); err == nil {
		return nil, verification.ErrExternalAccountExists
	} else if !errors.Is(err, verification.ErrExternalAccountNotFound) {
		_ = s.saveAttempt(ctx, binding, r)
		return nil, err
	}
	userID, err := createUser(ctx, held)
	if err != nil {
		_ = s.saveAttempt(ctx, binding, r) // the user may try again
		return nil, err
	}
	if err := validateUserID(userID); err != nil {
		return nil, verification.ErrInternal.WithLongMessage("CreateUserFunc returned an invalid user id.")
	}
	v, err := s.policy.Transfer(transferable(a.Verification), now)
	if err != nil {
		return nil, err
	}
	acct, err := s.createVerified(ctx, userID, held.Provider, held.identity(), r.Tokens.token(), v, r.Scopes)
	if err != nil {
		return nil, err
	}
	up := &attemptRecord{Attempt: Attempt{
		ID: a.ID, Kind: SignUp, Status: StatusComplete, Verification: v, UserID: userID,
		RedirectURL: a.RedirectURL, CreatedAt: a.CreatedAt,
	}}
	if from == SignIn {
		up.Attempt.ID = s.newID("sua_")
		up.Attempt.CreatedAt = now
	}
	if err := s.saveAttempt(ctx, binding, up); err != nil {
		s.log.LogAttrs(ctx, levelWarn, "tether: completed sign-up not recorded for the browser", append(accountAttrs(acct), errAttr(err))...)
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: sign-up complete", accountAttrs(acct)...)
	s.emitAttempt(ctx, EventSignedUp, &up.Attempt, acct)
	return s.public(up), nil
}

// transferable presents a sign-up's verified new identity to
// Policy.Transfer as the transferable verification it stands for.
func transferable(v verification.Verification) verification.Verification {
	if v.Status == verification.StatusVerified {
		v.Status = verification.StatusTransferable
	}
	return v
}

var errNothingToTransfer = verification.ErrResourceNotFound.WithLongMessage("This browser holds no verified account to transfer: sign in or sign up with a provider first.")

// TransferToOwner signs in as the owner of the identity the browser's
// sign-up found taken (transferable with external_account_exists): Clerk's
// sign-in with transfer=true. The owner's account gets the tokens of that
// login. It returns the completed sign-in, whose UserID is the owner.
func (s *Service) TransferToOwner(ctx context.Context, binding string) (_ *Attempt, err error) {
	ctx, end := s.operation(ctx, "TransferToOwner")
	defer func() { end(err) }()
	if binding == "" {
		return nil, errNothingToTransfer
	}
	r, err := s.takeAttempt(ctx, SignUp, binding)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return nil, errNothingToTransfer
	}
	if err != nil {
		return nil, err
	}
	a := &r.Attempt
	if a.Verification.Status != verification.StatusTransferable || !errors.Is(a.Verification.Error, verification.ErrExternalAccountExists) || a.Identity == nil || r.Tokens == nil {
		_ = s.saveAttempt(ctx, binding, r)
		return nil, errNothingToTransfer
	}
	v, err := s.policy.Transfer(a.Verification, s.clock())
	if err != nil {
		return nil, err
	}
	owner, err := s.accounts.FindAccountByIdentity(ctx, a.Identity.Provider, a.Identity.ProviderUserID)
	if err != nil {
		return nil, err // destroyed meanwhile: not found
	}
	acct, err := s.refreshOwner(ctx, owner, a.Identity.identity(), *r.Tokens)
	if err != nil {
		return nil, err
	}
	in := &attemptRecord{Attempt: Attempt{
		ID: s.newID("sia_"), Kind: SignIn, Status: StatusComplete, Verification: v, UserID: acct.UserID,
		RedirectURL: a.RedirectURL, CreatedAt: s.clock(),
	}}
	if err := s.saveAttempt(ctx, binding, in); err != nil {
		s.log.LogAttrs(ctx, levelWarn, "tether: completed sign-in not recorded for the browser", append(accountAttrs(acct), errAttr(err))...)
	}
	s.log.LogAttrs(ctx, levelInfo, "tether: sign-in by transfer complete", accountAttrs(acct)...)
	s.emitAttempt(ctx, EventSignedIn, &in.Attempt, acct)
	return s.public(in), nil
}
