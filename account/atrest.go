package account

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/tetherauth/tether/verification"
)

// sealedURLPrefix marks a verification redirect URL sealed for storage.
const sealedURLPrefix = "tether-sealed:"

// sealingAccounts is the AccountStore the Service writes through: it seals
// each verification's redirect URL before it reaches the store and opens it
// on the way back. The URL carries the raw state, whose hash is the key of
// the flow: stored in clear, a store's contents (or a backup of them) would
// be enough to complete a flow. The user who owns the account still reads
// the URL in the clear.
type sealingAccounts struct {
	AccountStore
	kr *Keyring
}

func urlAD(accountID string) []byte { return []byte("tether/redirect:" + accountID) }

// seal replaces a's redirect URL by its sealed form and returns a function
// that puts the clear URL back.
func (s sealingAccounts) seal(a *ExternalAccount) (restore func()) {
	clear := a.Verification.ExternalVerificationRedirectURL
	if clear == "" {
		return func() {}
	}
	sealed := s.kr.Seal([]byte(clear), urlAD(a.ID))
	a.Verification.ExternalVerificationRedirectURL = sealedURLPrefix + base64.RawURLEncoding.EncodeToString(sealed)
	return func() { a.Verification.ExternalVerificationRedirectURL = clear }
}

// open puts a's clear redirect URL back. A URL that does not open (its key
// left the keyring) reads as none: the user starts again.
func (s sealingAccounts) open(a *ExternalAccount) {
	v := a.Verification.ExternalVerificationRedirectURL
	rest, ok := strings.CutPrefix(v, sealedURLPrefix)
	if !ok {
		return // written before sealing, or none
	}
	a.Verification.ExternalVerificationRedirectURL = ""
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return
	}
	if clear, err := s.kr.Open(b, urlAD(a.ID)); err == nil {
		a.Verification.ExternalVerificationRedirectURL = string(clear)
	}
}

func (s sealingAccounts) CreateAccount(ctx context.Context, a *ExternalAccount) error {
	defer s.seal(a)()
	return s.AccountStore.CreateAccount(ctx, a)
}

func (s sealingAccounts) UpdateAccount(ctx context.Context, a *ExternalAccount, tokens *SealedTokens) error {
	defer s.seal(a)()
	return s.AccountStore.UpdateAccount(ctx, a, tokens)
}

func (s sealingAccounts) GetAccount(ctx context.Context, id string) (*ExternalAccount, error) {
	a, err := s.AccountStore.GetAccount(ctx, id)
	if err == nil {
		s.open(a)
	}
	return a, err
}

func (s sealingAccounts) FindAccountByIdentity(ctx context.Context, p verification.Strategy, sub string) (*ExternalAccount, error) {
	a, err := s.AccountStore.FindAccountByIdentity(ctx, p, sub)
	if err == nil {
		s.open(a)
	}
	return a, err
}

func (s sealingAccounts) ListAccounts(ctx context.Context, q Query) ([]*ExternalAccount, error) {
	as, err := s.AccountStore.ListAccounts(ctx, q)
	for _, a := range as {
		s.open(a)
	}
	return as, err
}

func (s sealingAccounts) DeleteAbandoned(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.AccountStore.DeleteAbandoned(ctx, before, limit)
}

// GetAccountTokens reads an account and its tokens: in one round trip when
// the store can, else one after the other. tokens may be another store.
func (s sealingAccounts) getAccountTokens(ctx context.Context, tokens TokenStore, id string) (*ExternalAccount, *SealedTokens, error) {
	inner := s.AccountStore
	if ta, ok := inner.(tracedAccounts); ok {
		inner = ta.AccountStore
	}
	if _, ok := inner.(AccountTokensReader); ok && sameStore(s.AccountStore, tokens) {
		a, st, err := s.AccountStore.(AccountTokensReader).GetAccountTokens(ctx, id)
		if err == nil {
			s.open(a)
		}
		return a, st, err
	}
	a, err := s.GetAccount(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	st, err := tokens.GetTokens(ctx, a.ID)
	if errors.Is(err, verification.ErrResourceNotFound) {
		return a, nil, nil
	}
	return a, st, err
}

// sameStore reports whether accounts and tokens are one store (seen
// through the Service's tracing wrappers).
func sameStore(accounts AccountStore, tokens TokenStore) bool {
	if ta, ok := accounts.(tracedAccounts); ok {
		accounts = ta.AccountStore
	}
	if tt, ok := tokens.(tracedTokens); ok {
		tokens = tt.TokenStore
	}
	return sameValue(accounts, tokens)
}

// sameValue reports whether a and b are the same store: equal dynamic
// types and values, without panicking on a type that is not comparable.
func sameValue(a, b any) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}
