package io.bulwark.http;

import io.javalin.http.Context;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * Server spans with W3C trace context (OpenTelemetry SDK): each request continues the trace its
 * {@code traceparent} header names (the gateway sends one) or starts a new one, answers with the
 * {@code traceparent} of its own span, and logs with {@code trace_id} and {@code span_id} as keys
 * of their own. Spans are exported over OTLP/HTTP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) is set, as the OpenTelemetry specification names
 * them; without it they only carry the ids.
 */
public final class Tracing implements AutoCloseable {

  /** Header of the W3C trace context. */
  public static final String TRACEPARENT = "traceparent";

  /** MDC keys of the trace fields in logs. */
  public static final String TRACE_ID = "trace_id";

  public static final String SPAN_ID = "span_id";

  private static final String SPAN_ATTRIBUTE = "bulwark.span";
  private static final String SCOPE_ATTRIBUTE = "bulwark.spanScope";

  // keys() is deprecated in the API, yet every getter must still implement it
  @SuppressWarnings("deprecation")
  private static final TextMapGetter<Context> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
          return ctx.headerMap().keySet();
        }

        @Override
        public String get(Context ctx, String key) {
          return ctx == null ? null : ctx.header(key);
        }
      };

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
    this.tracer = provider.get("io.bulwark.http");
  }

  /**
   * Tracing for service {@code serviceName} ({@code OTEL_SERVICE_NAME} wins), exporting to the
   * endpoint the environment names, if any.
   */
  public static Tracing fromEnvironment(String serviceName) {
    Optional<String> traces =
        Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
            .or(
                () ->
                    Optional.ofNullable(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
                        .map(e -> e.replaceAll("/+$", "") + "/v1/traces"))
            .filter(e -> !e.isBlank());
    String service =
        Optional.ofNullable(System.getenv("OTEL_SERVICE_NAME"))
            .filter(s -> !s.isBlank())
            .orElse(serviceName);
    return create(service, traces);
  }

  /** Tracing for {@code serviceName}, exporting to {@code otlpTracesEndpoint} when present. */
  public static Tracing create(String serviceName, Optional<String> otlpTracesEndpoint) {
    SdkTracerProviderBuilder b =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault().toBuilder()
                    .put(AttributeKey.stringKey("service.name"), serviceName)
                    .build());
    // without any processor the SDK hands out a no-op tracer, whose spans only repeat the
    // caller's ids: the idle one keeps real spans (new span ids) when nothing is exported
    b.addSpanProcessor(
        otlpTracesEndpoint
            .<SpanProcessor>map(
                endpoint ->
                    BatchSpanProcessor.builder(
                            OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build())
                        .build())
            .orElseGet(IdleProcessor::new));
    return new Tracing(b.build());
  }

  /** Keeps spans real without doing anything with them. */
  private static final class IdleProcessor implements SpanProcessor {
    @Override
    public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }

  /** Starts the request's server span; run before every handler. */
  public void start(Context ctx) {
    io.opentelemetry.context.Context parent =
        W3CTraceContextPropagator.getInstance()
            .extract(io.opentelemetry.context.Context.root(), ctx, HEADERS);
    Span span =
        tracer
            .spanBuilder(ctx.method().name())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", ctx.method().name())
            .setAttribute("url.path", ctx.path())
            .startSpan();
    ctx.attribute(SPAN_ATTRIBUTE, span);
    ctx.attribute(SCOPE_ATTRIBUTE, span.makeCurrent());
    SpanContext sc = span.getSpanContext();
    ctx.header(TRACEPARENT, traceparent(sc));
    MDC.put(TRACE_ID, sc.getTraceId());
    MDC.put(SPAN_ID, sc.getSpanId());
  }

  /** Ends the request's span with its route and status; run after every request. */
  public void end(Context ctx, String route, int status) {
    Span span = ctx.attribute(SPAN_ATTRIBUTE);
    Scope scope = ctx.attribute(SCOPE_ATTRIBUTE);
    if (span != null) {
      if (route != null && !route.isEmpty()) {
        span.updateName(ctx.method().name() + " " + route);
        span.setAttribute("http.route", route);
      }
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
    if (scope != null) {
      scope.close();
    }
    MDC.remove(TRACE_ID);
    MDC.remove(SPAN_ID);
  }

  /** {@code 00-<trace id>-<span id>-<flags>} of {@code sc}. */
  public static String traceparent(SpanContext sc) {
    return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
  }

  /** Exports what is left and stops. */
  @Override
  public void close() {
    provider.close();
  }
}
