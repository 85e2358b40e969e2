package account

import (
	"strings"
	"testing"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/verification"
)

// oauth1Provider is an OAuth 1.0a provider for oauth1Callback, which only
// asks what the provider is: none of its methods is called.
type oauth1Provider struct{ provider.OAuth1 }

func TestOAuth1Callback(t *testing.T) {
	long := strings.Repeat("v", maxCodeLength+1)
	cases := []struct {
		name      string
		p         CallbackParams
		code, err string
		invalid   string // the param of an oauth_callback_invalid
	}{
		{name: "verifier", p: CallbackParams{State: "s", Extra: map[string][]string{"oauth_token": {"t"}, "oauth_verifier": {"v"}}}, code: "v"},
		{name: "denied", p: CallbackParams{State: "s", Extra: map[string][]string{"denied": {"t"}}}, err: "access_denied"},
		{name: "an OAuth error wins over denied", p: CallbackParams{State: "s", Error: "server_error", Extra: map[string][]string{"denied": {"t"}}}, err: "server_error"},
		{name: "nothing", p: CallbackParams{State: "s"}},
		{name: "a code", p: CallbackParams{State: "s", Code: "c", Extra: map[string][]string{"oauth_verifier": {"v"}}}, code: "c", invalid: "code"},
		{name: "repeated verifier", p: CallbackParams{State: "s", Extra: map[string][]string{"oauth_verifier": {"v", "w"}}}, invalid: "oauth_verifier"},
		{name: "long verifier", p: CallbackParams{State: "s", Extra: map[string][]string{"oauth_verifier": {long}}}, invalid: "oauth_verifier"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, cause := oauth1Callback(oauth1Provider{}, tc.p)
			if tc.invalid != "" {
				if cause == nil || cause.Code != verification.ErrCallbackInvalid.Code || cause.Meta["param_name"] != tc.invalid {
					t.Fatalf("cause = %v, want oauth_callback_invalid of %s", cause, tc.invalid)
				}
				return
			}
			if cause != nil {
				t.Fatalf("cause = %v", cause)
			}
			if got.Code != tc.code || got.Error != tc.err || got.State != tc.p.State {
				t.Errorf("code %q error %q state %q, want %q %q %q", got.Code, got.Error, got.State, tc.code, tc.err, tc.p.State)
			}
		})
	}

	// Another provider's callback is left alone, oauth_verifier or not.
	p := CallbackParams{State: "s", Extra: map[string][]string{"oauth_verifier": {"v"}, "denied": {"t"}}}
	got, cause := oauth1Callback(struct{ provider.Provider }{}, p)
	if cause != nil || got.Code != "" || got.Error != "" {
		t.Errorf("an OAuth 2.0 provider's callback became code %q error %q (%v)", got.Code, got.Error, cause)
	}
}
