// Package memstore is the in-memory reference implementation of every store
// interface of package account: accounts, sealed tokens and flows.
//
// It is for tests, demos and single-process hosts that can lose their data
// on restart. It passes store/storetest like every other adapter, so it is
// also the executable reading of the store contracts. All methods are safe
// for concurrent use; no goroutine is started.
package memstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/verification"
)

// Store holds accounts, tokens and flows in maps guarded by one mutex.
type Store struct {
	now func() time.Time

	mu         sync.RWMutex
	accounts   map[string]*account.ExternalAccount
	identities map[identity]string // -> account id
	tokens     map[string]*account.SealedTokens
	flows      map[string]*account.Flow
	leases     map[string]lease // account id -> refresh lease
}

type lease struct {
	holder string
	until  time.Time
}

type identity struct {
	provider       verification.Strategy
	providerUserID string
}

// Options configure a Store; the zero value is the default.
type Options struct {
	// Now is the clock used to expire flows. Default: time.Now.
	Now func() time.Time
}

var (
	_ account.AccountStore = (*Store)(nil)
	_ account.TokenStore   = (*Store)(nil)
	_ account.FlowStore    = (*Store)(nil)

	_ account.AccountTokensReader = (*Store)(nil)
	_ account.FlowWriter          = (*Store)(nil)
)

// New returns an empty Store.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{
		now:        opts.Now,
		accounts:   make(map[string]*account.ExternalAccount),
		identities: make(map[identity]string),
		tokens:     make(map[string]*account.SealedTokens),
		flows:      make(map[string]*account.Flow),
		leases:     make(map[string]lease),
	}
}

func idOf(a *account.ExternalAccount) (identity, bool) {
	return identity{a.Provider, a.ProviderUserID}, a.ProviderUserID != ""
}

// CreateAccount implements account.AccountStore.
func (s *Store) CreateAccount(ctx context.Context, a *account.ExternalAccount) error {
	return s.CreateAccountFlow(ctx, a, nil)
}

// checkCreate says why a cannot be created, or nil; s.mu is held.
func (s *Store) checkCreate(a *account.ExternalAccount) error {
	if a.Version != 0 {
		return verification.ErrConflict.WithLongMessage("A new account must have version 0.")
	}
	if _, ok := s.accounts[a.ID]; ok {
		return verification.ErrConflict
	}
	if id, ok := idOf(a); ok {
		if _, taken := s.identities[id]; taken {
			return verification.ErrExternalAccountExists
		}
	}
	return nil
}

// create stores a, which checkCreate accepted; s.mu is held.
func (s *Store) create(a *account.ExternalAccount) {
	if id, ok := idOf(a); ok {
		s.identities[id] = a.ID
	}
	a.Version = 1
	s.accounts[a.ID] = a.Clone()
}

// GetAccount implements account.AccountStore.
func (s *Store) GetAccount(ctx context.Context, id string) (*account.ExternalAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, verification.ErrExternalAccountNotFound
	}
	return a.Clone(), nil
}

// ListAccounts implements account.AccountStore.
// It scans every account: memstore is for tests and small demos.
func (s *Store) ListAccounts(ctx context.Context, q account.Query) ([]*account.ExternalAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	out := []*account.ExternalAccount{}
	for _, a := range s.accounts {
		if q.Matches(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *account.ExternalAccount) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i, a := range out {
		out[i] = a.Clone()
	}
	s.mu.RUnlock()
	return out, nil
}

// DeleteAbandoned implements account.AccountStore.
func (s *Store) DeleteAbandoned(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, a := range s.accounts {
		if n >= limit {
			break
		}
		if account.Abandoned(a, before) {
			delete(s.accounts, id)
			delete(s.tokens, id)
			delete(s.leases, id)
			n++
		}
	}
	return n, nil
}

// FindAccountByIdentity implements account.AccountStore.
func (s *Store) FindAccountByIdentity(ctx context.Context, provider verification.Strategy, providerUserID string) (*account.ExternalAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.identities[identity{provider, providerUserID}]
	if !ok || providerUserID == "" {
		return nil, verification.ErrExternalAccountNotFound
	}
	return s.accounts[id].Clone(), nil
}

// UpdateAccount implements account.AccountStore.
func (s *Store) UpdateAccount(ctx context.Context, a *account.ExternalAccount, tokens *account.SealedTokens) error {
	return s.UpdateAccountFlow(ctx, "", a, tokens, nil)
}

// checkUpdate says why a cannot replace the stored account, or nil; s.mu
// is held.
func (s *Store) checkUpdate(a *account.ExternalAccount, tokens *account.SealedTokens) error {
	if tokens != nil && tokens.AccountID != a.ID {
		return verification.ErrInternal.WithLongMessage("Tokens given for another account.")
	}
	cur, ok := s.accounts[a.ID]
	if !ok {
		return verification.ErrExternalAccountNotFound
	}
	if cur.Version != a.Version {
		return verification.ErrConflict
	}
	if cur.UserID != a.UserID || (cur.HasIdentity() && (cur.Provider != a.Provider || cur.ProviderUserID != a.ProviderUserID)) {
		return verification.ErrConflict.WithLongMessage("An account's user and identity never change.")
	}
	if newID, hasID := idOf(a); hasID && !cur.HasIdentity() {
		if _, taken := s.identities[newID]; taken {
			return verification.ErrExternalAccountExists
		}
	}
	return nil
}

// update stores a and tokens, which checkUpdate accepted; s.mu is held.
func (s *Store) update(a *account.ExternalAccount, tokens *account.SealedTokens) {
	cur := s.accounts[a.ID]
	if newID, hasID := idOf(a); hasID && !cur.HasIdentity() {
		s.identities[newID] = a.ID
	}
	a.Version++
	stored := a.Clone()
	stored.CreatedAt = cur.CreatedAt
	s.accounts[a.ID] = stored
	if tokens != nil {
		var v int64 = 1
		if old, ok := s.tokens[a.ID]; ok {
			v = old.Version + 1
		}
		tokens.Version = v
		s.tokens[a.ID] = tokens.Clone()
	}
}

// DeleteAccount implements account.AccountStore.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil
	}
	if key, ok := idOf(a); ok {
		delete(s.identities, key)
	}
	delete(s.accounts, id)
	delete(s.tokens, id)
	delete(s.leases, id)
	return nil
}

