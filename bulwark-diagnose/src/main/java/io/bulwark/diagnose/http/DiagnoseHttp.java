package io.bulwark.diagnose.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.diagnose.ChangeLog;
import io.bulwark.diagnose.DiagnoseException;
import io.bulwark.diagnose.chaos.Chaos;
import io.bulwark.diagnose.chaos.Injection;
import io.bulwark.diagnose.collect.ServerSampler;
import io.bulwark.diagnose.collect.TelemetryRecorder;
import io.bulwark.http.HttpModule;
import io.bulwark.http.JsonBody;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Durations;
import io.bulwark.platform.Platform;
import io.bulwark.platform.ServerAssembly;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a server runs for diagnosis: the telemetry recorder and fault injection, served to
 * administrators:
 *
 * <ul>
 *   <li>{@code GET /api/v1/admin/telemetry?from=ISO-8601}: the recorded samples from {@code from}
 *       (default: everything kept) as {@link TelemetryJson};
 *   <li>{@code POST /api/v1/admin/telemetry/live-set}: measures the live set now (two full
 *       collections two seconds apart, see {@link TelemetryRecorder#measureLiveSet()}): {@code
 *       {"readings":[{"at","liveBytes","pauseMillis"}…]}}; the telemetry then holds them;
 *   <li>{@code POST /api/v1/admin/chaos {"fault","target","duration":"30s"}}: 201 and the
 *       injection;
 *   <li>{@code GET /api/v1/admin/chaos}: {@code {"items":[injection…],"supported":{fault:target}}};
 *   <li>{@code DELETE /api/v1/admin/chaos/{id}}: the stopped injection; {@code DELETE
 *       /api/v1/admin/chaos}: {@code {"items":[every injection stopped]}}.
 * </ul>
 *
 * Every route first runs the guard given at install (the server's admin check).
 */
public final class DiagnoseHttp implements HttpModule, AutoCloseable {

  /** Checks the caller is an administrator; throws a problem (401/403) when not. */
  @FunctionalInterface
  public interface Guard {
    /** Returns normally when the request may go on. */
    void check(Context ctx);
  }

  /** Where the telemetry is served. */
  public static final String TELEMETRY = "/api/v1/admin/telemetry";

  /** Where a diagnosis asks for a fresh live-set reading. */
  public static final String LIVE_SET = TELEMETRY + "/live-set";

  /** Where injections are managed. */
  public static final String CHAOS = "/api/v1/admin/chaos";

  /** The classpath resource describing these routes for the server's OpenAPI document. */
  public static final String OPENAPI = "/openapi/diagnose-v1.json";

  private final Guard guard;
  private final ServerSampler sampler;
  private final TelemetryRecorder recorder;
  private final Chaos chaos;

  private DiagnoseHttp(
      Platform platform, Guard guard, DiagnoseOptions options, Supplier<Optional<URI>> dependency) {
    this.guard = guard;
    ChangeLog changes = new ChangeLog();
    HikariDataSource pool = platform.database().pool();
    this.sampler =
        new ServerSampler(
            options.component(),
            options.databaseComponent(),
            options.dependencyComponent(),
            platform.registry(),
            platform.instanceDir(),
            platform.database().jdbcUrl(),
            platform.database().user(),
            platform.database().password(),
            platform.clock());
    this.recorder =
        TelemetryRecorder.start(sampler, changes, options.interval(), options.retention());
    this.chaos =
        new Chaos(
            options.component(),
            options.databaseComponent(),
            options.dependencyComponent(),
            dependency,
            pool,
            options.lockTable(),
            platform.instanceDir(),
            platform.clock(),
            changes);
  }

  /** Adds the recorder and the chaos API to {@code server}, behind {@code guard}. */
  public static void install(ServerAssembly server, Guard guard, DiagnoseOptions options) {
    install(server, guard, options, Optional::empty);
  }

  /**
   * As {@link #install(ServerAssembly, Guard, DiagnoseOptions)}, with the payment simulator at the
   * URL {@code dependency} gives (asked when a fault is injected) as the dependency {@code
   * dependency-down} takes down.
   */
  public static void install(
      ServerAssembly server,
      Guard guard,
      DiagnoseOptions options,
      Supplier<Optional<URI>> dependency) {
    Objects.requireNonNull(guard, "guard");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(dependency, "dependency");
    server.module(platform -> new DiagnoseHttp(platform, guard, options, dependency));
  }

  /** The recorder, for tests and embedding. */
  public TelemetryRecorder recorder() {
    return recorder;
  }

  /** These routes' part of the server's OpenAPI document: {@value #OPENAPI}. */
  @Override
  public Optional<JsonNode> openApi() {
    return Optional.of(OpenApi.resource(DiagnoseHttp.class, OPENAPI));
  }

  @Override
  public void register(Javalin app) {
    app.get(
        TELEMETRY,
        ctx -> {
          guard.check(ctx);
          ctx.json(TelemetryJson.write(recorder.since(from(ctx.queryParam("from")))));
        });
    app.post(
        LIVE_SET,
        ctx -> {
          guard.check(ctx);
          List<Map<String, Object>> readings =
              recorder.measureLiveSet().stream()
                  .map(
                      r -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("at", r.at().toString());
                        m.put("liveBytes", r.liveBytes());
                        m.put("pauseMillis", r.pauseMillis());
                        return m;
                      })
                  .toList();
          ctx.json(Map.of("readings", readings));
        });
    app.get(
        CHAOS,
        ctx -> {
          guard.check(ctx);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("items", chaos.list().stream().map(Injection::toJson).toList());
          Map<String, String> supported = new LinkedHashMap<>();
          chaos.supported().forEach((f, t) -> supported.put(f.slug(), t));
          body.put("supported", supported);
          ctx.json(body);
        });
    app.post(
        CHAOS,
        ctx -> {
          guard.check(ctx);
          InjectRequest request = JsonBody.read(ctx, InjectRequest.class);
          if (request.fault() == null) {
            throw new DiagnoseException.InvalidInput("$.fault", "fault is required");
          }
          if (request.target() == null) {
            throw new DiagnoseException.InvalidInput("$.target", "target is required");
          }
          Duration duration =
              request.duration() == null
                  ? Duration.ofSeconds(60)
                  : Durations.parse(request.duration())
                      .orElseThrow(
                          () ->
                              new DiagnoseException.InvalidInput(
                                  "$.duration",
                                  "duration must be like 30s or 5m but was \""
                                      + request.duration()
                                      + "\""));
          ctx.status(201).json(chaos.inject(request.fault(), request.target(), duration).toJson());
        });
    app.delete(
        CHAOS + "/{id}",
        ctx -> {
          guard.check(ctx);
          ctx.json(chaos.stop(ctx.pathParam("id")).toJson());
        });
    app.delete(
        CHAOS,
        ctx -> {
          guard.check(ctx);
          List<Map<String, Object>> stopped =
              chaos.stopAll().stream().map(Injection::toJson).toList();
          ctx.json(Map.of("items", stopped));
        });
  }

  private static Instant from(String text) {
    if (text == null || text.isBlank()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new DiagnoseException.InvalidInput(
          "from", "from must be an ISO-8601 instant like 2026-12-05T07:00:00Z but was " + text);
    }
  }

  @Override
  public void close() {
    chaos.close();
    recorder.close();
    sampler.close();
  }

  /** The body of {@code POST /api/v1/admin/chaos}. */
  record InjectRequest(String fault, String target, String duration) {}
}
