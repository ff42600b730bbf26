package io.bulwark.states.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.http.HttpModule;
import io.bulwark.http.OpenApi;
import io.bulwark.http.RequestIds;
import io.bulwark.kernel.Json;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.StatesException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS Step Functions API on the durable engine, in the AWS JSON 1.0 protocol: {@code POST /}
 * with {@code X-Amz-Target: AWSStepFunctions.<Action>}, so that the AWS CLI and SDKs drive the
 * engine with only their endpoint changed. Requests must carry a SigV4 signature made with one of
 * the configured access keys, unless the options allow unsigned requests.
 *
 * <p>Errors answer in the protocol's own shape ({@code {"__type","message"}} with {@code
 * x-amzn-ErrorType}), not as problem+json: AWS clients read nothing else. An action this endpoint
 * does not serve answers {@code UnknownOperationException} naming it.
 */
public final class StepFunctionsApi implements HttpModule {
  private static final Logger log = LoggerFactory.getLogger(StepFunctionsApi.class);
  private static final String TARGET_PREFIX = "AWSStepFunctions.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.0";

  /** The classpath resource describing this endpoint for the server's OpenAPI document. */
  public static final String OPENAPI = "/openapi/aws-stepfunctions.json";

  private final AwsOptions options;
  private final Map<String, Function<Members, ObjectNode>> actions;
  private final SigV4 signatures;

  /** The API on {@code engine} (whose owner closes it) as {@code options} say. */
  public StepFunctionsApi(Engine engine, AwsOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.actions = new Actions(Objects.requireNonNull(engine, "engine"), arns(options)).byName();
    this.signatures = new SigV4(options.accessKeys(), options.region(), "states", options.clock());
  }

  private static AwsArns arns(AwsOptions options) {
    return new AwsArns(options.region(), options.accountId());
  }

  @Override
  public void register(Javalin app) {
    app.post("/", this::handle);
  }

  /** The endpoint's part of the server's OpenAPI document: {@value #OPENAPI}. */
  @Override
  public Optional<JsonNode> openApi() {
    return Optional.of(OpenApi.resource(StepFunctionsApi.class, OPENAPI));
  }

  private void handle(Context ctx) {
    String target = ctx.header("X-Amz-Target");
    try {
      authenticate(ctx);
      if (target == null || !target.startsWith(TARGET_PREFIX)) {
        throw AwsError.of(
            "UnknownOperationException",
            "X-Amz-Target must name a Step Functions action, like AWSStepFunctions.ListStateMachines,"
                + " but was "
                + (target == null ? "missing" : "'" + target + "'"));
      }
      String action = target.substring(TARGET_PREFIX.length());
      Function<Members, ObjectNode> handler = actions.get(action);
      if (handler == null) {
        throw AwsError.of(
            "UnknownOperationException",
            "The action " + action + " is not supported by this Step Functions endpoint");
      }
      reply(ctx, 200, handler.apply(new Members(body(ctx))));
    } catch (AwsError e) {
      error(ctx, e.status(), e.type(), e.getMessage());
    } catch (StatesException e) {
      // the engine refused something no action translated: still a caller's error; a machine
      // reserved to the server (403 on the REST API) is the service's AccessDeniedException
      error(
          ctx,
          400,
          e.status() == 403 ? "AccessDeniedException" : "ValidationException",
          e.getMessage());
    } catch (RuntimeException e) {
      log.error("Step Functions action {} failed", target, e);
      error(
          ctx,
          500,
          "InternalFailure",
          "The request processing has failed because of an unknown error (request id "
              + RequestIds.current(ctx)
              + ")");
    }
  }

  private void authenticate(Context ctx) {
    if (options.allowUnsigned()) {
      return;
    }
    signatures.verify(
        ctx.method().name(),
        ctx.req().getRequestURI(),
        ctx.req().getQueryString(),
        name -> {
          var values = ctx.req().getHeaders(name);
          return values == null ? List.of() : Collections.list(values);
        },
        ctx.bodyAsBytes());
  }

  private static ObjectNode body(Context ctx) {
    String text = new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return Json.object();
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw AwsError.of(
          "SerializationException", "the request body is not JSON: " + e.getOriginalMessage(), e);
    }
    if (!(body instanceof ObjectNode object)) {
      throw AwsError.of("SerializationException", "the request body must be a JSON object");
    }
    return object;
  }

  private static void error(Context ctx, int status, String type, String message) {
    ObjectNode body = Json.object();
    body.put("__type", type);
    body.put("message", message);
    ctx.header("x-amzn-ErrorType", type);
    reply(ctx, status, body);
  }

  private static void reply(Context ctx, int status, ObjectNode body) {
    ctx.status(status);
    ctx.header("x-amzn-RequestId", RequestIds.current(ctx));
    ctx.contentType(CONTENT_TYPE);
    ctx.result(Json.write(body).getBytes(StandardCharsets.UTF_8));
  }
}
