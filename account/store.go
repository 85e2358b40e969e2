package account

import (
	"context"
	"slices"
	"time"

	"github.com/tetherauth/tether/verification"
)

// AccountStore persists external accounts and their sealed tokens.
//
// Implementations must be safe for concurrent use and must keep these
// promises, which store/storetest checks for every adapter:
//   - Not found is verification.ErrExternalAccountNotFound, matched with
//     errors.Is.
//   - A (Provider, ProviderUserID) pair with a non-empty ProviderUserID has at
//     most one account, even under concurrent writers: a write that would
//     give it a second one fails with verification.ErrExternalAccountExists
//     and changes nothing.
//   - Every write is compare-and-swap on Version; a stale Version fails with
//     verification.ErrConflict and changes nothing.
//   - A backend that is down or unreachable fails with
//     verification.ErrStoreUnavailable wrapping the driver's error; never a
//     panic, never an empty result.
//   - Accounts returned are the caller's to modify: a store never keeps a
//     reference to an account it was given or returned.
//
// Timestamps are stored with at least millisecond precision.
type AccountStore interface {
	// CreateAccount inserts a, whose Version must be 0; on success
	// a.Version is 1. An account with a.ID already stored is
	// verification.ErrConflict.
	CreateAccount(ctx context.Context, a *ExternalAccount) error

	// GetAccount returns the account with id.
	GetAccount(ctx context.Context, id string) (*ExternalAccount, error)

	// ListAccounts returns the accounts q selects in creation order
	// (CreatedAt, ties broken by ID), at most q.Limit of them when it is
	// positive; an empty list, not an error, when there are none. Stores
	// answer it from an index: the cost grows with the page, not with the
	// number of accounts.
	ListAccounts(ctx context.Context, q Query) ([]*ExternalAccount, error)

	// FindAccountByIdentity returns the one account whose (Provider,
	// ProviderUserID) is (provider, providerUserID).
	FindAccountByIdentity(ctx context.Context, provider verification.Strategy, providerUserID string) (*ExternalAccount, error)

	// UpdateAccount replaces the stored account if its version equals
	// a.Version, and on success increments a.Version. When tokens is not
	// nil, the account's sealed tokens are replaced in the same atomic
	// write (tokens.AccountID must be a.ID; tokens.Version is ignored and
	// set to the stored token version on return).
	//
	// The identity may be set on an account that has none; once set it
	// never changes, and a write that would change it (or the UserID) is
	// verification.ErrConflict. ID and CreatedAt never change: the stored
	// CreatedAt is kept whatever a.CreatedAt says.
	UpdateAccount(ctx context.Context, a *ExternalAccount, tokens *SealedTokens) error

	// DeleteAccount deletes the account with id and its tokens in one
	// atomic write. Deleting an account that does not exist returns nil.
	DeleteAccount(ctx context.Context, id string) error

	// DeleteAbandoned deletes up to limit accounts that were never verified
	// (no ProviderUserID) and whose verification expired before before,
	// with their tokens, and returns how many it deleted. Each deletion is
	// atomic with respect to writers: an account that gains an identity
	// concurrently is kept. Stores answer it from an index.
	DeleteAbandoned(ctx context.Context, before time.Time, limit int) (int, error)
}

// AccountTokensReader is implemented by stores that keep tokens with their
// account and read both in one round trip (one query on SQL, one pipeline
// on the account's Redis slot). The Service uses it for AccessToken when
// the same store holds accounts and tokens; otherwise it reads them one
// after the other.
type AccountTokensReader interface {
	// GetAccountTokens returns the account with id and its sealed tokens,
	// nil tokens when it has none. A missing account is
	// verification.ErrExternalAccountNotFound.
	GetAccountTokens(ctx context.Context, id string) (*ExternalAccount, *SealedTokens, error)
}

