package account

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/tetherauth/tether/verification"
)

// Page sizes of ListPage.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageParams ask ListPage for one page of a user's accounts.
type PageParams struct {
	// Limit is the page size: DefaultPageSize when 0, at most MaxPageSize.
	Limit int
	// After is the Next of the previous page; "" for the first page.
	After string
}

// Page is one page of accounts in creation order.
type Page struct {
	Accounts []*ExternalAccount
	// Next, when not "", is the After of the next page: there may be more.
	Next string
}

// ListPage returns one page of the user's external accounts in creation
// order. A bad Limit or After is form_param_invalid (param_name "limit" or
// "after").
func (s *Service) ListPage(ctx context.Context, userID string, p PageParams) (_ *Page, err error) {
	ctx, end := s.operation(ctx, "ListPage")
	defer func() { end(err) }()
	if err := validateUserID(userID); err != nil {
		return nil, err
	}
	return s.page(ctx, Query{UserID: userID}, p)
}

// page runs q one page at a time.
func (s *Service) page(ctx context.Context, q Query, p PageParams) (*Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return nil, verification.ErrFormParamInvalid.WithParam("limit").WithLongMessage("limit must be between 1 and " + strconv.Itoa(MaxPageSize) + ".")
	}
	q.Limit = p.Limit + 1
	if p.After != "" {
		c, err := DecodeCursor(p.After)
		if err != nil {
			return nil, err
		}
		q.After = &c
	}
	as, err := s.accounts.ListAccounts(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &Page{Accounts: as}
	if len(as) > p.Limit {
		page.Accounts = as[:p.Limit]
		page.Next = EncodeCursor(CursorOf(page.Accounts[p.Limit-1]))
	}
	now := s.clock()
	for _, a := range page.Accounts {
		a.Verification = s.policy.Observe(a.Verification, now)
	}
	return page, nil
}

// EncodeCursor returns c as an opaque, URL-safe string.
func EncodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMilli(), 10) + "." + c.ID))
}

// DecodeCursor parses what EncodeCursor returned; anything else is
// form_param_invalid with param_name "after".
func DecodeCursor(s string) (Cursor, error) {
	bad := verification.ErrFormParamInvalid.WithParam("after").WithLongMessage("after is not a cursor this API returned.")
	if len(s) > 256 {
		return Cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	ms, id, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" || len(id) > 128 || hasControl(id) {
		return Cursor{}, bad
	}
	return Cursor{CreatedAt: time.UnixMilli(n).UTC(), ID: id}, nil
}
