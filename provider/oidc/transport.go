package oidc

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// limitTransport applies the per-request timeout and the response size
// limit. It reads the whole body before returning, so that an oversized
// response fails the round trip itself with ErrResponseTooLarge, which every
// library above keeps in its error chain, and so that the timeout covers the
// body too.
type limitTransport struct {
	base     http.RoundTripper
	timeout  time.Duration
	maxBytes int64
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	defer resp.Body.Close()
	if resp.ContentLength > t.maxBytes {
		return nil, ErrResponseTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > t.maxBytes {
		return nil, ErrResponseTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// newHTTPClient returns the client of every request to the provider: base's
// transport and cookie jar (a default transport when base is nil) under
// limitTransport, never following redirects.
func newHTTPClient(base *http.Client, timeout time.Duration, maxBytes int64) *http.Client {
	var rt http.RoundTripper
	c := &http.Client{}
	if base != nil {
		rt = base.Transport
		c.Jar = base.Jar
		c.Timeout = base.Timeout
	} else {
		rt = defaultTransport()
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = &limitTransport{base: rt, timeout: timeout, maxBytes: maxBytes}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// defaultTransport is http.DefaultTransport's configuration with bounded
// connection set-up.
func defaultTransport() http.RoundTripper {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
