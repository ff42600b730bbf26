package io.bulwark.states.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.http.BadRequest;
import io.bulwark.http.HttpModule;
import io.bulwark.http.JsonBody;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Json;
import io.bulwark.platform.Platform;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.states.durable.StartedExecution;
import io.bulwark.states.internal.PageTokens;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The HTTP API of durable executions under {@code /api/v1}: state machines, executions (start,
 * describe, list, history, stop, redrive) and task-token callbacks. Errors are problem+json.
 *
 * <p>Install it in a server with {@code server.migrate("states").module(StatesHttpModule::create)}
 * on a {@link io.bulwark.platform.ServerAssembly}.
 */
public final class StatesHttpModule implements HttpModule, AutoCloseable {

  /** The classpath resource describing these routes for the server's OpenAPI document. */
  public static final String OPENAPI = "/openapi/states-v1.json";

  private final Engine engine;

  /** A module serving {@code engine}. */
  public StatesHttpModule(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /**
   * A module with a new engine on the platform's database (migrated with module "states") whose
   * workers are started; bind task handlers by building the {@link Engine} yourself instead.
   */
  public static StatesHttpModule create(Platform platform) {
    return new StatesHttpModule(builder(platform).build().startWorkers());
  }

  /**
   * A factory for {@code ServerAssembly.module}: a new engine on the platform's database,
   * configured by {@code configure} (bind task handlers there), with its workers started.
   */
  public static Function<Platform, HttpModule> with(UnaryOperator<Engine.Builder> configure) {
    Objects.requireNonNull(configure, "configure");
    return platform ->
        new StatesHttpModule(configure.apply(builder(platform)).build().startWorkers());
  }

  /** An engine builder on the platform's database, clock and meter registry. */
  private static Engine.Builder builder(Platform platform) {
    return Engine.builder(platform.database())
        .clock(platform.clock())
        .meterRegistry(platform.registry());
  }

  /** Stops the engine's workers (the server closes modules on shutdown). */
  @Override
  public void close() {
    engine.close();
  }

  /** The routes' part of the server's OpenAPI document: {@value #OPENAPI}. */
  @Override
  public Optional<JsonNode> openApi() {
    return Optional.of(OpenApi.resource(StatesHttpModule.class, OPENAPI));
  }

  /** The engine behind the routes. */
  public Engine engine() {
    return engine;
  }

  record CreateStateMachine(String name, JsonNode definition) {}

  record StartExecution(String stateMachineName, String name, JsonNode input) {}

  record StopExecution(String error, String cause) {}

  record TaskSuccess(JsonNode output) {}

  record TaskFailure(String error, String cause) {}

  @Override
  public void register(Javalin app) {
    app.post("/api/v1/state-machines", this::createStateMachine);
    app.post("/api/v1/executions", this::start);
    app.get("/api/v1/executions", this::list);
    app.get("/api/v1/executions/{id}", ctx -> ctx.json(engine.describe(arn(ctx)).toJson()));
    app.get("/api/v1/executions/{id}/history", this::history);
    app.post("/api/v1/executions/{id}/stop", this::stop);
    app.post("/api/v1/executions/{id}/redrive", ctx -> ctx.json(engine.redrive(arn(ctx)).toJson()));
    app.post("/api/v1/task-tokens/{token}/success", this::taskSuccess);
    app.post("/api/v1/task-tokens/{token}/failure", this::taskFailure);
    app.post(
        "/api/v1/task-tokens/{token}/heartbeat",
        ctx -> {
          engine.sendTaskHeartbeat(ctx.pathParam("token"));
          ctx.status(204);
        });
  }

  private void createStateMachine(Context ctx) {
    CreateStateMachine body = JsonBody.read(ctx, CreateStateMachine.class);
    require(body.name(), "$.name");
    if (body.definition() == null || body.definition().isNull()) {
      throw new BadRequest("$.definition", "definition is required (a JSON object or string)");
    }
    String definition =
        body.definition().isTextual() ? body.definition().asText() : body.definition().toString();
    ctx.status(201).json(engine.createStateMachine(body.name(), definition).toJson());
  }

  private void start(Context ctx) {
    StartExecution body = JsonBody.read(ctx, StartExecution.class);
    require(body.stateMachineName(), "$.stateMachineName");
    StartedExecution started =
        engine.startOrFind(body.stateMachineName(), body.name(), body.input());
    Execution e = started.execution();
    // a replay of a running execution's start (same name and input) creates nothing: 200, as Step
    // Functions' StartExecution returns the existing execution
    ctx.status(started.created() ? 201 : 200)
        .header("Location", "/api/v1/executions/" + e.executionArn())
        .json(e.toJson());
  }

  private void list(Context ctx) {
    String status = ctx.queryParam("status");
    ExecutionStatus s = null;
    if (status != null && !status.isBlank()) {
      try {
        s = ExecutionStatus.valueOf(status.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(
            "status",
            "status must be one of RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED but was "
                + status,
            e);
      }
    }
    int limit = limit(ctx, 100);
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("executions");
    engine.list(s, ctx.queryParam("stateMachine"), limit).forEach(e -> list.add(e.toJson()));
    ctx.json(out);
  }

  /**
   * A page of the history, oldest first: {@code limit} events (1..1000, default 1000) from where
   * {@code nextToken} (from the previous page) says; a {@code nextToken} in the answer when more
   * follow, as GetExecutionHistory pages.
   */
  private void history(Context ctx) {
    String arn = arn(ctx);
    int limit = limit(ctx, 1000);
    String key = "history:" + arn;
    String token = ctx.queryParam("nextToken");
    int from =
        PageTokens.offset(token, key)
            .orElseThrow(
                () ->
                    new BadRequest(
                        "nextToken",
                        "nextToken must be one that the previous page of this history returned"));
    List<HistoryEvent> all = engine.history(arn);
    ObjectNode out = Json.object();
    ArrayNode events = out.putArray("events");
    for (int i = from; i < Math.min(all.size(), from + limit); i++) {
      events.add(all.get(i).toJson());
    }
    if (from + limit < all.size()) {
      out.put("nextToken", PageTokens.token(from + limit, key));
    }
    ctx.json(out);
  }

  /** The {@code limit} query parameter, 1..1000, or {@code fallback} when absent. */
  private static int limit(Context ctx, int fallback) {
    String l = ctx.queryParam("limit");
    if (l == null) {
      return fallback;
    }
    int limit;
    try {
      limit = Integer.parseInt(l);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      throw new BadRequest("limit", "limit must be an integer within 1..1000 but was " + l);
    }
    return limit;
  }

  private void stop(Context ctx) {
    StopExecution body =
        ctx.body().isBlank()
            ? new StopExecution(null, null)
            : JsonBody.read(ctx, StopExecution.class);
    ctx.json(engine.stop(arn(ctx), body.error(), body.cause()).toJson());
  }

  private void taskSuccess(Context ctx) {
    TaskSuccess body = JsonBody.read(ctx, TaskSuccess.class);
    engine.sendTaskSuccess(ctx.pathParam("token"), body.output());
    ctx.status(204);
  }

  private void taskFailure(Context ctx) {
    TaskFailure body =
        ctx.body().isBlank() ? new TaskFailure(null, null) : JsonBody.read(ctx, TaskFailure.class);
    engine.sendTaskFailure(ctx.pathParam("token"), body.error(), body.cause());
    ctx.status(204);
  }

  /** The execution arn of {@code {id}}: a full arn, or {@code <machine>:<name>} for short. */
  static String arn(Context ctx) {
    String id = java.net.URLDecoder.decode(ctx.pathParam("id"), StandardCharsets.UTF_8);
    if (id.startsWith("arn:")) {
      return id;
    }
    int colon = id.indexOf(':');
    if (colon <= 0 || colon == id.length() - 1) {
      throw new BadRequest(
          "id", "execution id must be an execution arn or <state machine>:<name>, got " + id);
    }
    return Engine.executionArn(id.substring(0, colon), id.substring(colon + 1));
  }

  private static void require(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new BadRequest(field, field.substring(2) + " is required");
    }
  }
}
