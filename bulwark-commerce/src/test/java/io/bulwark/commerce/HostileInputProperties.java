package io.bulwark.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.http.StatesHttpModule;
import io.bulwark.testkit.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every operation of the served OpenAPI document, called by an administrator (so that the most code
 * runs) with one hostile element somewhere: a NUL or other control character, an unpaired
 * surrogate, bytes that are not UTF-8, a value nested thousands deep or over a megabyte, in a body
 * field, a query parameter or a path parameter. The answer is never a 5xx, always problem+json, and
 * nothing in the database changes. The server runs the engine's API as the shop does, so its routes
 * (state machines, executions, task tokens) are fuzzed with the rest.
 */
class HostileInputProperties {

  static TestServer app;
  static String admin;
  static String database;
  static List<Operation> operations;

  /** One operation of the document: its method, path template and body fields. */
  record Operation(
      String method, String path, List<String> pathParams, List<String> query, List<String> body) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /**
   * A hostile element: its bytes, whether they go into a body as they are (not as a JSON string),
   * and whether they are hostile only in a body (deep nesting is harmless text in a query).
   */
  record Hostile(byte[] bytes, boolean raw, boolean bodyOnly) {}

  /** Where the hostile element goes, and what it is. */
  record Attack(Operation op, String where, int pick, byte[] hostile, boolean raw) {
    @Override
    public String toString() {
      return op
          + " with "
          + new String(hostile, StandardCharsets.ISO_8859_1)
              .substring(0, Math.min(40, hostile.length))
              .replaceAll("\\p{Cntrl}", "?")
          + " in "
          + where;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    database = "t_hostile_" + ProcessHandle.current().pid();
    TestPostgres.server().createDatabaseIfMissing(database);
    Path home = Files.createTempDirectory("bulwark-hostile-");
    app =
        new TestServer(
            TestPostgres.server().jdbcUrl(database),
            home,
            o -> o.loginFailuresPerAddress(1_000_000).loginFailuresPerAccount(1_000_000),
            // the shop runs the engine's API, as `bulwark demo` does: its routes are fuzzed too
            (server, commerce) -> server.module(p -> new StatesHttpModule(commerce.engine())));
    admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"HOST-1\",\"name\":\"Host\",\"price\":100,\"available\":1000}");
    operations = operations(app.get("/api/v1/openapi.json", null).json());
    assertThat(operations)
        .extracting(Operation::toString)
        .contains("POST /api/v1/executions", "POST /api/v1/task-tokens/{token}/success");
  }

