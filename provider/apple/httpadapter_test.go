package apple_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/internal/testkit"
)

// TestFormPostThroughHTTPAdapter runs Apple's form_post callback through
// httpadapter: the POST body's "user" field reaches the provider as
// ExchangeRequest.Params (via CallbackParams.Extra), and the account gets
// the first authorization's name.
func TestFormPostThroughHTTPAdapter(t *testing.T) {
	_, p8 := newKey(t)
	f := newFake(t, mustPublic(t, p8))
	f.signIn(privateSub)
	e := testkit.New(t, newProvider(t, f, p8))
	h, err := httpadapter.New(e.Service, httpadapter.Options{
		CallbackURL: testkit.CallbackURL,
		Prefix:      "/tether",
		UserID: func(r *http.Request) (string, error) {
			if c, err := r.Cookie("session"); err == nil {
				return c.Value, nil
			}
			return "", nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	session := &http.Cookie{Name: "session", Value: "user_1"}

	// Connect, as the front end does.
	req := httptest.NewRequest(http.MethodPost, "https://app.example/tether/me/external_accounts",
		strings.NewReader("strategy=oauth_apple&redirect_url=/settings"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(session)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("connect: %d %s", rec.Code, rec.Body)
	}
	var a struct {
		ID           string `json:"id"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		Verification struct {
			Status string `json:"status"`
			URL    string `json:"external_verification_redirect_url"`
		} `json:"verification"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	binding := rec.Result().Cookies()

	// Apple's form posts to the callback, cross-site: the host's session
	// cookie may not come along, the binding cookie does (SameSite=None).
	cb := testkit.Browse(t, f.Client(), a.Verification.URL)
	form := url.Values{"code": {cb.Code}, "state": {cb.State}, "user": cb.Extra["user"]}
	req = httptest.NewRequest(http.MethodPost, testkit.CallbackURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range binding {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings" {
		t.Fatalf("callback: %d %s", rec.Code, rec.Body)
	}

	req = httptest.NewRequest(http.MethodGet, "https://app.example/tether/me/external_accounts/"+a.ID, nil)
	req.AddCookie(session)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a.Verification.Status != "verified" || a.FirstName != "Jane" || a.LastName != "Appleseed" {
		t.Errorf("account %+v", a)
	}
}
