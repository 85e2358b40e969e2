package verification_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tetherauth/tether/verification"
)

var (
	google = verification.MustParseStrategy("oauth_google")
	t0     = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
)

func started(p verification.Policy) verification.Verification {
	return p.Start(google, "https://idp.example/authorize?state=1", "key-1", t0)
}

// TestTransitions has one case per row of DESIGN.md's state-machine table.
func TestTransitions(t *testing.T) {
	p := verification.Policy{}
	afterTTL := t0.Add(verification.DefaultTTL + time.Millisecond)
	withAttempts := func(n int) verification.Verification {
		v := started(p)
		v.Attempts = n
		return v
	}
	withStatus := func(s verification.Status) verification.Verification {
		v := started(p)
		v.Status = s
		return v
	}
	tests := []struct {
		name         string
		from         verification.Verification
		event        func(verification.Verification) (verification.Verification, error)
		wantStatus   verification.Status
		wantAttempts int
		wantErr      *verification.Error // returned by the transition
		wantVErr     *verification.Error // stored on the verification
		wantURL      string
		wantKey      string
	}{
		{
			name:       "callback after expiry -> expired",
			from:       started(p),
			event:      func(v verification.Verification) (verification.Verification, error) { return p.Succeed(v, afterTTL) },
			wantStatus: verification.StatusExpired, wantAttempts: 1,
			wantErr: verification.ErrVerificationExpired, wantVErr: verification.ErrVerificationExpired,
		},
		{
			name: "callback at exactly expire_at still counts",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Succeed(v, t0.Add(verification.DefaultTTL))
			},
			wantStatus: verification.StatusVerified, wantAttempts: 1,
		},
		{
			name: "callback succeeds -> verified, redirect cleared",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Succeed(v, t0.Add(time.Minute))
			},
			wantStatus: verification.StatusVerified, wantAttempts: 1,
		},
		{
			name: "retryable failure with attempts left -> unverified, error, fresh URL",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Retry(v, t0.Add(time.Minute), verification.ErrAccessDenied, "https://idp.example/authorize?state=2", "key-2")
			},
			wantStatus: verification.StatusUnverified, wantAttempts: 1, wantVErr: verification.ErrAccessDenied,
			wantURL: "https://idp.example/authorize?state=2", wantKey: "key-2",
		},
		{
			name: "retryable failure at the last attempt -> failed",
			from: withAttempts(2),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Retry(v, t0.Add(time.Minute), verification.ErrTokenExchange, "https://x", "key-3")
			},
			wantStatus: verification.StatusFailed, wantAttempts: 3, wantVErr: verification.ErrTokenExchange,
		},
		{
			name: "identity owned by another user -> failed",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Fail(v, t0.Add(time.Minute), verification.ErrExternalAccountExists)
			},
			wantStatus: verification.StatusFailed, wantAttempts: 1, wantVErr: verification.ErrExternalAccountExists,
		},
		{
			name: "reauthorized identity differs -> failed",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Fail(v, t0.Add(time.Minute), verification.ErrIdentityMismatch)
			},
			wantStatus: verification.StatusFailed, wantAttempts: 1, wantVErr: verification.ErrIdentityMismatch,
		},
		{
			name: "sign-in, identity unknown -> transferable",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Hold(v, t0.Add(time.Minute), verification.ErrExternalAccountNotFound)
			},
			wantStatus: verification.StatusTransferable, wantAttempts: 1, wantVErr: verification.ErrExternalAccountNotFound,
		},
		{
			name: "sign-up, identity owned -> transferable",
			from: started(p),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Hold(v, t0.Add(time.Minute), verification.ErrExternalAccountExists)
			},
			wantStatus: verification.StatusTransferable, wantAttempts: 1, wantVErr: verification.ErrExternalAccountExists,
		},
		{
			name: "transferable past its expiry -> expired",
			from: withStatus(verification.StatusTransferable),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Transfer(v, t0.Add(time.Hour))
			},
			wantStatus: verification.StatusExpired, wantErr: verification.ErrVerificationExpired, wantVErr: verification.ErrVerificationExpired,
			wantURL: "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
		{
			name: "transferable, host transfers -> verified",
			from: withStatus(verification.StatusTransferable),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Transfer(v, t0.Add(time.Minute))
			},
			wantStatus: verification.StatusVerified,
			wantURL:    "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
		{
			name:       "verified is terminal",
			from:       withStatus(verification.StatusVerified),
			event:      func(v verification.Verification) (verification.Verification, error) { return p.Succeed(v, t0) },
			wantStatus: verification.StatusVerified, wantErr: verification.ErrAlreadyVerified,
			wantURL: "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
		{
			name: "failed is terminal",
			from: withStatus(verification.StatusFailed),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Retry(v, t0, verification.ErrAccessDenied, "u", "k")
			},
			wantStatus: verification.StatusFailed, wantErr: verification.ErrVerificationFailed,
			wantURL: "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
		{
			name: "expired is terminal",
			from: withStatus(verification.StatusExpired),
			event: func(v verification.Verification) (verification.Verification, error) {
				return p.Hold(v, t0, verification.ErrExternalAccountNotFound)
			},
			wantStatus: verification.StatusExpired, wantErr: verification.ErrVerificationExpired,
			wantURL: "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
		{
			name:       "unverified cannot be transferred",
			from:       started(p),
			event:      func(v verification.Verification) (verification.Verification, error) { return p.Transfer(v, t0) },
			wantStatus: verification.StatusUnverified, wantErr: verification.ErrVerificationFailed,
			wantURL: "https://idp.example/authorize?state=1", wantKey: "key-1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.event(tc.from)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("error = %v, want none", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %s", err, tc.wantErr.Code)
			}
			if got.Status != tc.wantStatus || got.Attempts != tc.wantAttempts {
				t.Fatalf("status %s attempts %d, want %s %d", got.Status, got.Attempts, tc.wantStatus, tc.wantAttempts)
			}
			if (got.Error == nil) != (tc.wantVErr == nil) || (got.Error != nil && !errors.Is(got.Error, tc.wantVErr)) {
				t.Fatalf("verification error = %v, want %v", got.Error, tc.wantVErr)
			}
			if got.ExternalVerificationRedirectURL != tc.wantURL || got.FlowKey != tc.wantKey {
				t.Fatalf("redirect %q key %q, want %q %q", got.ExternalVerificationRedirectURL, got.FlowKey, tc.wantURL, tc.wantKey)
			}
			if got.Strategy != google {
				t.Fatalf("strategy changed to %v", got.Strategy)
			}
		})
	}
}

