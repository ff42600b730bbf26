package io.bulwark.commerce.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The served OpenAPI document is valid 3.1 and describes exactly the routes commerce registers. */
class OpenApiDocumentTest {

  private static final Set<HandlerType> VERBS =
      Set.of(
          HandlerType.GET,
          HandlerType.POST,
          HandlerType.PUT,
          HandlerType.DELETE,
          HandlerType.PATCH);

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static BulwarkServer server;
  static final AtomicReference<Javalin> app = new AtomicReference<>();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    BulwarkServer.Builder b =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("openapi")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(4)
                .shutdownGrace(Duration.ofSeconds(5))
                .build());
    Commerce.install(
        b,
        CommerceOptions.builder()
            .bcryptCost(4)
            .jwtSecret("openapi-test-secret-openapi-test-secret")
            // No order reaches the saga here: nothing ever calls this gateway.
            .paymentGateway(URI.create("http://127.0.0.1:9"))
            .build());
    // Registered after commerce: sees the same Javalin app, to enumerate its routes.
    b.module(platform -> app::set);
    server = b.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode served() throws Exception {
    HttpResponse<String> r = call("GET", OpenApiHttp.PATH);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return Json.parse(r.body());
  }

  /** "METHOD /path" for every operation of the document, with {param} placeholders. */
  static Set<String> documented(JsonNode doc) {
    Set<String> out = new TreeSet<>();
    for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      for (Iterator<String> ops = doc.get("paths").get(path).fieldNames(); ops.hasNext(); ) {
        String method = ops.next();
        if (VERBS.contains(HandlerType.valueOf(method.toUpperCase(Locale.ROOT)))) {
          out.add(method.toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    }
    return out;
  }

  @Test
  void servesAValidOpenApi31DocumentWithoutAuthentication() throws Exception {
    HttpResponse<String> r = call("GET", OpenApiHttp.PATH);
    assertThat(r.statusCode()).isEqualTo(200);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body());
    assertThat(parsed.getMessages()).isEmpty();
    assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1");
    assertThat(parsed.getOpenAPI().getComponents().getSecuritySchemes()).containsKey("bearerAuth");
    assertThat(served().get("openapi").asText()).isEqualTo("3.1.0");
    assertThat(new String(OpenApiHttp.load(), StandardCharsets.UTF_8)).isEqualTo(r.body());
  }

  @Test
  void describesEveryRouteTheCommerceModulesRegisterAndNoOther() throws Exception {
    Set<String> registered = new TreeSet<>();
    app.get().unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .map(p -> p.getEndpoint())
        .filter(e -> VERBS.contains(e.getMethod()) && e.getPath().startsWith("/api/"))
        .forEach(e -> registered.add(e.getMethod().name() + " " + e.getPath()));
    assertThat(registered).hasSizeGreaterThan(15);
    assertThat(documented(served())).isEqualTo(registered);
  }

  @Test
  void everyDocumentedOperationIsAnsweredByARoute() throws Exception {
    for (String op : documented(served())) {
      String method = op.substring(0, op.indexOf(' '));
      String path =
          op.substring(op.indexOf(' ') + 1)
              .replaceAll("\\{sku}", "NO-SUCH-SKU")
              .replaceAll("\\{[A-Za-z]+}", "00000000-0000-7000-8000-000000000000");
      HttpResponse<String> r = call(method, path);
      assertThat(r.statusCode()).as(op + " answered " + r.body()).isNotEqualTo(405);
      if (r.statusCode() == 404) {
        assertThat(Json.parse(r.body()).get("detail").asText()).as(op).doesNotStartWith("no route");
      }
      if (r.statusCode() >= 400) {
        assertThat(r.headers().firstValue("Content-Type"))
            .as(op)
            .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      }
    }
  }

  @Test
  void documentsTheIdempotencyKeyAndProblemResponsesOfPlacingAnOrder() throws Exception {
    JsonNode doc = served();
    JsonNode place = doc.at("/paths/~1api~1v1~1orders/post");
    assertThat(place.get("parameters").toString()).contains("IdempotencyKey");
    assertThat(doc.at("/components/parameters/IdempotencyKey/name").asText())
        .isEqualTo("Idempotency-Key");
    assertThat(place.get("responses").has("409")).isTrue();
    assertThat(doc.at("/components/responses/BadRequest/content").has("application/problem+json"))
        .isTrue();
    assertThat(doc.at("/components/schemas/OrderLine/properties/quantity/maximum").asInt())
        .isEqualTo(1000);
  }
}