  @AfterContainer
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** The operations of {@code doc}, with the names of their parameters and body fields. */
  static List<Operation> operations(JsonNode doc) {
    List<Operation> ops = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
      for (Map.Entry<String, JsonNode> m : path.getValue().properties()) {
        List<String> pathParams = new ArrayList<>();
        List<String> query = new ArrayList<>();
        for (JsonNode p : m.getValue().path("parameters")) {
          JsonNode param = resolve(doc, p);
          if ("path".equals(param.path("in").asText())) {
            pathParams.add(param.get("name").asText());
          } else if ("query".equals(param.path("in").asText())) {
            query.add(param.get("name").asText());
          }
        }
        List<String> body = new ArrayList<>();
        JsonNode schema =
            resolve(doc, m.getValue().at("/requestBody/content/application~1json/schema"));
        schema.path("properties").fieldNames().forEachRemaining(body::add);
        ops.add(
            new Operation(
                m.getKey().toUpperCase(java.util.Locale.ROOT),
                path.getKey(),
                pathParams,
                query,
                body));
      }
    }
    return ops;
  }

  private static JsonNode resolve(JsonNode doc, JsonNode node) {
    String ref = node.path("$ref").asText("");
    return ref.startsWith("#/") ? doc.at(ref.substring(1)) : node;
  }

  @Provide
  Arbitrary<Attack> attacks() {
    Arbitrary<Operation> op = Arbitraries.of(operations);
    Arbitrary<String> where = Arbitraries.of("body", "query", "path");
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1000);
    return Combinators.combine(op, where, pick, hostile())
        .as((o, w, p, h) -> new Attack(o, h.bodyOnly() ? "body" : w, p, h.bytes(), h.raw()))
        // a route that reads no body (the rebuild) rightly ignores one: put it where it is read
        .filter(a -> !a.where().equals("body") || !a.op().body().isEmpty());
  }

  /** Hostile elements, control characters most often. */
  static Arbitrary<Hostile> hostile() {
    Arbitrary<String> around = Arbitraries.strings().alpha().ofMaxLength(6);
    Arbitrary<Character> control =
        Arbitraries.chars().range('\u0000', '\u001f').filter(c -> c != '\t' && c != '\n');
    Arbitrary<Hostile> controls =
        Combinators.combine(around, control, around)
            .as((a, c, b) -> new Hostile(utf8(a + c + b), false, false));
    Arbitrary<Hostile> surrogates =
        Combinators.combine(around, Arbitraries.chars().range('\ud800', '\udfff'))
            .as((a, c) -> new Hostile(utf8Escaped(a, c), true, true));
    Arbitrary<Hostile> notUtf8 =
        Combinators.combine(
                around,
                Arbitraries.of(
                    new byte[] {(byte) 0xff},
                    new byte[] {(byte) 0xc3, 0x28},
                    new byte[] {(byte) 0xe2, (byte) 0x82},
                    new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    new byte[] {(byte) 0xc0, (byte) 0xaf}))
            .as(
                (a, bad) ->
                    new Hostile(concat(utf8("\"" + a), concat(bad, utf8("\""))), true, false));
    Arbitrary<Hostile> nested =
        Arbitraries.integers()
            .between(1500, 5000)
            .map(depth -> new Hostile(utf8("[".repeat(depth) + "]".repeat(depth)), true, true));
    Arbitrary<Hostile> huge =
        Arbitraries.just(new Hostile(utf8("\u0000" + "x".repeat(1_100_000)), false, true));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, controls),
        net.jqwik.api.Tuple.of(2, surrogates),
        net.jqwik.api.Tuple.of(2, notUtf8),
        net.jqwik.api.Tuple.of(1, nested),
        net.jqwik.api.Tuple.of(1, huge));
  }

  @Property(tries = 100)
  void hostileInputAnywhereIsAProblemNeverA5xxAndChangesNothing(@ForAll("attacks") Attack a)
      throws Exception {
    String before = fingerprint();
    HttpResponse<String> r = send(a);
    assertThat(r.statusCode()).as("%s: %s", a, r.body()).isBetween(400, 499);
    assertThat(r.headers().firstValue("Content-Type"))
        .as("%s: %s", a, r.body())
        .hasValue("application/problem+json; charset=utf-8");
    JsonNode problem = Json.parse(r.body());
    assertThat(problem.path("status").asInt()).isEqualTo(r.statusCode());
    assertThat(problem.path("detail").asText()).isNotBlank();
    assertThat(fingerprint()).as("%s changed the database", a).isEqualTo(before);
  }

  /** The request of {@code a}: a valid-looking call with the hostile element where it says. */
  static HttpResponse<String> send(Attack a) throws Exception {
    Operation op = a.op();
    String where = a.where();
    if (where.equals("path") && op.pathParams().isEmpty()) {
      where = "query";
    }
    if (where.equals("body") && op.body().isEmpty() && !op.method().equals("POST")) {
      where = "query";
    }
    String path = op.path();
    for (int i = 0; i < op.pathParams().size(); i++) {
      boolean hostileHere = where.equals("path") && i == a.pick() % op.pathParams().size();
      String value = hostileHere ? percent(a.hostile()) : "HOST-1";
      path = path.replace("{" + op.pathParams().get(i) + "}", value);
    }
    if (where.equals("query")) {
      String name = op.query().isEmpty() ? "q" : op.query().get(a.pick() % op.query().size());
      path += "?" + name + "=" + percent(a.hostile());
    }
    byte[] body = new byte[0];
    if (op.method().equals("POST") || op.method().equals("PUT")) {
      List<String> fields = op.body().isEmpty() ? List.of("x") : op.body();
      int target = a.pick() % fields.size();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write('{');
      for (int i = 0; i < fields.size(); i++) {
        out.writeBytes(utf8((i > 0 ? "," : "") + Json.write(fields.get(i)) + ":"));
        if (where.equals("body") && i == target) {
          out.writeBytes(a.raw() ? a.hostile() : utf8(Json.write(string(a.hostile()))));
        } else {
          out.writeBytes(utf8("\"HOST-1\""));
        }
      }
      out.write('}');
      body = out.toByteArray();
    }
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(app.server.baseUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "hostile-" + a.pick())
            .method(op.method(), HttpRequest.BodyPublishers.ofByteArray(body));
    return app.http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The hostile bytes as a Java string: UTF-8 where they are, one char per byte where not. */
  private static String string(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Percent-encodes every byte that is not a letter or digit, so the bytes arrive as they are. */
  private static String percent(byte[] bytes) {
    if (bytes.length > 10_000) { // over the header limit: the server refuses the request line
      return URLEncoder.encode(string(bytes), StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  /** A JSON string literal of {@code a} followed by {@code c} as a {@code \\uXXXX} escape. */
  private static byte[] utf8Escaped(String a, char c) {
    return utf8("\"" + a + String.format("\\u%04x", (int) c) + "\"");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String fingerprint() throws Exception {
    return DatabaseFingerprint.of(
        TestPostgres.server().jdbcUrl(database),
        "select (select count(*) from identity_users), (select string_agg(name || role,"
            + " ',' order by id) from identity_users), (select count(*) from"
            + " identity_refresh_tokens), (select count(*) from inventory_products),"
            + " (select sum(available) from inventory_stock), (select count(*) from"
            + " eventstore_events), (select string_agg(role || permission, ',' order by role, permission)"
            + " from identity_role_permissions), (select count(*) from states_state_machines),"
            + " (select count(*) from states_executions), (select count(*) from states_history)");
  }
}
