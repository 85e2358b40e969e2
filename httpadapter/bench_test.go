package httpadapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// benchFixture is a Service over a memstore holding n verified accounts of
// user "u", the handler on it, and a bare handler that writes the same JSON
// from the same Service.
type benchFixture struct {
	handler    http.Handler
	bare       http.HandlerFunc // List + encoding/json
	bareJoined http.HandlerFunc // List + the handler's own array join
	req        *http.Request
}

func newBenchFixture(tb testing.TB, n int) *benchFixture {
	tb.Helper()
	const cb = "https://app.example.com/oauth_callback"
	reg, err := provider.NewRegistry()
	if err != nil {
		tb.Fatal(err)
	}
	kr, err := account.NewKeyring(account.GenerateKey("k1"))
	if err != nil {
		tb.Fatal(err)
	}
	store := memstore.New(memstore.Options{})
	svc, err := account.New(account.Config{Accounts: store, Flows: store, Providers: reg, Keyring: kr, CallbackURL: cb})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range n {
		a := &account.ExternalAccount{
			ID:                   account.NewID(account.AccountIDPrefix),
			UserID:               "u",
			IdentificationID:     account.NewID(account.IdentificationIDPrefix),
			Provider:             verification.MustParseStrategy("oauth_google"),
			ProviderUserID:       fmt.Sprintf("10876954321%04d", i),
			EmailAddress:         fmt.Sprintf("user%d@example.com", i),
			EmailAddressVerified: new(true),
			ApprovedScopes:       []string{"openid", "email", "profile", "https://www.googleapis.com/auth/calendar.readonly"},
			FirstName:            "Ada",
			LastName:             "Lovelace <&>",
			AvatarURL:            "https://lh3.googleusercontent.com/a/ACg8ocJ-abcdefghijklmnop=s96-c",
			Label:                fmt.Sprintf("account %d", i),
			Verification:         verification.Verification{Status: verification.StatusVerified, Strategy: verification.MustParseStrategy("oauth_google"), Attempts: 1, ExpireAt: now.Add(time.Minute)},
			CreatedAt:            now.Add(time.Duration(i) * time.Millisecond),
			UpdatedAt:            now,
		}
		if err := store.CreateAccount(tb.Context(), a); err != nil {
			tb.Fatal(err)
		}
	}
	h, err := New(svc, Options{CallbackURL: cb, UserID: func(*http.Request) (string, error) { return "u", nil }})
	if err != nil {
		tb.Fatal(err)
	}
	bare := func(w http.ResponseWriter, r *http.Request) {
		as, err := svc.List(r.Context(), "u")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b, err := json.Marshal(as)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
	bareJoined := func(w http.ResponseWriter, r *http.Request) {
		as, err := svc.List(r.Context(), "u")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b, err := marshalAccounts(as)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
	return &benchFixture{handler: h, bare: bare, bareJoined: bareJoined, req: httptest.NewRequest(http.MethodGet, "/me/external_accounts", nil)}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks
// measure the handlers rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *discardWriter) reset()                      { clear(w.h); w.status, w.n = 0, 0 }

func BenchmarkListHandler(b *testing.B) {
	f := newBenchFixture(b, 10)
	runListBenchmark(b, f.handler, f.req)
}

func BenchmarkListBare(b *testing.B) {
	f := newBenchFixture(b, 10)
	runListBenchmark(b, f.bare, f.req)
}

// BenchmarkListBareJoined is BenchmarkListBare with the handler's array
// join instead of encoding/json: against it, BenchmarkListHandler measures
// the routing, authentication and headers alone.
func BenchmarkListBareJoined(b *testing.B) {
	f := newBenchFixture(b, 10)
	runListBenchmark(b, f.bareJoined, f.req)
}

func runListBenchmark(b *testing.B, h http.Handler, r *http.Request) {
	w := &discardWriter{h: make(http.Header)}
	h.ServeHTTP(w, r)
	if w.status != 0 && w.status != http.StatusOK || w.n == 0 {
		b.Fatalf("status %d, %d bytes", w.status, w.n)
	}
	b.SetBytes(int64(w.n))
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r)
	}
}

// TestListMatchesBare: the handler's hand-joined array is byte for byte what
// encoding/json writes for the same accounts.
func TestListMatchesBare(t *testing.T) {
	f := newBenchFixture(t, 10)
	h, bare := httptest.NewRecorder(), httptest.NewRecorder()
	f.handler.ServeHTTP(h, f.req)
	f.bare.ServeHTTP(bare, f.req)
	if h.Code != 200 || !bytes.Equal(h.Body.Bytes(), bare.Body.Bytes()) {
		t.Fatalf("handler (%d):\n%s\nbare:\n%s", h.Code, h.Body, bare.Body)
	}
	var list []map[string]any
	if err := json.Unmarshal(h.Body.Bytes(), &list); err != nil || len(list) != 10 {
		t.Fatalf("not an array of 10: %v", err)
	}
}
