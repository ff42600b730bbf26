package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.kernel.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bulwark demo --ha} as a real process: the shop's instances run as their own processes
 * behind the gateway, an order placed through the gateway confirms, a SIGKILLed instance costs no
 * request and is replaced, and SIGTERM leaves nothing behind.
 */
class HighAvailabilityDemoTest {

  @TempDir Path home;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesThroughTheGatewayAndSurvivesAnInstanceKilledWithSigkill() throws Exception {
    Process demo = DemoProcess.start(home, "--ha");
    List<ProcessHandle> started = List.of();
    try {
      String url = DemoProcess.url(demo);
      assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");
      started = instances(demo);
      assertThat(started).hasSize(3);

      String token =
          Json.parse(
                  send(
                          "POST",
                          url + "/api/v1/auth/login",
                          null,
                          "{\"username\":\"demo\",\"password\":\"demo-password\"}")
                      .body())
              .get("accessToken")
              .asText();
      HttpResponse<String> order =
          send(
              "POST",
              url + "/api/v1/orders",
              token,
              "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}");
      assertThat(order.statusCode()).isIn(201, 202);
      String id = Json.parse(order.body()).get("id").asText();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Json.parse(send("GET", url + "/api/v1/orders/" + id, token, null).body())
                      .get("status")
                      .asText()
                      .equals("CONFIRMED"));

      ProcessHandle victim = started.get(0);
      victim.destroyForcibly(); // SIGKILL
      int failed = 0;
      for (int i = 0; i < 60; i++) {
        if (send("GET", url + "/api/v1/products", token, null).statusCode() != 200) {
          failed++;
        }
      }
      assertThat(failed).as("requests failed after an instance was killed").isZero();
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  assertThat(instances(demo))
                      .as("the group replaced the killed instance")
                      .hasSize(3)
                      .doesNotContain(victim));

      List<ProcessHandle> everything = demo.toHandle().descendants().toList();
      demo.destroy(); // SIGTERM
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(everything).noneMatch(ProcessHandle::isAlive));
    } finally {
      demo.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  /** The {@code bulwark serve} processes the demo runs. */
  private static List<ProcessHandle> instances(Process demo) {
    return demo.toHandle()
        .children()
        .filter(p -> p.isAlive() && arguments(p).contains("serve"))
        .toList();
  }

  /** All arguments, read from /proc: {@code ProcessHandle.Info} truncates long command lines. */
  private static List<String> arguments(ProcessHandle p) {
    try {
      return List.of(
          new String(
                  Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                  StandardCharsets.UTF_8)
              .split("\0"));
    } catch (IOException e) {
      return List.of(); // it just exited
    }
  }

  private HttpResponse<String> send(String method, String url, String token, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
