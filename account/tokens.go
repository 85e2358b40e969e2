package account

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// tokenRecord is the plaintext of SealedTokens.Blob.
type tokenRecord struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type,omitempty"`
	RefreshToken string   `json:"refresh_token,omitempty"`
	IDToken      string   `json:"id_token,omitempty"`
	TokenSecret  string   `json:"token_secret,omitempty"` // OAuth 1.0a
	Expiry       int64    `json:"expiry,omitempty"`       // epoch ms
	Scopes       []string `json:"scopes,omitempty"`
}

func tokenRecordFrom(t *provider.Token) tokenRecord {
	r := tokenRecord{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		IDToken:      t.IDToken,
		TokenSecret:  t.TokenSecret,
		Scopes:       t.Scopes,
	}
	if !t.Expiry.IsZero() {
		r.Expiry = t.Expiry.UnixMilli()
	}
	return r
}

func (r tokenRecord) token() *provider.Token {
	t := &provider.Token{
		AccessToken:  r.AccessToken,
		TokenType:    r.TokenType,
		RefreshToken: r.RefreshToken,
		IDToken:      r.IDToken,
		TokenSecret:  r.TokenSecret,
		Scopes:       r.Scopes,
	}
	if r.Expiry != 0 {
		t.Expiry = time.UnixMilli(r.Expiry).UTC()
	}
	return t
}

// sealTokens seals r for accountID: the associated data is the account id,
// so a blob copied to another account does not open.
func (s *Service) sealTokens(accountID string, r tokenRecord) (*SealedTokens, error) {
	pt, err := json.Marshal(r)
	if err != nil {
		return nil, verification.ErrInternal.Wrap(err)
	}
	blob := s.keyring.Seal(pt, []byte(accountID))
	clear(pt)
	return &SealedTokens{AccountID: accountID, Blob: blob, UpdatedAt: s.clock()}, nil
}

// loadTokens reads the sealed tokens of an account and opens them. No
// tokens is verification.ErrResourceNotFound.
func (s *Service) loadTokens(ctx context.Context, accountID string) (*SealedTokens, *provider.Token, error) {
	st, err := s.tokens.GetTokens(ctx, accountID)
	if err != nil {
		return nil, nil, err
	}
	tok, err := s.openSealed(st, accountID)
	if err != nil {
		return nil, nil, err
	}
	return st, tok, nil
}

// openTokens is loadTokens for callers that need only the tokens.
func (s *Service) openTokens(ctx context.Context, accountID string) (*provider.Token, error) {
	_, tok, err := s.loadTokens(ctx, accountID)
	return tok, err
}

// openSealed opens the sealed tokens of accountID with the keyring; tokens
// sealed for another account do not open.
func (s *Service) openSealed(st *SealedTokens, accountID string) (*provider.Token, error) {
	pt, err := s.keyring.Open(st.Blob, []byte(accountID))
	if err != nil {
		return nil, verification.ErrInternal.WithLongMessage("The account's tokens do not open with this keyring: add back the key that sealed them (its id is in the sealed value), or reauthorize the account.").Wrap(err)
	}
	var r tokenRecord
	if err := json.Unmarshal(pt, &r); err != nil {
		return nil, verification.ErrInternal.Wrap(err)
	}
	clear(pt)
	return r.token(), nil
}
