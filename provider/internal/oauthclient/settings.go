package oauthclient

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tetherauth/tether/provider"
)

// HTTP is a provider.HTTPSettings with its defaults applied: the bounded
// client every request of one provider goes through, its per-request
// timeout (for error messages) and its clock.
type HTTP struct {
	Client  *http.Client
	Timeout time.Duration
	Now     func() time.Time
}

// NewHTTP applies the defaults of s. pkg prefixes the error of a negative
// Timeout or MaxResponseBytes.
func NewHTTP(pkg string, s provider.HTTPSettings) (HTTP, error) {
	if s.Timeout < 0 || s.MaxResponseBytes < 0 {
		return HTTP{}, fmt.Errorf("%s: Config.HTTP.Timeout and MaxResponseBytes cannot be negative", pkg)
	}
	h := HTTP{Timeout: s.Timeout, Now: s.Now}
	if h.Timeout == 0 {
		h.Timeout = provider.DefaultTimeout
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	maxBytes := s.MaxResponseBytes
	if maxBytes == 0 {
		maxBytes = provider.DefaultMaxResponseBytes
	}
	h.Client = NewHTTPClient(s.Client, h.Timeout, maxBytes)
	return h, nil
}
