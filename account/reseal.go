package account

import (
	"context"
	"errors"

	"github.com/tetherauth/tether/verification"
)

// ResealResult says what one Reseal call did.
type ResealResult struct {
	// Scanned is how many accounts were looked at; Resealed how many had
	// their tokens sealed again under the primary key.
	Scanned, Resealed int
	// Next, when not "", is where the next call resumes (ResealParams.After);
	// "" means every account was seen.
	Next string
}

// ResealParams bound one Reseal call.
type ResealParams struct {
	// Limit is how many accounts one call looks at: DefaultPageSize when
	// 0, at most MaxPageSize.
	Limit int
	// After resumes where a previous call stopped (its Next).
	After string
}

// Reseal seals again, under the keyring's primary key, the tokens of the
// accounts it looks at that an older key sealed, so that the older key can
// be removed even for tokens that never refresh. It works in batches and is
// resumable: call it with each result's Next until Next is "".
// Concurrent writers are safe: a token written meanwhile is newer and
// already sealed with the primary key.
//
// Tokens that no key of the keyring opens are counted as scanned and left
// alone (and logged): their account needs a reauthorization.
func (s *Service) Reseal(ctx context.Context, p ResealParams) (_ ResealResult, err error) {
	ctx, end := s.operation(ctx, "Reseal")
	defer func() { end(err) }()
	page, err := s.page(ctx, Query{}, PageParams{Limit: p.Limit, After: p.After})
	if err != nil {
		return ResealResult{}, err
	}
	r := ResealResult{Next: page.Next}
	primary := s.keyring.PrimaryKeyID()
	for _, a := range page.Accounts {
		r.Scanned++
		st, err := s.tokens.GetTokens(ctx, a.ID)
		if errors.Is(err, verification.ErrResourceNotFound) {
			continue
		}
		if err != nil {
			return r, err
		}
		if SealedKeyID(st.Blob) == primary {
			continue
		}
		tok, err := s.openSealed(st, a.ID)
		if err != nil {
			s.log.LogAttrs(ctx, levelError, "tether: tokens do not open with this keyring, not resealed", accountAttrs(a)...)
			continue
		}
		sealed, err := s.sealTokens(a.ID, tokenRecordFrom(tok))
		if err != nil {
			return r, err
		}
		sealed.Version = st.Version
		switch err := s.tokens.SwapTokens(ctx, sealed); {
		case err == nil:
			r.Resealed++
		case errors.Is(err, verification.ErrConflict), errors.Is(err, verification.ErrExternalAccountNotFound):
			// Written or deleted meanwhile: newer than what we read.
		default:
			return r, err
		}
	}
	return r, nil
}