func TestStart(t *testing.T) {
	p := verification.Policy{TTL: 3 * time.Minute}
	v := p.Start(google, "https://idp/authorize", "k", t0)
	if v.Status != verification.StatusUnverified || v.Attempts != 0 || v.Error != nil ||
		!v.ExpireAt.Equal(t0.Add(3*time.Minute)) || v.ExternalVerificationRedirectURL != "https://idp/authorize" || v.FlowKey != "k" {
		t.Fatalf("Start = %+v", v)
	}
}

// TestThreeFailures walks the retry path to the end: each retry gets a
// fresh flow and a fresh expiry, and the third failure is final.
func TestThreeFailures(t *testing.T) {
	p := verification.Policy{}
	v := started(p)
	now := t0
	keys := map[string]bool{v.FlowKey: true}
	for i := 1; i <= 3; i++ {
		now = now.Add(9 * time.Minute) // each attempt nearly uses up its TTL
		canRetry := p.CanRetry(v, now)
		key := "key-" + string(rune('1'+i))
		var err error
		v, err = p.Retry(v, now, verification.ErrAccessDenied, "https://idp/authorize?attempt="+key, key)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if v.Attempts != i {
			t.Fatalf("attempt %d: attempts = %d", i, v.Attempts)
		}
		if i < 3 {
			if !canRetry || v.Status != verification.StatusUnverified || keys[v.FlowKey] || !v.ExpireAt.Equal(now.Add(verification.DefaultTTL)) {
				t.Fatalf("attempt %d: canRetry %v, %+v", i, canRetry, v)
			}
			keys[v.FlowKey] = true
			continue
		}
		if canRetry || v.Status != verification.StatusFailed || v.FlowKey != "" || v.ExternalVerificationRedirectURL != "" {
			t.Fatalf("attempt 3: canRetry %v, %+v", canRetry, v)
		}
	}
}

func TestMaxAttemptsConfigurable(t *testing.T) {
	p := verification.Policy{MaxAttempts: 1}
	v, err := p.Retry(started(p), t0, verification.ErrFetchUser, "u", "k")
	if err != nil || v.Status != verification.StatusFailed {
		t.Fatalf("MaxAttempts 1: %v %+v", err, v)
	}
	if p.Attempts() != 1 || (verification.Policy{}).Attempts() != 3 || (verification.Policy{}).Lifetime() != 10*time.Minute {
		t.Fatal("policy defaults")
	}
}

func TestObserve(t *testing.T) {
	p := verification.Policy{}
	v := started(p)
	if got := p.Observe(v, t0.Add(time.Minute)); got.Status != verification.StatusUnverified {
		t.Fatalf("before expiry: %s", got.Status)
	}
	got := p.Observe(v, t0.Add(11*time.Minute))
	if got.Status != verification.StatusExpired || got.Attempts != 0 || got.ExternalVerificationRedirectURL != "" || !errors.Is(got.Error, verification.ErrVerificationExpired) {
		t.Fatalf("after expiry: %+v", got)
	}
	if v.Status != verification.StatusUnverified {
		t.Fatal("Observe modified its argument")
	}
}