// FlowWriter is implemented by stores that keep accounts and flows in one
// database and can write an account together with its flows atomically
// (one transaction on SQL). The Service uses it when Config.Accounts and
// Config.Flows are the same store: an account and the flow of its
// verification are then never written one without the other, Connect
// costs one commit and a callback one more. Without it the Service writes
// them one after the other, in an order that leaves nothing a user cannot
// act on when it stops half-way (see Service.Complete).
//
// store/storetest checks both methods for every adapter that has them.
type FlowWriter interface {
	// CreateAccountFlow is CreateAccount(a) and SaveFlow(f) in one atomic
	// write: both are stored, or neither is and the error is the one
	// CreateAccount or SaveFlow would have returned.
	CreateAccountFlow(ctx context.Context, a *ExternalAccount, f *Flow) error

	// UpdateAccountFlow is, in one atomic write: deleting the flow whose
	// state hash is take (when take is not ""), UpdateAccount(a, tokens),
	// and SaveFlow(save) (when save is not nil). A flow take that is not
	// stored, or expired, is verification.ErrResourceNotFound, checked
	// first: of concurrent callers with the same take, at most one
	// succeeds. Otherwise the errors are UpdateAccount's and SaveFlow's.
	// On any error nothing is written: the flow take is still there.
	UpdateAccountFlow(ctx context.Context, take string, a *ExternalAccount, tokens *SealedTokens, save *Flow) error
}

// Query selects accounts for AccountStore.ListAccounts. Its zero value
// selects every account of every user.
type Query struct {
	// UserID, when set, selects the accounts of one user; "" selects the
	// accounts of every user (back-office listings).
	UserID string
	// Provider, when set, selects the accounts of one provider.
	Provider verification.Strategy
	// Status, when set, selects the accounts whose verification has it.
	Status verification.Status
	// After, when set, selects the accounts that come after it in creation
	// order: a page's last account's Cursor gives the next page.
	After *Cursor
	// Limit, when positive, is the largest number of accounts returned.
	Limit int
}

// Cursor is a position in creation order: (CreatedAt, ID) of an account.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf returns the position of a in creation order.
func CursorOf(a *ExternalAccount) Cursor { return Cursor{CreatedAt: a.CreatedAt, ID: a.ID} }

// Before reports whether c comes before the account at (createdAt, id).
func (c Cursor) Before(createdAt time.Time, id string) bool {
	if d := c.CreatedAt.Compare(createdAt); d != 0 {
		return d < 0
	}
	return c.ID < id
}

// Matches reports whether a is selected by q, ignoring q.Limit: the
// executable reading of Query for stores that filter in Go.
func (q Query) Matches(a *ExternalAccount) bool {
	return (q.UserID == "" || a.UserID == q.UserID) &&
		(q.Provider.IsZero() || a.Provider == q.Provider) &&
		(q.Status == "" || a.Verification.Status == q.Status) &&
		(q.After == nil || q.After.Before(a.CreatedAt, a.ID))
}

// Abandoned reports whether a was never verified and its verification
// expired before before: what AccountStore.DeleteAbandoned deletes.
func Abandoned(a *ExternalAccount, before time.Time) bool {
	return a.ProviderUserID == "" && !a.Verification.ExpireAt.IsZero() && a.Verification.ExpireAt.Before(before)
}

// TokenStore persists the sealed tokens of accounts. A store that implements
// AccountStore and TokenStore keeps tokens with their account: tokens exist
// only for an existing account and go when it goes.
//
// It also holds each account's refresh lease, so that of all the processes
// sharing a store, one at a time refreshes an account's grant at the
// provider (rotating providers revoke a grant whose refresh token is spent
// twice). A lease is a holder's name with an expiry: a holder that dies
// releases nothing, and its lease simply expires. The compare-and-swap on
// the token version fences a holder whose lease expired: its write is
// stale once another holder's is stored.
//
// Implementations must be safe for concurrent use; errors follow
// AccountStore's rules, with verification.ErrResourceNotFound for an account
// that has no tokens.
type TokenStore interface {
	// GetTokens returns the sealed tokens of the account.
	GetTokens(ctx context.Context, accountID string) (*SealedTokens, error)

	// SwapTokens stores t if the stored token version equals t.Version
	// (0: no tokens are stored yet), and on success increments t.Version.
	// A stale version is verification.ErrConflict; an account that does not
	// exist is verification.ErrExternalAccountNotFound.
	SwapTokens(ctx context.Context, t *SealedTokens) error

	// LeaseTokens gives holder the refresh lease of the account's tokens
	// for ttl and reports true, unless another holder's lease is in force
	// at now (then false, nil). A lease of the same holder is renewed.
	// Stores with a server clock (Redis) may expire the lease by it
	// instead of now. An account without tokens is
	// verification.ErrResourceNotFound. Of any number of concurrent
	// callers with distinct holders, at most one gets true.
	LeaseTokens(ctx context.Context, accountID, holder string, now time.Time, ttl time.Duration) (bool, error)

	// ReleaseTokens ends holder's lease of the account's tokens. A lease
	// of another holder, an expired lease, no lease and no account are
	// left alone and return nil.
	ReleaseTokens(ctx context.Context, accountID, holder string) error
}

