//go:build trace

package main

import (
	"context"
	"os"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// tracing returns the TracerProvider of -trace-stdout: every span is
// printed to standard output as it ends, as JSON. It is the only place the
// demo links the OpenTelemetry SDK (the library uses the API only).
func tracing(cfg config) (trace.TracerProvider, func(context.Context) error, error) {
	if !cfg.TraceStdout {
		return nil, func(context.Context) error { return nil }, nil
	}
	exp, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout), stdouttrace.WithPrettyPrint())
	if err != nil {
		return nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	return tp, tp.Shutdown, nil
}
