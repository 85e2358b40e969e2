package httpadapter

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tetherauth/tether/verification"
)

func TestAdminRoutes(t *testing.T) {
	eachProvider(t, envConfig{}, func(t *testing.T, e *env) {
		alice := e.browser("alice")
		e.login("sub-alice")
		alice.complete(alice.connect(url.Values{}))
		bob := e.browser("bob")
		pending := bob.connect(url.Values{})

		adm, err := NewAdmin(e.svc, AdminOptions{Authorize: func(r *http.Request) error {
			switch r.Header.Get("X-Operator") {
			case "ops":
				return nil
			case "":
				return verification.ErrAuthenticationInvalid
			}
			return errors.New("not an operator")
		}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(adm)
		defer srv.Close()
		call := func(method, path, body, operator string, hdr map[string]string) (*http.Response, []byte) {
			t.Helper()
			r, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			if operator != "" {
				r.Header.Set("X-Operator", operator)
			}
			if body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			for k, v := range hdr {
				r.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var buf strings.Builder
			_, _ = io.Copy(&buf, res.Body)
			return res, []byte(buf.String())
		}
		if res, _ := call("GET", "/external_accounts", "", "", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no operator: %d", res.StatusCode)
		}
		if res, _ := call("GET", "/external_accounts", "", "mallory", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("not an operator: %d", res.StatusCode)
		}
		var list struct {
			Object string            `json:"object"`
			Data   []json.RawMessage `json:"data"`
			Next   *string           `json:"next_cursor"`
		}
		res, body := call("GET", "/external_accounts?limit=1", "", "ops", nil)
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil || list.Object != "list" || len(list.Data) != 1 || list.Next == nil {
			t.Fatalf("first page: %d %s", res.StatusCode, body)
		}
		if !strings.Contains(string(list.Data[0]), `"user_id":"alice"`) {
			t.Fatalf("admin account without its user: %s", list.Data[0])
		}
		res, body = call("GET", "/external_accounts?limit=1&after="+url.QueryEscape(*list.Next), "", "ops", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), pending.ID) || !strings.Contains(string(body), `"next_cursor":null`) {
			t.Fatalf("second page: %d %s", res.StatusCode, body)
		}
		res, body = call("GET", "/external_accounts?user_id=bob&status=unverified", "", "ops", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), pending.ID) || strings.Contains(string(body), `"user_id":"alice"`) {
			t.Fatalf("filtered: %d %s", res.StatusCode, body)
		}
		wantStatus := func(res *http.Response, body []byte, status int, code string) {
			t.Helper()
			if res.StatusCode != status || !strings.Contains(string(body), `"code":"`+code+`"`) {
				t.Fatalf("got %d %s, want %d %s", res.StatusCode, body, status, code)
			}
		}
		res, body = call("GET", "/external_accounts?status=bogus", "", "ops", nil)
		wantStatus(res, body, 400, "form_param_invalid")

		// PATCH with If-Match: compare-and-swap.
		res, _ = call("GET", "/external_accounts/"+pending.ID, "", "ops", nil)
		tag := res.Header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag")
		}
		res, body = call("PATCH", "/external_accounts/"+pending.ID, `{"label":"Work","public_metadata":{"plan":"pro"}}`, "ops", map[string]string{"If-Match": tag})
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"label":"Work"`) || !strings.Contains(string(body), `"plan":"pro"`) || res.Header.Get("ETag") == tag {
			t.Fatalf("PATCH: %d %s", res.StatusCode, body)
		}
		res, body = call("PATCH", "/external_accounts/"+pending.ID, `{"label":"Home"}`, "ops", map[string]string{"If-Match": tag})
		wantStatus(res, body, 412, "precondition_failed")
		res, body = call("PATCH", "/external_accounts/"+pending.ID, `{"user_id":"mallory"}`, "ops", nil)
		wantStatus(res, body, 400, "form_param_invalid")
		// Cross-site writes are refused before anything else.
		res, body = call("DELETE", "/external_accounts/"+pending.ID, "", "ops", map[string]string{"Sec-Fetch-Site": "cross-site"})
		wantStatus(res, body, 403, "origin_invalid")
		res, _ = call("DELETE", "/external_accounts/"+pending.ID, "", "ops", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("DELETE: %d", res.StatusCode)
		}
		res, body = call("GET", "/external_accounts/"+pending.ID, "", "ops", nil)
		wantStatus(res, body, 404, "external_account_not_found")
	})
	if _, err := NewAdmin(nil, AdminOptions{}); err == nil {
		t.Fatal("NewAdmin accepted a nil Service")
	}
}

// A host answers from its own handlers with Tether's envelope.
func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{verification.ErrExternalAccountNotFound, 404, "external_account_not_found"},
		{verification.ErrStoreUnavailable.Wrap(errors.New("dial tcp 10.0.0.1: password=hunter2")), 503, "store_unavailable"},
		{errors.New("secret cause hunter2"), 500, "internal_error"},
		{verification.ErrFormParamInvalid.WithParam("label"), 400, "form_param_invalid"},
	} {
		rec := httptest.NewRecorder()
		WriteError(rec, tc.err)
		var env struct {
			Errors []struct {
				Code string            `json:"code"`
				Meta map[string]string `json:"meta"`
			} `json:"errors"`
		}
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &env) != nil || len(env.Errors) != 1 || env.Errors[0].Code != tc.code {
			t.Errorf("WriteError(%v) = %d %s", tc.err, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "hunter2") || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("WriteError(%v) leaks its cause or is cacheable: %s", tc.err, rec.Body)
		}
	}
}