// SealedTokens are an account's provider tokens, sealed by the Service's
// Keyring. Stores see only the opaque Blob.
type SealedTokens struct {
	AccountID string
	// Blob is the AEAD ciphertext, bound to AccountID; see Keyring.
	Blob []byte
	// Version is the compare-and-swap counter of the account's tokens.
	Version   int64
	UpdatedAt time.Time
}

// Clone returns a deep copy of t.
func (t *SealedTokens) Clone() *SealedTokens {
	if t == nil {
		return nil
	}
	c := *t
	c.Blob = slices.Clone(t.Blob)
	return &c
}

// FlowKind says what a flow was started for.
type FlowKind string

// Flow kinds.
const (
	FlowConnect     FlowKind = "connect"
	FlowReauthorize FlowKind = "reauthorize"
	FlowSignIn      FlowKind = "sign_in"
	FlowSignUp      FlowKind = "sign_up"
	// FlowAttempt records are a browser's current sign-in or sign-up
	// attempt, sealed in Secrets; FlowClaim records reserve an identity
	// while a transfer creates its user.
	FlowAttempt FlowKind = "attempt"
	FlowClaim   FlowKind = "claim"
)

// Flow is the server-side half of one authorization request: everything the
// callback needs, keyed by the hash of the state the browser carries. The
// state itself is never stored.
type Flow struct {
	// StateHash is the key: the hex SHA-256 of the state.
	StateHash string
	Kind      FlowKind
	UserID    string
	AccountID string
	Strategy  verification.Strategy
	// Secrets are the flow's secrets (the RFC 7636 PKCE verifier and the
	// OpenID Connect nonce), sealed by the Service's Keyring and bound to
	// StateHash: opaque to stores, and useless without the key, so nothing a
	// store (or a backup of it) holds is enough to complete a flow.
	Secrets []byte
	// RedirectURL is where the browser goes after the callback.
	RedirectURL string
	// Scopes are the scopes requested.
	Scopes []string
	// Prompt, LoginHint and Offline are the authorization request's
	// options, kept so that a retry asks the provider the same way.
	Prompt    string
	LoginHint string
	Offline   bool
	// BindingHash is the hex SHA-256 of the value that binds the flow to the
	// browser that started it, "" when the flow is not bound.
	BindingHash string
	CreatedAt   time.Time
	// ExpiresAt is when the store must stop returning the flow.
	ExpiresAt time.Time
}

// Clone returns a deep copy of f.
func (f *Flow) Clone() *Flow {
	if f == nil {
		return nil
	}
	c := *f
	c.Scopes = slices.Clone(f.Scopes)
	c.Secrets = slices.Clone(f.Secrets)
	return &c
}

// FlowStore persists flows until their callback takes them.
//
// Implementations must be safe for concurrent use and keep these promises,
// checked by store/storetest:
//   - TakeFlow is atomic: of any number of concurrent takers of one flow,
//     exactly one gets it; the others get verification.ErrResourceNotFound.
//   - A flow past its ExpiresAt is never returned.
//   - Errors follow AccountStore's rules.
type FlowStore interface {
	// SaveFlow stores f until f.ExpiresAt. A flow with the same StateHash
	// already stored and not expired is verification.ErrConflict.
	SaveFlow(ctx context.Context, f *Flow) error

	// TakeFlow returns and deletes the flow with stateHash, or
	// verification.ErrResourceNotFound when there is none or it expired.
	TakeFlow(ctx context.Context, stateHash string) (*Flow, error)

	// GetFlow returns the flow with stateHash without deleting it, or
	// verification.ErrResourceNotFound when there is none or it expired.
	// The Service reads a browser's sign-in and sign-up attempts with it.
	GetFlow(ctx context.Context, stateHash string) (*Flow, error)

	// DeleteExpired deletes flows past their ExpiresAt and returns how
	// many. Expired flows are never returned anyway; this frees their
	// space. A store whose backend expires entries itself (Redis TTLs) may
	// return 0, nil. The Service calls it from its sweep (Service.Run).
	DeleteExpired(ctx context.Context) (int, error)
}
