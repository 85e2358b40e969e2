package oauthclient

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/tetherauth/tether/provider"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the provider HTTP spans' instrumentation.
const tracerName = "github.com/tetherauth/tether/provider"

// LimitTransport applies the per-request timeout and the response size
// limit. It reads the whole body before returning, so that an oversized
// response fails the round trip itself with provider.ErrResponseTooLarge,
// which every library above keeps in its error chain, and so that the
// timeout covers the body too. A request without an Accept header gets
// "Accept: application/json": every endpoint Tether calls answers JSON, and
// some (GitHub's token endpoint) answer form-encoded without it.
type LimitTransport struct {
	Base     http.RoundTripper
	Timeout  time.Duration
	MaxBytes int64
}

// RoundTrip implements http.RoundTripper.
//
// When the request's context carries a recording span (the Service's
// operation, with a TracerProvider configured), the round trip is a child
// span named "tether.provider <METHOD>" with the method, the server's host
// and the URL path: never the query, a header or a body, where codes,
// states and tokens travel. Without one it costs nothing.
func (t *LimitTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	ctx := req.Context()
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		var span trace.Span
		ctx, span = parent.TracerProvider().Tracer(tracerName).Start(ctx, "tether.provider "+req.Method,
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("http.request.method", req.Method),
				attribute.String("server.address", req.URL.Hostname()),
				attribute.String("url.path", req.URL.Path),
			))
		defer func() {
			if resp != nil {
				span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
				if resp.StatusCode >= 400 {
					span.SetStatus(codes.Error, http.StatusText(resp.StatusCode))
				}
			}
			if err != nil {
				span.SetStatus(codes.Error, "request failed")
			}
			span.End()
		}()
	}
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	r := req.WithContext(ctx)
	if req.Header.Get("Accept") == "" {
		// A RoundTripper must not modify its request: copy the header.
		r.Header = req.Header.Clone()
		if r.Header == nil {
			r.Header = make(http.Header)
		}
		r.Header.Set("Accept", "application/json")
	}
	resp, err = t.Base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	defer resp.Body.Close()
	if resp.ContentLength > t.MaxBytes {
		return nil, provider.ErrResponseTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > t.MaxBytes {
		return nil, provider.ErrResponseTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// NewHTTPClient returns the client of every request to a provider: base's
// transport, cookie jar and timeout (a default transport when base is nil)
// under LimitTransport, never following redirects, so that a code or a
// client secret is never sent anywhere but to the endpoint it was meant for.
func NewHTTPClient(base *http.Client, timeout time.Duration, maxBytes int64) *http.Client {
	var rt http.RoundTripper
	c := &http.Client{}
	if base != nil {
		rt = base.Transport
		c.Jar = base.Jar
		c.Timeout = base.Timeout
	} else {
		rt = DefaultTransport()
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = &LimitTransport{Base: rt, Timeout: timeout, MaxBytes: maxBytes}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// DefaultTransport is http.DefaultTransport's configuration with bounded
// connection set-up.
func DefaultTransport() http.RoundTripper {
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
