package httpadapter

import (
	"net/url"
	"strings"
	"testing"
)

// TestNothingSecretLeaks runs successful and failing flows with every log
// line (the handler's and the Service's, at Debug) and every error or
// redirect body recorded, then looks in them for every state, code, PKCE
// verifier and challenge, nonce, binding value and token that existed.
func TestNothingSecretLeaks(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		injected := []string{"at-injected-SECRET", "idt-injected-SECRET", "rt-injected-SECRET", "code-in-body-SECRET", "state-in-body-SECRET", "secret-session-detail"}
		alice := e.browser("alice")

		// A success, for the tokens.
		a := alice.connect(url.Values{})
		alice.complete(a)

		// Duplicated parameters, token material, replay.
		a = alice.connect(url.Values{})
		cb, _ := url.Parse(alice.authorize(a))
		q := cb.Query()
		dup := url.Values{"state": {q.Get("state"), q.Get("state")}, "code": {q.Get("code")}, "iss": q["iss"]}
		u := *cb
		u.RawQuery = dup.Encode()
		alice.get(u.String())
		q.Set("access_token", injected[0])
		q.Set("id_token", injected[1])
		q.Set("refresh_token", injected[2])
		u.RawQuery = q.Encode()
		alice.get(u.String())
		alice.get(u.String()) // replay

		// Login CSRF: the callback in another browser and for another user.
		a = alice.connect(url.Values{})
		e.browser("mallory").get(alice.authorize(a))
		a = alice.connect(url.Values{})
		e.browser("").get(alice.authorize(a))

		// Provider says no, then the retry is replayed elsewhere.
		e.deny(true)
		a = alice.connect(url.Values{})
		alice.get(alice.authorize(a))
		e.deny(false)

		// Unknown state, and secrets in bodies and parameters.
		alice.get(e.url(CallbackPath) + "?state=" + injected[4] + "&code=" + injected[3])
		alice.do(req{method: "POST", url: e.url(CallbackPath), ctype: mediaForm, body: "state=" + injected[4] + "&code=" + injected[3] + "&code=" + injected[3]})
		alice.do(req{method: "POST", url: e.url("/me/external_accounts"), ctype: mediaJSON, body: `{"strategy":"` + injected[3] + `"`})
		alice.do(req{method: "POST", url: e.url("/me/external_accounts"), ctype: mediaJSON, body: `{"strategy":"oauth_custom_dev","redirect_url":"/x","` + injected[4] + `":1}`})
		alice.do(req{method: "POST", url: e.url("/me/external_accounts"), ctype: mediaForm, body: "strategy=" + injected[3] + "&redirect_url=/x"})
		alice.do(req{method: "POST", url: e.url("/me/external_accounts"), ctype: mediaForm, body: "strategy=oauth_custom_dev&redirect_url=https://" + injected[4] + ".example/"})
		e.browser("bad").get(e.url("/me/external_accounts"))

		e.mu.Lock()
		secrets := append(append(append([]string(nil), e.bindings...), e.seen...), injected...)
		e.mu.Unlock()
		for _, tok := range e.pt.Tokens() {
			secrets = append(secrets, tok.Value)
		}
		if len(e.bindings) < 6 || len(e.seen) < 14 {
			t.Fatalf("too few secrets recorded: %d bindings, %d states and codes", len(e.bindings), len(e.seen))
		}

		e.mu.Lock()
		haystacks := map[string]string{
			"logs":           e.logs.String(),
			"failure bodies": strings.Join(e.failureBodies, "\n"),
		}
		e.mu.Unlock()
		if !strings.Contains(haystacks["logs"], "oauth_callback_invalid") || !strings.Contains(haystacks["failure bodies"], "form_param_invalid") {
			t.Fatalf("nothing recorded: %v", haystacks)
		}
		for where, text := range haystacks {
			for _, s := range secrets {
				if len(s) >= 8 && strings.Contains(text, s) {
					t.Errorf("%s contain a secret %.12s…", where, s)
				}
			}
		}
	})
}
