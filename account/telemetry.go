package account

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/tetherauth/tether/verification"
)

// instrumentationName names Tether's tracer and meter.
const instrumentationName = "github.com/tetherauth/tether/account"

// telemetry holds the Service's OpenTelemetry instruments. A Service
// configured with neither a TracerProvider nor a MeterProvider has none,
// and pays nothing for it.
type telemetry struct {
	tracer         trace.Tracer
	flowsStarted   metric.Int64Counter
	flowsCompleted metric.Int64Counter
	refreshes      metric.Int64Counter
	duration       metric.Float64Histogram
}

func newTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) (*telemetry, error) {
	if tp == nil && mp == nil {
		return nil, nil
	}
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	if mp == nil {
		mp = metricnoop.NewMeterProvider()
	}
	t := &telemetry{tracer: tp.Tracer(instrumentationName)}
	m := mp.Meter(instrumentationName)
	var err error
	if t.flowsStarted, err = m.Int64Counter("tether.flows.started",
		metric.WithDescription("Authorization flows started (a retry after a failed callback starts a new one)."),
		metric.WithUnit("{flow}")); err != nil {
		return nil, err
	}
	if t.flowsCompleted, err = m.Int64Counter("tether.flows.completed",
		metric.WithDescription("Callbacks that matched a flow, by outcome: verified, reauthorized, or the error code."),
		metric.WithUnit("{flow}")); err != nil {
		return nil, err
	}
	if t.refreshes, err = m.Int64Counter("tether.token.refreshes",
		metric.WithDescription("Provider token refreshes, by outcome: refreshed, or the error code."),
		metric.WithUnit("{refresh}")); err != nil {
		return nil, err
	}
	if t.duration, err = m.Float64Histogram("tether.operation.duration",
		metric.WithDescription("Duration of Service operations."),
		metric.WithUnit("s")); err != nil {
		return nil, err
	}
	return t, nil
}

// noEnd ends an operation that is not traced.
func noEnd(error) {}

// operation starts a span named for the Service operation op and returns
// the function that ends it with the operation's error. Without telemetry
// it returns ctx and a no-op.
func (s *Service) operation(ctx context.Context, op string) (context.Context, func(error)) {
	t := s.tel
	if t == nil {
		return ctx, noEnd
	}
	start := time.Now()
	ctx, span := t.tracer.Start(ctx, "tether."+op, trace.WithSpanKind(trace.SpanKindInternal))
	return ctx, func(err error) {
		outcome := outcomeOf(err)
		if err != nil {
			span.SetStatus(codes.Error, outcome)
			span.SetAttributes(attribute.String("tether.error", outcome))
		}
		span.End()
		t.duration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(
			attribute.String("tether.operation", op), attribute.String("tether.outcome", outcome)))
	}
}

// outcomeOf is "ok" or the API error code of err: never its message, which
// could carry what the caller passed in.
func outcomeOf(err error) string {
	if err == nil {
		return "ok"
	}
	return verification.AsError(err).Code
}

func (s *Service) countFlowStarted(ctx context.Context, kind FlowKind, p verification.Strategy) {
	if s.tel != nil {
		s.tel.flowsStarted.Add(ctx, 1, metric.WithAttributes(
			attribute.String("tether.provider", p.String()), attribute.String("tether.flow_kind", string(kind))))
	}
}

func (s *Service) countFlowCompleted(ctx context.Context, kind FlowKind, p verification.Strategy, outcome string) {
	if s.tel != nil {
		s.tel.flowsCompleted.Add(ctx, 1, metric.WithAttributes(
			attribute.String("tether.provider", p.String()), attribute.String("tether.flow_kind", string(kind)),
			attribute.String("tether.outcome", outcome)))
	}
}

func (s *Service) countRefresh(ctx context.Context, p verification.Strategy, outcome string) {
	if s.tel != nil {
		s.tel.refreshes.Add(ctx, 1, metric.WithAttributes(
			attribute.String("tether.provider", p.String()), attribute.String("tether.outcome", outcome)))
	}
}

// spanAccount names the account an operation is about on its span.
func spanAccount(ctx context.Context, a *ExternalAccount) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attribute.String("tether.account_id", a.ID), attribute.String("tether.provider", a.Provider.String()))
	}
}
