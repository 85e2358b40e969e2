package twitter_test

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// traced returns a context with a recording span, under which the
// provider's requests record theirs, and the function that ends it and
// returns how many spans the requests recorded.
func traced() (context.Context, func() int) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("twitter_test").Start(context.Background(), "twitter_test")
	return ctx, func() int {
		root.End()
		return len(rec.Ended()) - 1
	}
}
