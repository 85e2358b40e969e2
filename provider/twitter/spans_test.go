package twitter_test

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// traced returns a context with a recording span, under which the
// provider's requests record theirs, and the function that ends it and
// returns how many spans were recorded and every text they show: names,
// status descriptions and attributes.
func traced() (context.Context, func() (int, []string)) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("twitter_test").Start(context.Background(), "twitter_test")
	return ctx, func() (int, []string) {
		root.End()
		var texts []string
		for _, sp := range rec.Ended() {
			texts = append(texts, sp.Name(), sp.Status().Description)
			for _, a := range sp.Attributes() {
				texts = append(texts, string(a.Key)+"="+a.Value.Emit())
			}
		}
		return len(rec.Ended()), texts
	}
}