// GetAccountTokens implements account.AccountTokensReader.
func (s *Store) GetAccountTokens(ctx context.Context, id string) (*account.ExternalAccount, *account.SealedTokens, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, nil, verification.ErrExternalAccountNotFound
	}
	return a.Clone(), s.tokens[id].Clone(), nil
}

// GetTokens implements account.TokenStore.
func (s *Store) GetTokens(ctx context.Context, accountID string) (*account.SealedTokens, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.tokens[accountID]
	if !ok {
		return nil, verification.ErrResourceNotFound
	}
	return t.Clone(), nil
}

// SwapTokens implements account.TokenStore.
func (s *Store) SwapTokens(ctx context.Context, t *account.SealedTokens) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[t.AccountID]; !ok {
		return verification.ErrExternalAccountNotFound
	}
	var cur int64
	if old, ok := s.tokens[t.AccountID]; ok {
		cur = old.Version
	}
	if cur != t.Version {
		return verification.ErrConflict
	}
	t.Version++
	s.tokens[t.AccountID] = t.Clone()
	return nil
}

// LeaseTokens implements account.TokenStore.
func (s *Store) LeaseTokens(ctx context.Context, accountID, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[accountID]; !ok {
		return false, verification.ErrResourceNotFound
	}
	if l, ok := s.leases[accountID]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	s.leases[accountID] = lease{holder: holder, until: now.Add(ttl)}
	return true, nil
}

// ReleaseTokens implements account.TokenStore.
func (s *Store) ReleaseTokens(ctx context.Context, accountID, holder string) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[accountID]; ok && l.holder == holder {
		delete(s.leases, accountID)
	}
	return nil
}

// SaveFlow implements account.FlowStore.
func (s *Store) SaveFlow(ctx context.Context, f *account.Flow) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkSave(f); err != nil {
		return err
	}
	s.flows[f.StateHash] = f.Clone()
	return nil
}

// checkSave says why f cannot be saved, or nil; s.mu is held.
func (s *Store) checkSave(f *account.Flow) error {
	if old, ok := s.flows[f.StateHash]; ok && s.now().Before(old.ExpiresAt) {
		return verification.ErrConflict
	}
	return nil
}

// CreateAccountFlow implements account.FlowWriter under one lock; a nil f
// is CreateAccount.
func (s *Store) CreateAccountFlow(ctx context.Context, a *account.ExternalAccount, f *account.Flow) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkCreate(a); err != nil {
		return err
	}
	if f != nil {
		if err := s.checkSave(f); err != nil {
			return err
		}
		s.flows[f.StateHash] = f.Clone()
	}
	s.create(a)
	return nil
}

// UpdateAccountFlow implements account.FlowWriter under one lock.
func (s *Store) UpdateAccountFlow(ctx context.Context, take string, a *account.ExternalAccount, tokens *account.SealedTokens, save *account.Flow) error {
	if err := ctx.Err(); err != nil {
		return verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if take != "" {
		if f, ok := s.flows[take]; !ok || !s.now().Before(f.ExpiresAt) {
			return verification.ErrResourceNotFound
		}
	}
	if err := s.checkUpdate(a, tokens); err != nil {
		return err
	}
	if save != nil {
		if err := s.checkSave(save); err != nil && save.StateHash != take {
			return err
		}
	}
	if take != "" {
		delete(s.flows, take)
	}
	s.update(a, tokens)
	if save != nil {
		s.flows[save.StateHash] = save.Clone()
	}
	return nil
}

// TakeFlow implements account.FlowStore.
func (s *Store) TakeFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.flows[stateHash]
	if !ok {
		return nil, verification.ErrResourceNotFound
	}
	delete(s.flows, stateHash)
	if !s.now().Before(f.ExpiresAt) {
		return nil, verification.ErrResourceNotFound
	}
	return f, nil
}

// GetFlow implements account.FlowStore.
func (s *Store) GetFlow(ctx context.Context, stateHash string) (*account.Flow, error) {
	if err := ctx.Err(); err != nil {
		return nil, verification.ErrStoreUnavailable.Wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.flows[stateHash]
	if !ok || !s.now().Before(f.ExpiresAt) {
		return nil, verification.ErrResourceNotFound
	}
	return f.Clone(), nil
}

// DeleteExpired implements account.FlowStore.
func (s *Store) DeleteExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, verification.ErrStoreUnavailable.Wrap(err)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, f := range s.flows {
		if !now.Before(f.ExpiresAt) {
			delete(s.flows, k)
			n++
		}
	}
	return n, nil
}
