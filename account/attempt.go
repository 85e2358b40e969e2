package account

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// AttemptKind tells a sign-in from a sign-up.
type AttemptKind string

// Attempt kinds.
const (
	SignIn AttemptKind = "sign_in"
	SignUp AttemptKind = "sign_up"
)

// Attempt statuses, as Clerk names them.
const (
	// StatusNeedsFirstFactor: a sign-in waits for its provider flow, or
	// holds an identity nobody owns (transferable).
	StatusNeedsFirstFactor = "needs_first_factor"
	// StatusMissingRequirements: a sign-up waits for its provider flow,
	// holds a new identity whose user the host has yet to create, or holds
	// an identity somebody owns (transferable).
	StatusMissingRequirements = "missing_requirements"
	// StatusComplete: the attempt signed a user in, or created one.
	StatusComplete = "complete"
)

// Attempt is a browser's sign-in or sign-up with a provider: Clerk's
// SignIn (first_factor_verification) and SignUp
// (verifications.external_account) objects.
type Attempt struct {
	// ID is "sia_…" for sign-ins and "sua_…" for sign-ups.
	ID     string
	Kind   AttemptKind
	Status string
	// Verification is the provider flow's verification. A sign-in whose
	// identity belongs to no user is transferable with
	// external_account_not_found; a sign-up whose identity belongs to a
	// user is transferable with external_account_exists.
	Verification verification.Verification
	// Identity is the profile of the identity the attempt holds (a
	// transferable attempt, or a sign-up's new identity), so that the host
	// can prefill its sign-up form; nil when it holds none. It never
	// carries tokens.
	Identity *HeldIdentity
	// UserID is the user the attempt signed in or created, once complete.
	UserID string
	// RedirectURL is where the browser goes after the callback.
	RedirectURL string
	CreatedAt   time.Time
}

// HeldIdentity is the verified profile an attempt holds.
type HeldIdentity struct {
	Provider       verification.Strategy
	ProviderUserID string
	EmailAddress   string
	// EmailVerified is the provider's word on EmailAddress, nil when it did
	// not say.
	EmailVerified *bool
	FirstName     string
	LastName      string
	AvatarURL     string
	Username      string
}

func heldIdentity(p verification.Strategy, id *provider.Identity) *HeldIdentity {
	return &HeldIdentity{
		Provider: p, ProviderUserID: id.ProviderUserID,
		EmailAddress: id.EmailAddress, EmailVerified: id.EmailVerified,
		FirstName: id.FirstName, LastName: id.LastName, AvatarURL: id.AvatarURL, Username: id.Username,
	}
}

func (h *HeldIdentity) identity() *provider.Identity {
	return &provider.Identity{
		ProviderUserID: h.ProviderUserID, EmailAddress: h.EmailAddress, EmailVerified: h.EmailVerified,
		FirstName: h.FirstName, LastName: h.LastName, AvatarURL: h.AvatarURL, Username: h.Username,
	}
}

// NeedsUser reports whether the attempt holds an identity that no user
// owns, ready for TransferToNewUser.
func (a *Attempt) NeedsUser() bool {
	switch {
	case a == nil || a.Identity == nil || a.Status == StatusComplete:
		return false
	case a.Kind == SignIn:
		return a.Verification.Status == verification.StatusTransferable && errors.Is(a.Verification.Error, verification.ErrExternalAccountNotFound)
	default:
		return a.Verification.Status == verification.StatusVerified
	}
}

// attemptRecord is what the flow store keeps of an attempt, sealed: the
// attempt, and the tokens of the identity it holds.
type attemptRecord struct {
	Attempt Attempt      `json:"attempt"`
	Tokens  *tokenRecord `json:"tokens,omitempty"`
	Scopes  []string     `json:"scopes,omitempty"` // requested
	// FlowKey is the verification's, which its wire form leaves out.
	FlowKey string `json:"flow_key,omitempty"`
}

