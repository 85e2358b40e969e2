package providertest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tetherauth/tether/provider/providertest"
)

// The provider bounds what it keeps and what it accepts, as a real one
// does: thousands of sign-ins leave at most MaxEntries users, codes and
// tokens, and oversized fields are refused (issue 10, item 8).
func TestMemoryIsBounded(t *testing.T) {
	const max = 50
	idp := providertest.New(providertest.Config{MaxEntries: max, Interactive: true})
	defer idp.Close()
	client := idp.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	authorize := func(sub string) *http.Response {
		form := url.Values{
			"response_type": {"code"}, "client_id": {idp.ClientID()}, "redirect_uri": {"http://127.0.0.1/cb"},
			"scope": {"openid email"}, "state": {"s"}, "code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"},
			"decision": {"approve"}, "sub": {sub}, "email": {sub + "@example.com"},
		}
		res, err := client.PostForm(idp.URL()+"/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for i := range 600 {
		res := authorize("user-" + strings.Repeat("x", i%100) + string(rune('a'+i%26)) + strings.Repeat("y", i/26))
		if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d: %s", i, res.Status)
		}
	}
	st := idp.Held()
	if st.Users > max || st.Codes > max || st.Tokens > max {
		t.Fatalf("after 600 sign-ins the provider keeps %d users, %d codes, %d tokens; want at most %d each", st.Users, st.Codes, st.Tokens, max)
	}
	if st.Users == 0 || st.Codes == 0 {
		t.Fatalf("the provider kept nothing: %+v", st)
	}

	// Redeeming codes issues tokens: the token table is bounded too.
	verifier := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	for i := range 3 * max {
		form := url.Values{
			"response_type": {"code"}, "client_id": {idp.ClientID()}, "redirect_uri": {"http://127.0.0.1/cb"},
			"scope": {"openid"}, "state": {"s"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
			"decision": {"approve"}, "sub": {"token-user"},
		}
		res, err := client.PostForm(idp.URL()+"/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		req, _ := http.NewRequest(http.MethodPost, idp.URL()+"/token", strings.NewReader(url.Values{
			"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {"http://127.0.0.1/cb"}, "code_verifier": {verifier},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(idp.ClientID(), idp.ClientSecret())
		tres, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		tres.Body.Close()
		if tres.StatusCode != http.StatusOK {
			t.Fatalf("token %d: %s", i, tres.Status)
		}
	}
	if st := idp.Held(); st.Tokens > max || st.Tokens == 0 {
		t.Fatalf("after %d token responses the provider keeps %d tokens, want 1 to %d", 3*max, st.Tokens, max)
	}

	// A 60 KB subject is refused, and not stored.
	before := idp.Held().Users
	res := authorize(strings.Repeat("s", 60<<10))
	if res.StatusCode == http.StatusFound || res.StatusCode == http.StatusSeeOther {
		t.Fatalf("a 60 KB sub was accepted: %s", res.Status)
	}
	if _, ok := idp.User(strings.Repeat("s", 60<<10)); ok || idp.Held().Users > before {
		t.Fatal("the oversized user was stored")
	}
	// An oversized parameter of the request itself is an invalid_request.
	u := idp.URL() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {idp.ClientID()}, "redirect_uri": {"http://127.0.0.1/cb"},
		"scope": {"openid"}, "state": {strings.Repeat("z", providertest.MaxFieldBytes+1)},
		"code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"},
	}.Encode()
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "error=invalid_request") {
		t.Fatalf("an oversized state: %s, Location %q", res.Status, loc)
	}
}

// A rotated refresh token that comes back revokes the grant, unless it
// comes back within the configured grace period (issue 12).
func TestRefreshReuse(t *testing.T) {
	for _, grace := range []time.Duration{0, time.Minute} {
		clk := time.Now()
		idp := providertest.New(providertest.Config{RefreshReuseGrace: grace, Now: func() time.Time { return clk }})
		defer idp.Close()
		idp.SetLogin("reuser")
		tok := redeemCode(t, idp)
		first := refresh(t, idp, tok.RefreshToken)
		if first.status != http.StatusOK {
			t.Fatalf("first refresh: %d", first.status)
		}
		again := refresh(t, idp, tok.RefreshToken) // the spent token, again
		st := idp.Stats()
		if grace == 0 {
			if again.status != http.StatusBadRequest || st.ReuseDetections != 1 {
				t.Fatalf("reuse without grace: %d, %+v", again.status, st)
			}
			// The whole family is gone: the rotated-to token too.
			if r := refresh(t, idp, first.RefreshToken); r.status != http.StatusBadRequest {
				t.Fatalf("the grant survived a reuse: %d", r.status)
			}
			continue
		}
		if again.status != http.StatusOK || st.GraceReuses != 1 || st.ReuseDetections != 0 {
			t.Fatalf("reuse within grace: %d, %+v", again.status, st)
		}
		clk = clk.Add(2 * grace)
		if r := refresh(t, idp, tok.RefreshToken); r.status != http.StatusBadRequest || idp.Stats().ReuseDetections != 1 {
			t.Fatalf("reuse after the grace: %d, %+v", r.status, idp.Stats())
		}
	}
}

type tokenAnswer struct {
	status       int
	RefreshToken string `json:"refresh_token"`
}

func redeemCode(t *testing.T, idp *providertest.Server) tokenAnswer {
	t.Helper()
	verifier := strings.Repeat("w", 43)
	sum := sha256.Sum256([]byte(verifier))
	client := idp.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Get(idp.URL() + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {idp.ClientID()}, "redirect_uri": {"http://127.0.0.1/cb"},
		"scope": {"openid offline_access"}, "state": {"s"}, "nonce": {"n"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	return tokenCall(t, idp, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1/cb"}, "code_verifier": {verifier}})
}

func refresh(t *testing.T, idp *providertest.Server, rt string) tokenAnswer {
	t.Helper()
	return tokenCall(t, idp, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func tokenCall(t *testing.T, idp *providertest.Server, form url.Values) tokenAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, idp.URL()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(idp.ClientID(), idp.ClientSecret())
	res, err := idp.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a tokenAnswer
	_ = json.NewDecoder(res.Body).Decode(&a)
	a.status = res.StatusCode
	return a
}
