package httpadapter_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/tetherauth/tether/account"
	"github.com/tetherauth/tether/httpadapter"
	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/store/memstore"
	"github.com/tetherauth/tether/verification"
)

// newService returns a Service whose callback is served at
// https://app.example.com/tether/oauth_callback. A real host registers its
// providers (provider/oidc, catalogue packages) in the registry.
func newService() *account.Service {
	store := memstore.New(memstore.Options{})
	providers, err := provider.NewRegistry()
	if err != nil {
		log.Fatal(err)
	}
	keyring, err := account.NewKeyring(account.GenerateKey("2025-01"))
	if err != nil {
		log.Fatal(err)
	}
	svc, err := account.New(account.Config{
		Accounts:    store,
		Flows:       store,
		Providers:   providers,
		Keyring:     keyring,
		CallbackURL: "https://app.example.com/tether/oauth_callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	return svc
}

// sessionUser stands for the host's own session lookup.
func sessionUser(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", errors.New("not signed in")
	}
	return "user_" + c.Value, nil // a real host looks the session up
}

// The host mounts the handler under /tether with http.StripPrefix and tells
// it who is signed in.
func ExampleNew() {
	h, err := httpadapter.New(newService(), httpadapter.Options{
		CallbackURL:            "https://app.example.com/tether/oauth_callback",
		UserID:                 sessionUser,
		AllowedRedirectOrigins: []string{"https://www.example.com"},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/tether/", http.StripPrefix("/tether", h))

	// What a signed-in browser's front end sees.
	r := httptest.NewRequest("GET", "https://app.example.com/tether/me/external_accounts", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: "42"})
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body)

	// And a browser that is not signed in.
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "https://app.example.com/tether/me/external_accounts", nil))
	fmt.Println(w.Code, w.Body)
	// Output:
	// 200 []
	// 401 {"errors":[{"code":"authentication_invalid","message":"Not signed in","long_message":"The request is not authenticated.","meta":{}}]}
}

// With Options.Prefix the handler matches the full path itself, so the host
// mounts it without http.StripPrefix.
func ExampleOptions_prefix() {
	h, err := httpadapter.New(newService(), httpadapter.Options{
		CallbackURL: "https://app.example.com/tether/oauth_callback",
		UserID:      sessionUser,
		Prefix:      "/tether",
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/tether/", h)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("PUT", "https://app.example.com/tether/me/external_accounts", nil))
	fmt.Println(w.Code, w.Header().Get("Allow"))
	// Output:
	// 405 GET, HEAD, POST
}

// Hosts that wrap the Service in handlers of their own answer its errors
// with the same statuses.
func ExampleHTTPStatus() {
	fmt.Println(httpadapter.HTTPStatus(verification.ErrExternalAccountNotFound))
	fmt.Println(httpadapter.HTTPStatus(verification.ErrFormParamMissing.WithParam("strategy")))
	fmt.Println(httpadapter.HTTPStatus(fmt.Errorf("listing: %w", verification.ErrStoreUnavailable)))
	// Output:
	// 404
	// 400
	// 503
}
