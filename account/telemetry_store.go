package account

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tetherauth/tether/verification"
)

// The traced stores give every store call a child span of the operation
// that made it, named "tether.store.<Method>", with the API error code as
// status. They are installed only when a TracerProvider is configured.

func storeSpan(ctx context.Context, tr trace.Tracer, method string) (context.Context, trace.Span) {
	return tr.Start(ctx, "tether.store."+method, trace.WithSpanKind(trace.SpanKindClient))
}

func endStoreSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, verification.AsError(err).Code)
	}
	span.End()
}

type tracedAccounts struct {
	AccountStore
	tr trace.Tracer
}

func (t tracedAccounts) CreateAccount(ctx context.Context, a *ExternalAccount) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "CreateAccount")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.CreateAccount(ctx, a)
}

func (t tracedAccounts) GetAccount(ctx context.Context, id string) (_ *ExternalAccount, err error) {
	ctx, span := storeSpan(ctx, t.tr, "GetAccount")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.GetAccount(ctx, id)
}

func (t tracedAccounts) ListAccounts(ctx context.Context, q Query) (_ []*ExternalAccount, err error) {
	ctx, span := storeSpan(ctx, t.tr, "ListAccounts")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.ListAccounts(ctx, q)
}

func (t tracedAccounts) FindAccountByIdentity(ctx context.Context, p verification.Strategy, sub string) (_ *ExternalAccount, err error) {
	ctx, span := storeSpan(ctx, t.tr, "FindAccountByIdentity")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.FindAccountByIdentity(ctx, p, sub)
}

func (t tracedAccounts) UpdateAccount(ctx context.Context, a *ExternalAccount, tokens *SealedTokens) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "UpdateAccount")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.UpdateAccount(ctx, a, tokens)
}

func (t tracedAccounts) DeleteAccount(ctx context.Context, id string) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "DeleteAccount")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.DeleteAccount(ctx, id)
}

func (t tracedAccounts) DeleteAbandoned(ctx context.Context, before time.Time, limit int) (_ int, err error) {
	ctx, span := storeSpan(ctx, t.tr, "DeleteAbandoned")
	defer func() { endStoreSpan(span, err) }()
	return t.AccountStore.DeleteAbandoned(ctx, before, limit)
}

type tracedTokens struct {
	TokenStore
	tr trace.Tracer
}

func (t tracedTokens) GetTokens(ctx context.Context, accountID string) (_ *SealedTokens, err error) {
	ctx, span := storeSpan(ctx, t.tr, "GetTokens")
	defer func() { endStoreSpan(span, err) }()
	return t.TokenStore.GetTokens(ctx, accountID)
}

func (t tracedTokens) SwapTokens(ctx context.Context, st *SealedTokens) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "SwapTokens")
	defer func() { endStoreSpan(span, err) }()
	return t.TokenStore.SwapTokens(ctx, st)
}

type tracedFlows struct {
	FlowStore
	tr trace.Tracer
}

func (t tracedFlows) SaveFlow(ctx context.Context, f *Flow) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "SaveFlow")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowStore.SaveFlow(ctx, f)
}

func (t tracedFlows) TakeFlow(ctx context.Context, stateHash string) (_ *Flow, err error) {
	ctx, span := storeSpan(ctx, t.tr, "TakeFlow")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowStore.TakeFlow(ctx, stateHash)
}

func (t tracedFlows) DeleteExpired(ctx context.Context) (_ int, err error) {
	ctx, span := storeSpan(ctx, t.tr, "DeleteExpired")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowStore.DeleteExpired(ctx)
}

func (t tracedTokens) LeaseTokens(ctx context.Context, accountID, holder string, now time.Time, ttl time.Duration) (_ bool, err error) {
	ctx, span := storeSpan(ctx, t.tr, "LeaseTokens")
	defer func() { endStoreSpan(span, err) }()
	return t.TokenStore.LeaseTokens(ctx, accountID, holder, now, ttl)
}

func (t tracedTokens) ReleaseTokens(ctx context.Context, accountID, holder string) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "ReleaseTokens")
	defer func() { endStoreSpan(span, err) }()
	return t.TokenStore.ReleaseTokens(ctx, accountID, holder)
}

func (t tracedFlows) GetFlow(ctx context.Context, stateHash string) (_ *Flow, err error) {
	ctx, span := storeSpan(ctx, t.tr, "GetFlow")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowStore.GetFlow(ctx, stateHash)
}

func (t tracedAccounts) GetAccountTokens(ctx context.Context, id string) (_ *ExternalAccount, _ *SealedTokens, err error) {
	r, ok := t.AccountStore.(AccountTokensReader)
	if !ok {
		return nil, nil, verification.ErrInternal.WithLongMessage("The store does not read accounts with their tokens.")
	}
	ctx, span := storeSpan(ctx, t.tr, "GetAccountTokens")
	defer func() { endStoreSpan(span, err) }()
	return r.GetAccountTokens(ctx, id)
}

type tracedFlowWriter struct {
	FlowWriter
	tr trace.Tracer
}

func (t tracedFlowWriter) CreateAccountFlow(ctx context.Context, a *ExternalAccount, f *Flow) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "CreateAccountFlow")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowWriter.CreateAccountFlow(ctx, a, f)
}

func (t tracedFlowWriter) UpdateAccountFlow(ctx context.Context, take string, a *ExternalAccount, tokens *SealedTokens, save *Flow) (err error) {
	ctx, span := storeSpan(ctx, t.tr, "UpdateAccountFlow")
	defer func() { endStoreSpan(span, err) }()
	return t.FlowWriter.UpdateAccountFlow(ctx, take, a, tokens, save)
}
