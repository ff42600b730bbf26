package io.bulwark.fleet.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.fleet.HttpHealthProbe;
import io.bulwark.fleet.Instance;
import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.local.LocalProcessProvider;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The instance process, run as a real child process, answers mistakes with the kernel's body. */
class InstanceMainTest {
  static final LocalProcessProvider provider = LocalProcessProvider.of(ProcessCommand.instance(1));
  static final HttpClient http = HttpClient.newHttpClient();
  static Instance instance;

  @BeforeAll
  static void launch() {
    instance = provider.launch(new LaunchSpec("web-1", "web", Zone.of("local", "a"), 1));
    HttpHealthProbe probe = HttpHealthProbe.of("/health/ready", Duration.ofMillis(500));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> probe.check(instance).get(1, TimeUnit.SECONDS));
  }

  @AfterAll
  static void close() {
    provider.close();
  }

  static HttpResponse<String> send(String method, String path, String requestId) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (requestId != null) {
      b.header("X-Request-Id", requestId);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersAnUnknownRouteWithTheKernelDocumentAndTheForwardedRequestId() throws Exception {
    HttpResponse<String> r = send("GET", "/nope", "gw-req-5");

    ProblemDocument expected =
        new ProblemDocument(
            404, "not-found", "Not found", "no route /nope", "/nope", "gw-req-5", Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ProblemDocument.CONTENT_TYPE);
    assertThat(Json.parse(r.body())).isEqualTo(Json.parse(expected.toJson()));
  }

  @Test
  void answersAWrongMethodWithAProblemCarryingANewCorrelationId() throws Exception {
    HttpResponse<String> r = send("DELETE", "/api/v1/items/7", null);

    var body = Json.parse(r.body());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT");
    assertThat(body.get("title").asText()).isEqualTo("Method not allowed");
    assertThat(body.get("instance").asText()).isEqualTo("/api/v1/items/7");
    assertThat(body.get("correlationId").asText())
        .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void refusesAnOrderWithoutADatabaseAndAnythingButPost() throws Exception {
    HttpResponse<String> none = send("POST", "/api/v1/orders/o-1", null);
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(Json.parse(none.body()).get("detail").asText())
        .isEqualTo("this instance has no database ($BULWARK_DATABASE_URL is not set)");

    HttpResponse<String> get = send("GET", "/api/v1/orders/o-1", null);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
  }
}
