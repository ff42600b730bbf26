package io.bulwark.traffic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.CorrelationId;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.Problem;
import io.bulwark.kernel.ProblemDocument;
import io.bulwark.kernel.ProblemException;
import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.InvalidRequestException;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.UnknownRuleException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, JSON over HTTP on its own port. Errors are RFC 9457 {@code
 * application/problem+json} {@link ProblemDocument}s, with the request's {@code X-Request-Id} (or a
 * new one) as their correlation id.
 *
 * <pre>
 * GET    /metrics                           Prometheus text format (when the gateway's registry is
 *                                           a PrometheusMeterRegistry, the default)
 * GET    /admin/pools                       all pools with their targets
 * GET    /admin/pools/{pool}                one pool
 * PUT    /admin/pools/{pool}/weight         {"weight": 30}
 * PUT    /admin/pools/{pool}/enabled        {"enabled": false}
 * POST   /admin/pools/{pool}/drain          drain every target of the pool (as below)
 * POST   /admin/pools/{pool}/targets        {"id": "a4", "host": "127.0.0.1", "port": 8084, "zone": "z1"}
 * GET    /admin/targets/{id}                one target
 * POST   /admin/targets/{id}/drain          drain: no new requests, removed when idle or after
 *                                           the pool's deregistration delay
 * DELETE /admin/targets/{id}                remove at once
 * GET    /admin/protection                  bot protection in force ({"enabled": false} when off)
 * PUT    /admin/protection                  replace it: {"rules": […], "rateLimits": […], …}
 * DELETE /admin/protection                  turn it off
 * POST   /admin/protection/rules            add a rule at the end: {"name", "action", …}
 * DELETE /admin/protection/rules/{name}      remove a rule
 * PUT    /admin/protection/rate-limits/{name}  add or change a rate limit: {"rate": 20, "burst": 40}
 * DELETE /admin/protection/rate-limits/{name}  remove a rate limit
 * GET    /admin/cache                       edge cache counts: entries, bytes, hits, hit ratio
 * DELETE /admin/cache[?path=/p]             purge everything, or every query and variant of /p
 * POST   /admin/cache/prewarm               fetch the pre-warm paths again (202)
 * GET    /admin/health                      this gateway's region and its own probes' results,
 *                                           {"region", "pools": {pool: {"probed", "targets": {id: healthy}}}},
 *                                           read by peer gateways outside a pool's check regions
 * </pre>
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

  private final GatewayRuntime runtime;

  AdminHandler(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    String correlationId = CorrelationId.accept(request.headers().get(CorrelationId.HEADER));
    FullHttpResponse response;
    try {
      response = handle(request, path);
    } catch (RuntimeException e) {
      if (e instanceof Problem p) {
        response = problem(ProblemDocument.of(p, path, correlationId));
      } else {
        LOG.error(
            "admin API: {} {} failed (correlationId {})", request.method(), path, correlationId, e);
        response = problem(ProblemDocument.internalError(path, correlationId));
      }
    }
    response.headers().set(CorrelationId.HEADER, correlationId);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private FullHttpResponse handle(FullHttpRequest request, String path) {
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    HttpMethod method = request.method();
    if (parts.equals(List.of("metrics"))) {
      requireMethod(method, path, HttpMethod.GET);
      return runtime
          .scrape()
          .map(text -> response(200, "text/plain; version=0.0.4; charset=utf-8", text))
          .orElseThrow(
              () ->
                  notFound(
                      "metrics are not exported: the gateway was started with a "
                          + runtime.registryKind()
                          + ", not a PrometheusMeterRegistry"));
    }
    if (parts.size() < 2 || !parts.get(0).equals("admin")) {
      throw noRoute(path);
    }
    String collection = parts.get(1);
    if (collection.equals("protection")) {
      return protection(request, parts, path);
    }
    if (collection.equals("cache")) {
      return cache(request, parts, path);
    }
    if (collection.equals("health") && parts.size() == 2) {
      requireMethod(method, path, HttpMethod.GET);
      return json(200, runtime.healthReport());
    }
    if (collection.equals("pools")) {
      if (parts.size() == 2) {
        requireMethod(method, path, HttpMethod.GET);
        return json(200, Map.of("pools", runtime.pools()));
      }
      String pool = parts.get(2);
      if (parts.size() == 3) {
        requireMethod(method, path, HttpMethod.GET);
        return json(200, runtime.pool(pool));
      }
      if (parts.size() == 4) {
        switch (parts.get(3)) {
          case "weight" -> {
            requireMethod(method, path, HttpMethod.PUT);
            runtime.router().pool(pool);
            ObjectNode body = body(request, Set.of("weight"));
            int weight = requiredInt(body, "weight");
            if (weight < 0 || weight > 1000) {
              throw new InvalidRequestException(
                  "weight", "must be between 0 and 1000 but was " + weight);
            }
            runtime.setWeight(pool, weight);
            return json(200, runtime.pool(pool));
          }
          case "enabled" -> {
            requireMethod(method, path, HttpMethod.PUT);
            runtime.router().pool(pool);
            ObjectNode body = body(request, Set.of("enabled"));
            runtime.setEnabled(pool, requiredBoolean(body, "enabled"));
            return json(200, runtime.pool(pool));
          }
          case "drain" -> {
            requireMethod(method, path, HttpMethod.POST);
            runtime.drainPool(pool);
            return json(202, runtime.pool(pool));
          }
          case "targets" -> {
            requireMethod(method, path, HttpMethod.POST);
            runtime.router().pool(pool);
            ObjectNode body = body(request, Set.of("id", "host", "port", "zone"));
            String id = requiredText(body, "id");
            String host = requiredText(body, "host");
            int port = requiredInt(body, "port");
            if (port < 1 || port > 65535) {
              throw new InvalidRequestException(
                  "port", "must be between 1 and 65535 but was " + port);
            }
            Optional<String> zone =
                body.has("zone") ? Optional.of(requiredText(body, "zone")) : Optional.empty();
            TargetConfig target;
            try {
              target = new TargetConfig(id, host, port, zone);
            } catch (IllegalArgumentException e) {
              throw new InvalidRequestException("id", e.getMessage(), e);
            }
            return json(201, runtime.addTarget(pool, target));
          }
          default -> {
            throw noRoute(path);
          }
        }
      }
      throw noRoute(path);
    }
    if (collection.equals("targets") && parts.size() >= 3) {
      String id = parts.get(2);
      if (parts.size() == 3) {
        if (method.equals(HttpMethod.DELETE)) {
          runtime.removeTarget(id);
          return empty(204);
        }
        requireMethod(method, path, HttpMethod.GET, HttpMethod.DELETE);
        return json(200, runtime.target(id));
      }
      if (parts.size() == 4 && parts.get(3).equals("drain")) {
        requireMethod(method, path, HttpMethod.POST);
        runtime.drain(id);
        Target t = runtime.router().targetOrNull(id);
        return json(
            202, t == null ? Map.of("id", id, "state", "REMOVED") : t.status(runtime.clock()));
      }
    }
    throw noRoute(path);
  }

  private FullHttpResponse protection(FullHttpRequest request, List<String> parts, String path) {
    HttpMethod method = request.method();
    if (parts.size() == 2) {
      if (method.equals(HttpMethod.PUT)) {
        runtime.setBotProtection(Optional.of(ProtectionJson.read(object(request))));
        return protectionStatus();
      }
      if (method.equals(HttpMethod.DELETE)) {
        runtime.setBotProtection(Optional.empty());
        return empty(204);
      }
      requireMethod(method, path, HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE);
      return protectionStatus();
    }
    BotProtection current =
        runtime.botProtection().orElseGet(() -> BotProtection.builder().build());
    if (parts.get(2).equals("rules")) {
      if (parts.size() == 3) {
        requireMethod(method, path, HttpMethod.POST);
        BotProtection.Rule rule = ProtectionJson.readRule(object(request), "");
        List<BotProtection.Rule> rules = new ArrayList<>(current.rules());
        rules.add(rule);
        runtime.setBotProtection(Optional.of(rebuild(current, rules, current.rateLimits())));
        return json(201, ProtectionJson.write(rule));
      }
      if (parts.size() == 4) {
        requireMethod(method, path, HttpMethod.DELETE);
        String name = parts.get(3);
        List<BotProtection.Rule> rules = new ArrayList<>(current.rules());
        if (!rules.removeIf(r -> r.name().equals(name))) {
          throw new UnknownRuleException("bot rule", name);
        }
        runtime.setBotProtection(Optional.of(rebuild(current, rules, current.rateLimits())));
        return empty(204);
      }
    }
    if (parts.get(2).equals("rate-limits") && parts.size() == 4) {
      String name = parts.get(3);
      List<BotProtection.RateLimit> limits = new ArrayList<>(current.rateLimits());
      if (method.equals(HttpMethod.DELETE)) {
        if (!limits.removeIf(l -> l.name().equals(name))) {
          throw new UnknownRuleException("rate limit", name);
        }
        runtime.setBotProtection(Optional.of(rebuild(current, current.rules(), limits)));
        return empty(204);
      }
      requireMethod(method, path, HttpMethod.PUT, HttpMethod.DELETE);
      BotProtection.RateLimit limit = ProtectionJson.readLimit(object(request), "", name);
      int at = -1;
      for (int i = 0; i < limits.size(); i++) {
        if (limits.get(i).name().equals(name)) {
          at = i;
        }
      }
      if (at >= 0) {
        limits.set(at, limit);
      } else {
        limits.add(limit);
      }
      runtime.setBotProtection(Optional.of(rebuild(current, current.rules(), limits)));
      return json(200, ProtectionJson.write(limit));
    }
    throw noRoute(path);
  }

  private FullHttpResponse cache(FullHttpRequest request, List<String> parts, String path) {
    EdgeCacheStore cache = runtime.cache();
    if (cache == null) {
      throw notFound("the gateway has no edge cache configured");
    }
    HttpMethod method = request.method();
    if (parts.size() == 2) {
      if (method.equals(HttpMethod.DELETE)) {
        List<String> only = new QueryStringDecoder(request.uri()).parameters().get("path");
        Optional<String> target = only == null ? Optional.empty() : Optional.of(only.get(0));
        int purged = runtime.purgeCache(target);
        return json(200, Map.of("purged", purged));
      }
      requireMethod(method, path, HttpMethod.GET, HttpMethod.DELETE);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("stats", cache.stats());
      body.put("prewarm", cache.config().prewarm());
      runtime
          .lastPrewarm()
          .filter(f -> f.isDone() && !f.isCompletedExceptionally())
          .ifPresent(f -> body.put("lastPrewarm", f.join()));
      return json(200, body);
    }
    if (parts.size() == 3 && parts.get(2).equals("prewarm")) {
      requireMethod(method, path, HttpMethod.POST);
      runtime.prewarm();
      return json(202, Map.of("paths", cache.config().prewarm()));
    }
    throw noRoute(path);
  }

  private static BotProtection rebuild(
      BotProtection current, List<BotProtection.Rule> rules, List<BotProtection.RateLimit> limits) {
    try {
      return BotProtection.builder(current).rules(rules).rateLimits(limits).build();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(null, e.getMessage(), e);
    }
  }

  private FullHttpResponse protectionStatus() {
    Optional<Protection> p = Optional.ofNullable(runtime.protection());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("enabled", p.isPresent());
    p.ifPresent(
        protection -> {
          body.putAll(ProtectionJson.write(protection.config()));
          body.put("clients", protection.clients());
        });
    return json(200, body);
  }

  private static void requireMethod(HttpMethod actual, String path, HttpMethod... allowed) {
    for (HttpMethod m : allowed) {
      if (m.equals(actual)) {
        return;
      }
    }
    String allow = String.join(", ", Arrays.stream(allowed).map(HttpMethod::name).toList());
    throw new AdminProblem(
        405,
        "method-not-allowed",
        "Method not allowed",
        actual + " is not allowed on " + path + "; allowed: " + allow,
        Map.of("allow", allow));
  }

  private static ObjectNode body(FullHttpRequest request, Set<String> fields) {
    ObjectNode object = object(request);
    for (var it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!fields.contains(name)) {
        throw new InvalidRequestException(
            name, "unknown field; expected one of " + new TreeSet<>(fields));
      }
    }
    return object;
  }

  private static ObjectNode object(FullHttpRequest request) {
    String text = request.content().toString(StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new InvalidRequestException(null, "request body must be a JSON object, got nothing");
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new InvalidRequestException(
          null,
          "invalid JSON"
              + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new InvalidRequestException(
          null, "request body must be a JSON object, got " + node.getNodeType());
    }
    return object;
  }

  private static int requiredInt(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException(field, "is required");
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidRequestException(field, "expected an integer but got " + value);
    }
    return value.intValue();
  }

  private static boolean requiredBoolean(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException(field, "is required");
    }
    if (!value.isBoolean()) {
      throw new InvalidRequestException(field, "expected true or false but got " + value);
    }
    return value.booleanValue();
  }

  private static String requiredText(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException(field, "is required");
    }
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new InvalidRequestException(field, "expected a non-empty string but got " + value);
    }
    return value.textValue();
  }

  private static FullHttpResponse json(int status, Object value) {
    return response(status, "application/json", Json.write(value));
  }

  private static FullHttpResponse empty(int status) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }

  private static FullHttpResponse response(int status, String contentType, String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }

  private static AdminProblem noRoute(String path) {
    return notFound("no admin route " + path);
  }

  private static AdminProblem notFound(String detail) {
    return new AdminProblem(404, "not-found", "Not found", detail, Map.of());
  }

  private static FullHttpResponse problem(ProblemDocument problem) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(problem.status()),
            Unpooled.wrappedBuffer(problem.toBytes()));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, ProblemDocument.CONTENT_TYPE);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    problem.retryAfterSeconds().ifPresent(s -> r.headers().set(HttpHeaderNames.RETRY_AFTER, s));
    if (problem.extensions().get("allow") instanceof String allow) {
      r.headers().set(HttpHeaderNames.ALLOW, allow);
    }
    return r;
  }

  /** A problem of the admin API itself: no such route, a method the route does not allow. */
  private static final class AdminProblem extends ProblemException {
    AdminProblem(
        int status, String type, String title, String detail, Map<String, Object> extensions) {
      super(status, type, title, detail, extensions, null);
    }
  }
}
