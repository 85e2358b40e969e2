package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/tetherauth/tether/provider"
	"github.com/tetherauth/tether/provider/oidc"
	"github.com/tetherauth/tether/provider/providertest"
	"github.com/tetherauth/tether/verification"
)

// The offline "dev" provider is providertest's OpenID Connect provider,
// mounted in this server at /dev-oidc. Browsers reach it at
// <base-url>/dev-oidc like any provider. The server's own back-channel
// requests to it (discovery, token, userinfo, JWKS, revocation) never leave
// the process: the oidc provider's HTTP client has a transport that serves
// them with the handler directly. So discovery works before the server
// listens, and whatever -base-url says (a proxy, a tunnel), the server does
// not have to reach itself through the network.
const (
	devPath     = "/dev-oidc"
	devSlug     = "dev"
	devClientID = "tether-demo"
)

// devStrategy is the dev provider's strategy.
var devStrategy = verification.MustParseStrategy("oauth_custom_" + devSlug)

// newDevProvider returns the dev provider's handler, to mount at devPath,
// and the Tether provider that talks to it.
func newDevProvider(ctx context.Context, baseURL, callbackURL string, log *slog.Logger) (*providertest.Handler, *oidc.Provider, error) {
	issuer := baseURL + devPath
	secret := rand.Text() // a new client secret per start: nobody else needs it
	idp := providertest.NewHandler(issuer, providertest.Config{
		ClientID:     devClientID,
		ClientSecret: secret,
		RedirectURIs: []string{callbackURL},
		Interactive:  true, // always show the sign-in form with approve and deny
	})
	p, err := oidc.New(ctx, oidc.Config{
		Strategy:     devStrategy,
		Title:        "Dev",
		Issuer:       issuer,
		ClientID:     devClientID,
		ClientSecret: secret,
		HTTP:         provider.HTTPSettings{Client: &http.Client{Transport: &inProcess{issuer: issuer, handler: http.StripPrefix(devPath, idp), log: log}}},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dev provider: %w", err)
	}
	return idp, p, nil
}

// inProcess is an http.RoundTripper that serves requests to one issuer with
// its handler, in process, and refuses every other URL.
type inProcess struct {
	issuer  string // "http://127.0.0.1:8080/dev-oidc"
	handler http.Handler
	log     *slog.Logger
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasPrefix(u.String(), t.issuer+"/") {
		return nil, errors.New("dev provider transport: not a URL of the dev provider")
	}
	start := time.Now()
	sr := req.Clone(req.Context())
	sr.RequestURI = req.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:0"
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.handler.ServeHTTP(rec, sr)
	resp := rec.Result()
	resp.Request = req
	t.log.Debug("dev provider back channel", "method", req.Method, "path", req.URL.Path,
		"status", resp.StatusCode, "duration", time.Since(start))
	return resp, nil
}
