package oidc

import (
	"net/http"
	"time"

	"github.com/tetherauth/tether/provider/internal/oauthclient"
)

// newHTTPClient returns the client of every request to the provider: base's
// transport and cookie jar (a default transport when base is nil) under a
// transport that applies the per-request timeout and the response size
// limit, never following redirects. The transport is shared with
// provider/oauth2 (provider/internal/oauthclient).
func newHTTPClient(base *http.Client, timeout time.Duration, maxBytes int64) *http.Client {
	return oauthclient.NewHTTPClient(base, timeout, maxBytes)
}
