package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.states.aws.AwsOptions;
import io.bulwark.testkit.PostgresExtension;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop process as {@code bulwark demo} builds it (commerce, the engine's API, the
 * AWS-compatible endpoint, diagnosis and chaos, the dead-letter queue) describes every route it
 * serves in its OpenAPI document, and nothing else.
 */
class ShopOpenApiTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  @Test
  void theDemoShopDescribesEveryRouteItServesAndNoOther() throws Exception {
    BulwarkServer.Builder builder =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("shop")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(8)
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    DemoCommand.installShop(
        builder,
        CommerceOptions.builder()
            .jwtSecret("test-secret-test-secret-test-secret-0123")
            .bcryptCost(4)
            .pollInterval(Duration.ofMillis(100))
            .build(),
        null,
        AwsOptions.builder().accessKey("operator", "operator-password").build());
    AtomicReference<Javalin> app = new AtomicReference<>();
    builder.module(platform -> app::set);
    try (BulwarkServer server = builder.start()) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + OpenApi.PATH)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode doc = Json.parse(r.body());

      Set<String> documented = OpenApi.operations(doc);
      Set<String> registered = OpenApi.routes(app.get());
      assertThat(documented)
          .isEqualTo(registered)
          .contains(
              "POST /",
              "GET /metrics",
              "POST /api/v1/executions/{id}/stop",
              "DELETE /api/v1/admin/chaos/{id}",
              "POST /api/v1/admin/dlq/{id}/replay",
              "POST /api/v1/orders");
      assertThat(doc.findValuesAsText("operationId")).doesNotHaveDuplicates();

      // every operation answers, without credentials, with a documented status and never a 5xx
      for (String op : documented) {
        String method = op.substring(0, op.indexOf(' '));
        String template = op.substring(op.indexOf(' ') + 1);
        String path = template.replaceAll("\\{[A-Za-z]+}", "00000000-0000-7000-8000-000000000000");
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(op + " " + answer.body()).isLessThan(500);
        JsonNode responses =
            doc.get("paths").get(template).get(method.toLowerCase(Locale.ROOT)).get("responses");
        assertThat(responses.has(Integer.toString(answer.statusCode())))
            .as(op + " answered " + answer.statusCode() + " " + answer.body())
            .isTrue();
      }
    }
  }
}