// attemptKey is the flow-store key of a browser's current attempt of a
// kind: each browser has at most one sign-in and one sign-up.
func attemptKey(kind AttemptKind, binding string) string {
	return hashKey("tether/attempt/" + string(kind) + "/" + binding)
}

func attemptAD(key string) []byte { return []byte("tether/attempt:" + key) }

// claimKey is the flow-store key that reserves an identity while a
// transfer creates its user.
func claimKey(p verification.Strategy, sub string) string {
	return hashKey("tether/claim/" + p.String() + "/" + sub)
}

// loadAttempt reads the browser's attempt of kind.
func (s *Service) loadAttempt(ctx context.Context, kind AttemptKind, binding string) (*attemptRecord, error) {
	key := attemptKey(kind, binding)
	f, err := s.flows.GetFlow(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.openAttempt(f, key)
}

// takeAttempt reads and removes the browser's attempt of kind: of
// concurrent takers, one gets it.
func (s *Service) takeAttempt(ctx context.Context, kind AttemptKind, binding string) (*attemptRecord, error) {
	key := attemptKey(kind, binding)
	f, err := s.flows.TakeFlow(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.openAttempt(f, key)
}

func (s *Service) openAttempt(f *Flow, key string) (*attemptRecord, error) {
	b, err := s.keyring.Open(f.Secrets, attemptAD(key))
	if err != nil {
		return nil, verification.ErrResourceNotFound
	}
	var r attemptRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, verification.ErrResourceNotFound
	}
	clear(b)
	r.Attempt.Verification.FlowKey = r.FlowKey
	return &r, nil
}

// saveAttempt stores r as the browser's attempt of its kind, replacing the
// one before. It lives as long as a flow.
func (s *Service) saveAttempt(ctx context.Context, binding string, r *attemptRecord) error {
	key := attemptKey(r.Attempt.Kind, binding)
	r.FlowKey = r.Attempt.Verification.FlowKey
	b, err := json.Marshal(r)
	if err != nil {
		return verification.ErrInternal.Wrap(err)
	}
	now := s.clock()
	f := &Flow{
		StateHash:   key,
		Kind:        FlowAttempt,
		AccountID:   r.Attempt.ID,
		Strategy:    r.Attempt.Verification.Strategy,
		BindingHash: hashKey(binding),
		Secrets:     s.keyring.Seal(b, attemptAD(key)),
		CreatedAt:   now,
		ExpiresAt:   now.Add(s.FlowLifetime()),
	}
	clear(b)
	for range maxCASRetries {
		if _, err := s.flows.TakeFlow(ctx, key); err != nil && !errors.Is(err, verification.ErrResourceNotFound) {
			return err
		}
		err := s.flows.SaveFlow(ctx, f)
		if !isConflict(err) {
			return err
		}
	}
	return verification.ErrConflict
}

// public returns the attempt as callers see it: expiry observed.
func (s *Service) public(r *attemptRecord) *Attempt {
	a := r.Attempt
	a.Verification = s.policy.Observe(a.Verification, s.clock())
	if a.Identity != nil {
		c := *a.Identity
		a.Identity = &c
	}
	return &a
}

// Client is a browser's current attempts: Clerk's client object.
type Client struct {
	SignIn *Attempt // nil when the browser has none
	SignUp *Attempt
}

// Client returns the browser's current sign-in and sign-up attempts.
func (s *Service) Client(ctx context.Context, binding string) (_ *Client, err error) {
	ctx, end := s.operation(ctx, "Client")
	defer func() { end(err) }()
	c := &Client{}
	if binding == "" {
		return c, nil
	}
	for _, kind := range []AttemptKind{SignIn, SignUp} {
		r, err := s.loadAttempt(ctx, kind, binding)
		if errors.Is(err, verification.ErrResourceNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if kind == SignIn {
			c.SignIn = s.public(r)
		} else {
			c.SignUp = s.public(r)
		}
	}
	return c, nil
}