func TestStrategy(t *testing.T) {
	tests := []struct {
		in     string
		slug   string
		custom bool
		ok     bool
	}{
		{"oauth_google", "google", false, true},
		{"oauth_github", "github", false, true},
		{"oauth_custom_dev", "dev", true, true},
		{"oauth_custom_my-idp_2", "my-idp_2", true, true},
		{"oauth_linkedin_oidc", "linkedin_oidc", false, true},
		{"oauth_", "", false, false},
		{"oauth_custom_", "", false, false},
		{"google", "", false, false},
		{"OAUTH_GOOGLE", "", false, false},
		{"oauth_Google", "", false, false},
		{"oauth_goo gle", "", false, false},
		{"oauth__x", "", false, false},
		{"oauth_-x", "", false, false},
		{"saml_okta", "", false, false},
		{"oauth_" + string(make([]byte, 65)), "", false, false},
		{"oauth_\u00e9", "", false, false},
		{"", "", false, false},
	}
	for _, tc := range tests {
		s, err := verification.ParseStrategy(tc.in)
		if !tc.ok {
			if !errors.Is(err, verification.ErrStrategyInvalid) || !s.IsZero() {
				t.Errorf("ParseStrategy(%q) = %v, %v; want verification_strategy_invalid", tc.in, s, err)
			}
			continue
		}
		if err != nil || s.Slug() != tc.slug || s.IsCustom() != tc.custom || s.String() != tc.in {
			t.Errorf("ParseStrategy(%q) = %q (slug %q custom %v), %v", tc.in, s, s.Slug(), s.IsCustom(), err)
		}
	}
	if c, _ := verification.Custom("dev"); c.String() != "oauth_custom_dev" {
		t.Errorf("Custom(dev) = %s", c)
	}
	if o, _ := verification.OAuth("github"); o.String() != "oauth_github" {
		t.Errorf("OAuth(github) = %s", o)
	}
	if _, err := verification.ParseStrategy("bad"); verification.Code(err) != "verification_strategy_invalid" ||
		verification.AsError(err).Meta["param_name"] != "strategy" {
		t.Errorf("error of a bad strategy: %#v", err)
	}
}

func TestVerificationJSON(t *testing.T) {
	v := verification.Verification{
		Status:                          verification.StatusUnverified,
		Strategy:                        google,
		Attempts:                        1,
		ExpireAt:                        time.UnixMilli(1764072000123).UTC(),
		Error:                           verification.ErrAccessDenied,
		ExternalVerificationRedirectURL: "https://accounts.google.com/o/oauth2/v2/auth?state=x",
		FlowKey:                         "never-on-the-wire",
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"object":"verification_oauth","status":"unverified","strategy":"oauth_google","attempts":1,"expire_at":1764072000123,` +
		`"error":{"code":"oauth_access_denied","message":"Access denied","long_message":"You did not grant access to your account at the provider.","meta":{}},` +
		`"external_verification_redirect_url":"https://accounts.google.com/o/oauth2/v2/auth?state=x"}`
	if string(b) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", b, want)
	}
	var back verification.Verification
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	v.FlowKey = ""
	if back.Status != v.Status || back.Strategy != v.Strategy || back.Attempts != 1 || !back.ExpireAt.Equal(v.ExpireAt) ||
		back.ExternalVerificationRedirectURL != v.ExternalVerificationRedirectURL || back.Error.Code != v.Error.Code ||
		back.Error.LongMessage != v.Error.LongMessage || back.FlowKey != "" {
		t.Fatalf("round trip = %+v", back)
	}

	done := verification.Verification{Status: verification.StatusVerified, Strategy: google}
	b, _ = json.Marshal(done)
	want = `{"object":"verification_oauth","status":"verified","strategy":"oauth_google","attempts":0,"expire_at":null,"error":null,"external_verification_redirect_url":null}`
	if string(b) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", b, want)
	}
	for _, bad := range []string{`{"object":"email_address"}`, `{"status":"bogus"}`, `{"strategy":"nope"}`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestErrorMatching(t *testing.T) {
	e := verification.ErrFormParamInvalid.WithParam("label").WithLongMessage("too long")
	if !errors.Is(e, verification.ErrFormParamInvalid) || errors.Is(e, verification.ErrFormParamMissing) {
		t.Fatal("errors.Is by code")
	}
	if verification.ErrFormParamInvalid.Meta != nil || verification.ErrFormParamInvalid.LongMessage == "too long" {
		t.Fatal("With* modified the sentinel")
	}
	cause := errors.New("dial tcp 127.0.0.1:5432: connection refused")
	w := verification.ErrStoreUnavailable.Wrap(cause)
	if !errors.Is(w, verification.ErrStoreUnavailable) || !errors.Is(w, cause) {
		t.Fatal("wrapped error loses code or cause")
	}
	if w.Error() != "store_unavailable: The storage backend is unavailable. Retry later." {
		t.Fatalf("Error() = %q (must not include the cause)", w.Error())
	}
	b, _ := json.Marshal(e)
	if string(b) != `{"code":"form_param_invalid","message":"Invalid parameter","long_message":"too long","meta":{"param_name":"label"}}` {
		t.Fatalf("JSON = %s", b)
	}
	if got := verification.AsError(errors.New("boom")); got.Code != "internal_error" {
		t.Fatalf("AsError of a plain error = %s", got.Code)
	}
	if verification.AsError(nil) != nil || verification.Code(nil) != "" {
		t.Fatal("nil handling")
	}
}
