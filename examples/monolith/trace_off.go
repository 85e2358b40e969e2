//go:build !trace

package main

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/trace"
)

// tracing refuses -trace-stdout in a build without the OpenTelemetry SDK,
// and says how to get one: the SDK is left out of the default build.
func tracing(cfg config) (trace.TracerProvider, func(context.Context) error, error) {
	if cfg.TraceStdout {
		return nil, nil, errors.New("-trace-stdout: this build has no OpenTelemetry SDK; run go run -tags trace ./examples/monolith -trace-stdout")
	}
	return nil, func(context.Context) error { return nil }, nil
}
