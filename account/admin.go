package account

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/tetherauth/tether/verification"
)

// MaxPublicMetadataSize is the largest public metadata Admin.Update
// accepts, in bytes of JSON.
const MaxPublicMetadataSize = 8 << 10

// Admin is the back-office view of a Service: it sees every user's
// accounts. It performs no authorization of its own; the host exposes it
// only to its operators (httpadapter.NewAdmin takes the host's check).
type Admin struct{ s *Service }

// Admin returns the back-office view of s.
func (s *Service) Admin() *Admin { return &Admin{s: s} }

// AdminQuery selects accounts across users. Its zero value lists every
// account, one page at a time.
type AdminQuery struct {
	// UserID, Provider and Status filter when set; Provider is a strategy
	// ("oauth_google"), Status a verification status.
	UserID   string
	Provider string
	Status   string
	// Limit and After page as in PageParams.
	Limit int
	After string
}

// List returns one page of the accounts q selects, in creation order.
// A bad filter or page parameter is form_param_invalid naming it.
func (ad *Admin) List(ctx context.Context, q AdminQuery) (_ *Page, err error) {
	ctx, end := ad.s.operation(ctx, "Admin.List")
	defer func() { end(err) }()
	s := ad.s
	sq := Query{}
	if q.UserID != "" {
		if err := validateUserID(q.UserID); err != nil {
			return nil, verification.ErrFormParamInvalid.WithParam("user_id")
		}
		sq.UserID = q.UserID
	}
	if q.Provider != "" {
		st, err := verification.ParseStrategy(q.Provider)
		if err != nil {
			return nil, verification.ErrFormParamInvalid.WithParam("provider")
		}
		sq.Provider = st
	}
	if q.Status != "" {
		switch st := verification.Status(q.Status); st {
		case verification.StatusUnverified, verification.StatusVerified, verification.StatusTransferable, verification.StatusFailed, verification.StatusExpired:
			sq.Status = st
		default:
			return nil, verification.ErrFormParamInvalid.WithParam("status")
		}
	}
	return s.page(ctx, sq, PageParams{Limit: q.Limit, After: q.After})
}

// Get returns the account with id, whichever user it belongs to.
func (ad *Admin) Get(ctx context.Context, id string) (_ *ExternalAccount, err error) {
	ctx, end := ad.s.operation(ctx, "Admin.Get")
	defer func() { end(err) }()
	if id == "" || len(id) > 128 {
		return nil, verification.ErrExternalAccountNotFound
	}
	a, err := ad.s.accounts.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	a.Verification = ad.s.policy.Observe(a.Verification, ad.s.clock())
	return a, nil
}

// ByProvider returns the user's accounts of one provider (a user may have
// several, told apart by Label), in creation order.
func (ad *Admin) ByProvider(ctx context.Context, userID, strategy string) (_ []*ExternalAccount, err error) {
	ctx, end := ad.s.operation(ctx, "Admin.ByProvider")
	defer func() { end(err) }()
	as, err := ad.s.ofProvider(ctx, userID, strategy, max(ad.s.limits.MaxAccounts, DefaultMaxAccounts))
	if err != nil {
		return nil, err
	}
	now := ad.s.clock()
	for _, a := range as {
		a.Verification = ad.s.policy.Observe(a.Verification, now)
	}
	return as, nil
}

// Update is a change the host makes to an account: nil fields stay as
// they are.
type Update struct {
	// Version, when not 0, must be the account's current version (the
	// Version of the account the change was based on): a stale one is
	// conflict and changes nothing. 0 applies the change to whatever is
	// stored.
	Version int64
	// Label, when set, replaces the label ("" clears it).
	Label *string
	// PublicMetadata, when set, replaces the public metadata (an empty
	// map clears it). It must encode to JSON within
	// MaxPublicMetadataSize bytes.
	PublicMetadata map[string]any
	// ClearPublicMetadata removes the public metadata.
	ClearPublicMetadata bool
}

// Update applies u to the account with id with a compare-and-swap and
// returns the account as stored.
func (ad *Admin) Update(ctx context.Context, id string, u Update) (_ *ExternalAccount, err error) {
	ctx, end := ad.s.operation(ctx, "Admin.Update")
	defer func() { end(err) }()
	s := ad.s
	if u.Label != nil {
		if err := validateLabel(*u.Label); err != nil {
			return nil, err
		}
	}
	if u.PublicMetadata != nil {
		b, err := json.Marshal(u.PublicMetadata)
		if err != nil || len(b) > MaxPublicMetadataSize {
			return nil, verification.ErrFormParamInvalid.WithParam("public_metadata").
				WithLongMessage("public_metadata must be a JSON object of at most " + strconv.Itoa(MaxPublicMetadataSize) + " bytes.")
		}
	}
	if id == "" || len(id) > 128 {
		return nil, verification.ErrExternalAccountNotFound
	}
	for range maxCASRetries {
		stored, err := s.accounts.GetAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		if u.Version != 0 && stored.Version != u.Version {
			return nil, verification.ErrConflict.WithLongMessage("The account changed since version " + strconv.FormatInt(u.Version, 10) + "; read it again.")
		}
		if u.Label != nil {
			stored.Label = *u.Label
		}
		if u.PublicMetadata != nil {
			stored.PublicMetadata = cloneMetadata(u.PublicMetadata)
		}
		if u.ClearPublicMetadata {
			stored.PublicMetadata = nil
		}
		stored.UpdatedAt = s.clock()
		err = s.accounts.UpdateAccount(ctx, stored, nil)
		if isConflict(err) && u.Version == 0 {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.emitAccount(ctx, EventAccountUpdated, stored)
		stored.Verification = s.policy.Observe(stored.Verification, s.clock())
		return stored, nil
	}
	return nil, verification.ErrConflict
}

// Destroy deletes the account with id and its tokens, revoking them at the
// provider where it supports revocation, whichever user it belongs to.
func (ad *Admin) Destroy(ctx context.Context, id string) (err error) {
	ctx, end := ad.s.operation(ctx, "Admin.Destroy")
	defer func() { end(err) }()
	a, err := ad.Get(ctx, id)
	if err != nil {
		return err
	}
	return ad.s.destroy(ctx, a)
}
