package account_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// eventLog records the events a Service emits.
type eventLog struct {
	mu     sync.Mutex
	events []account.Event
}

func (l *eventLog) observe(_ context.Context, e account.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) take() []account.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func types(es []account.Event) []account.EventType {
	out := make([]account.EventType, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

func withEvents(l *eventLog) envOption {
	return func(_ *providertest.Config, c *account.Config) { c.OnEvent = l.observe }
}

func wantEvents(t *testing.T, l *eventLog, want ...account.EventType) []account.Event {
	t.Helper()
	got := l.take()
	if !slices.Equal(types(got), want) {
		t.Fatalf("events = %v, want %v", types(got), want)
	}
	return got
}

func TestEventsOncePerCommittedChange(t *testing.T) {
	var l eventLog
	e := newEnv(t, withEvents(&l))
	a := e.connect("user_1")
	ev := wantEvents(t, &l, account.EventAccountCreated)[0]
	if ev.AccountID != a.ID || ev.UserID != "user_1" || ev.Provider != devStrategy || ev.Status != verification.StatusUnverified || ev.Version != 1 {
		t.Fatalf("created event = %+v", ev)
	}
	e.idp.SetFaults(providertest.Faults{AuthorizeError: "access_denied"})
	c, _ := e.complete(e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
	ev = wantEvents(t, &l, account.EventVerificationFailed)[0]
	if ev.Error != "oauth_access_denied" || ev.Status != verification.StatusUnverified {
		t.Fatalf("failed event = %+v", ev)
	}
	e.idp.SetFaults(providertest.Faults{})
	c, err := e.complete(e.authorize(c.Account.Verification.ExternalVerificationRedirectURL, "sub-1"))
	if err != nil {
		t.Fatal(err)
	}
	ev = wantEvents(t, &l, account.EventAccountVerified)[0]
	if ev.Version != c.Account.Version || ev.Error != "" || ev.Status != verification.StatusVerified {
		t.Fatalf("verified event = %+v (account version %d)", ev, c.Account.Version)
	}
	// A replayed callback changes nothing and emits nothing.
	r, err := e.svc.Reauthorize(t.Context(), account.ReauthorizeParams{UserID: "user_1", AccountID: a.ID, RedirectURL: "/", Binding: testBinding})
	if err != nil {
		t.Fatal(err)
	}
	wantEvents(t, &l) // starting a reauthorization is not a change of the grant
	if _, err := e.complete(e.authorize(r.Verification.ExternalVerificationRedirectURL, "sub-1")); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, &l, account.EventAccountReauthorized)

	// Expiry.
	b := e.connect("user_1")
	l.take()
	p := e.authorize(b.Verification.ExternalVerificationRedirectURL, "sub-2")
	e.clock.Advance(e.svc.Policy().Lifetime() + time.Second)
	_, err = e.complete(p)
	wantCode(t, err, verification.ErrVerificationExpired)
	wantEvents(t, &l, account.EventVerificationExpired)

	// Token refresh.
	e.clock.Advance(2 * time.Hour)
	if _, err := e.svc.AccessToken(t.Context(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	ev = wantEvents(t, &l, account.EventTokensRefreshed)[0]
	if ev.Version < 2 {
		t.Fatalf("refresh event version = %d", ev.Version)
	}

	// Admin update, then destroy, twice: the second finds nothing.
	label := "Work"
	if _, err := e.svc.Admin().Update(t.Context(), a.ID, account.Update{Label: &label}); err != nil {
		t.Fatal(err)
	}
	wantEvents(t, &l, account.EventAccountUpdated)
	if err := e.svc.Destroy(t.Context(), "user_1", a.ID); err != nil {
		t.Fatal(err)
	}
	ev = wantEvents(t, &l, account.EventAccountDestroyed)[0]
	if ev.AccountID != a.ID || ev.Status != "" {
		t.Fatalf("destroyed event = %+v", ev)
	}
	_ = e.svc.Destroy(t.Context(), "user_1", a.ID)
	wantEvents(t, &l)
}

func TestEventIDsIdentifyChanges(t *testing.T) {
	var l eventLog
	e := newEnv(t, withEvents(&l))
	e.link("user_1", "sub-1")
	e.link("user_1", "sub-2")
	seen := map[string]bool{}
	for _, ev := range l.take() {
		if seen[ev.ID] || ev.ID == "" {
			t.Fatalf("event id %q repeats or is empty", ev.ID)
		}
		seen[ev.ID] = true
		// No event carries a secret or profile data.
		s := fmt.Sprintf("%+v", ev)
		for _, secret := range e.secrets {
			if len(secret) >= 8 && strings.Contains(s, secret) {
				t.Fatalf("event %s carries a secret", ev.Type)
			}
		}
		if strings.Contains(s, "Lovelace") || strings.Contains(s, "@") {
			t.Fatalf("event %s carries profile data: %s", ev.Type, s)
		}
	}
}

// failingUpdates fails every account update, as a store that went down
// between the flow's take and the write of its outcome.
type failingUpdates struct{ account.AccountStore }

func (failingUpdates) UpdateAccount(context.Context, *account.ExternalAccount, *account.SealedTokens) error {
	return verification.ErrStoreUnavailable.Wrap(errors.New("down"))
}

func TestNoEventForAFailedWrite(t *testing.T) {
	var l eventLog
	e := newEnv(t)
	reg, err := provider.NewRegistry(e.prov)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := account.New(account.Config{
		Accounts: failingUpdates{e.store}, Tokens: e.store, Flows: e.store, Providers: reg, Keyring: e.keyring,
		CallbackURL: callbackURL, Now: e.clock.Now, OnEvent: l.observe,
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Connect(t.Context(), account.ConnectParams{UserID: "user_1", Strategy: devStrategy.String(), RedirectURL: "/", Binding: testBinding})
	if err != nil {
		t.Fatal(err)
	}
	wantEvents(t, &l, account.EventAccountCreated)
	_, err = svc.Complete(t.Context(), e.authorize(a.Verification.ExternalVerificationRedirectURL, "sub-1"))
	wantCode(t, err, verification.ErrStoreUnavailable)
	wantEvents(t, &l)
}

func TestPanickingObserver(t *testing.T) {
	e := newEnv(t, func(_ *providertest.Config, c *account.Config) {
		c.OnEvent = func(context.Context, account.Event) { panic("observer bug") }
	})
	e.link("user_1", "sub-1") // fails the test if the flow breaks
	if !strings.Contains(e.logs.String(), "event observer panicked") {
		t.Fatal("the panic is not logged")
	}
}

func TestTelemetry(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	e := newEnv(t, func(_ *providertest.Config, c *account.Config) { c.TracerProvider, c.MeterProvider = tp, mp })
	a := e.link("user_1", "sub-1")
	if _, err := e.svc.Get(t.Context(), "user_1", "eac_missing"); err == nil {
		t.Fatal("Get of a missing account succeeded")
	}

	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans.GetSpans().Snapshots() {
		byName[s.Name()] = append(byName[s.Name()], s)
		for _, kv := range s.Attributes() {
			for _, secret := range e.secrets {
				if len(secret) >= 8 && strings.Contains(kv.Value.Emit(), secret) {
					t.Fatalf("span %s attribute %s carries a secret", s.Name(), kv.Key)
				}
			}
		}
	}
	for _, name := range []string{"tether.Connect", "tether.Complete", "tether.Get", "tether.store.TakeFlow", "tether.store.UpdateAccount", "tether.store.SaveFlow"} {
		if len(byName[name]) == 0 {
			t.Fatalf("no span %s; have %v", name, keys(byName))
		}
	}
	complete := byName["tether.Complete"][0]
	take := byName["tether.store.TakeFlow"][0]
	if take.Parent().SpanID() != complete.SpanContext().SpanID() {
		t.Fatal("the store span is not a child of the operation's span")
	}
	// The provider's HTTP calls are spans of the operation that made them:
	// the token request (POST) is under Complete, with no query anywhere.
	tokenCall := byName["tether.provider POST"]
	if len(tokenCall) == 0 || tokenCall[0].Parent().SpanID() != complete.SpanContext().SpanID() {
		t.Fatalf("no provider POST span under tether.Complete; have %v", keys(byName))
	}
	for _, kv := range tokenCall[0].Attributes() {
		if strings.Contains(kv.Value.Emit(), "?") || strings.Contains(kv.Value.Emit(), "code=") {
			t.Fatalf("provider span attribute %s = %q", kv.Key, kv.Value.Emit())
		}
	}
	get := byName["tether.Get"][0]
	if get.Status().Description != "external_account_not_found" {
		t.Fatalf("Get span status = %+v", get.Status())
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	sums := map[string]int64{}
	histograms := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					outcome, _ := p.Attributes.Value(attribute.Key("tether.outcome"))
					sums[m.Name+"/"+outcome.AsString()] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					op, _ := p.Attributes.Value(attribute.Key("tether.operation"))
					histograms[op.AsString()] += p.Count
				}
			}
		}
	}
	if sums["tether.flows.started/"] != 1 || sums["tether.flows.completed/verified"] != 1 {
		t.Fatalf("flow counters = %v", sums)
	}
	if histograms["Connect"] != 1 || histograms["Complete"] != 1 || histograms["Get"] != 1 {
		t.Fatalf("duration histograms = %v", histograms)
	}
	_ = a
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestAdmin(t *testing.T) {
	e := newEnv(t)
	ad := e.svc.Admin()
	a := e.link("user_1", "sub-1")
	b := e.link("user_2", "sub-2")
	pending := e.connect("user_2")

	page, err := ad.List(t.Context(), account.AdminQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Accounts) != 2 || page.Next == "" || page.Accounts[0].ID != a.ID || page.Accounts[1].ID != b.ID {
		t.Fatalf("first page = %v next %q", ids(page.Accounts), page.Next)
	}
	page, err = ad.List(t.Context(), account.AdminQuery{Limit: 2, After: page.Next})
	if err != nil || len(page.Accounts) != 1 || page.Accounts[0].ID != pending.ID || page.Next != "" {
		t.Fatalf("second page = %v next %q, %v", ids(page.Accounts), page.Next, err)
	}
	for q, want := range map[account.AdminQuery][]string{
		{UserID: "user_2"}:                       {b.ID, pending.ID},
		{Status: "verified"}:                     {a.ID, b.ID},
		{Status: "unverified", UserID: "user_2"}: {pending.ID},
		{Provider: "oauth_github"}:               {},
		{Provider: devStrategy.String()}:         {a.ID, b.ID, pending.ID},
	} {
		page, err := ad.List(t.Context(), q)
		if err != nil || !slices.Equal(ids(page.Accounts), want) {
			t.Errorf("List(%+v) = %v, %v; want %v", q, ids(page.Accounts), err, want)
		}
	}
	for q, param := range map[account.AdminQuery]string{
		{Status: "bogus"}:       "status",
		{Provider: "google"}:    "provider",
		{UserID: "bad\x00user"}: "user_id",
		{Limit: 1000}:           "limit",
		{After: "not-a-cursor"}: "after",
	} {
		_, err := ad.List(t.Context(), q)
		if !errors.Is(err, verification.ErrFormParamInvalid) || verification.AsError(err).Meta["param_name"] != param {
			t.Errorf("List(%+v) = %v, want form_param_invalid on %s", q, err, param)
		}
	}
	got, err := ad.ByProvider(t.Context(), "user_2", devStrategy.String())
	if err != nil || !slices.Equal(ids(got), []string{b.ID, pending.ID}) {
		t.Fatalf("ByProvider = %v, %v", ids(got), err)
	}

	// Compare-and-swap updates.
	label := "Work"
	up, err := ad.Update(t.Context(), a.ID, account.Update{Version: a.Version, Label: &label, PublicMetadata: map[string]any{"plan": "pro"}})
	if err != nil || up.Label != "Work" || up.PublicMetadata["plan"] != "pro" || up.Version != a.Version+1 {
		t.Fatalf("Update = %+v, %v", up, err)
	}
	_, err = ad.Update(t.Context(), a.ID, account.Update{Version: a.Version, Label: &label})
	wantCode(t, err, verification.ErrConflict)
	stored := e.get("user_1", a.ID)
	if stored.Label != "Work" || stored.PublicMetadata["plan"] != "pro" || !stored.Verified() {
		t.Fatalf("stored after update = %+v", stored)
	}
	big := map[string]any{"x": strings.Repeat("a", account.MaxPublicMetadataSize)}
	_, err = ad.Update(t.Context(), a.ID, account.Update{PublicMetadata: big})
	wantCode(t, err, verification.ErrFormParamInvalid)
	bad := "a\x00b"
	_, err = ad.Update(t.Context(), a.ID, account.Update{Label: &bad})
	wantCode(t, err, verification.ErrFormParamInvalid)
	up, err = ad.Update(t.Context(), a.ID, account.Update{ClearPublicMetadata: true})
	if err != nil || up.PublicMetadata != nil || up.Label != "Work" {
		t.Fatalf("clear metadata = %+v, %v", up, err)
	}
	_, err = ad.Update(t.Context(), "eac_missing", account.Update{Label: &label})
	wantCode(t, err, verification.ErrExternalAccountNotFound)

	// Admin destroy works across users.
	if err := ad.Destroy(t.Context(), b.ID); err != nil {
		t.Fatal(err)
	}
	_, err = ad.Get(t.Context(), b.ID)
	wantCode(t, err, verification.ErrExternalAccountNotFound)
}

// ids returns the ids of as.
func ids(as []*account.ExternalAccount) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}
