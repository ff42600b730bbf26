package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminApiTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private Gateway gateway;
  private int admin;

  @BeforeEach
  void start() {
    TestBackend blue = TestBackend.start("blue-1");
    TestBackend green = TestBackend.start("green-1");
    backends.add(blue);
    backends.add(green);
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .pool(
                    PoolConfig.builder("blue")
                        .weight(100)
                        .noHealthCheck()
                        .target(blue.target())
                        .build())
                .pool(
                    PoolConfig.builder("green")
                        .weight(0)
                        .noHealthCheck()
                        .target(green.target())
                        .build())
                .build());
    admin = gateway.adminPort();
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
  }

  private Set<String> servedBy(int requests) {
    Set<String> served = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      served.add(Http.get(gateway.port(), "/").body());
    }
    return served;
  }

  private static JsonNode problem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("application/problem+json; charset=utf-8");
    JsonNode body = Json.parse(response.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    return body;
  }

  @Test
  void listsPoolsWithTheirTargets() {
    HttpResponse<String> response = Http.get(admin, "/admin/pools");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode pools = Json.parse(response.body()).get("pools");
    assertThat(pools).hasSize(2);
    assertThat(pools.get(0).get("name").asText()).isEqualTo("blue");
    assertThat(pools.get(0).get("weight").asInt()).isEqualTo(100);
    assertThat(pools.get(0).get("targets").get(0).get("state").asText()).isEqualTo("SERVING");
  }

  @Test
  void shiftsTrafficWhenWeightsChangeAtRuntime() {
    assertThat(servedBy(10)).containsOnly("blue-1");

    HttpResponse<String> greenUp =
        Http.send("PUT", admin, "/admin/pools/green/weight", "{\"weight\": 100}");
    HttpResponse<String> blueDown =
        Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"weight\": 0}");

    assertThat(greenUp.statusCode()).isEqualTo(200);
    assertThat(Json.parse(greenUp.body()).get("weight").asInt()).isEqualTo(100);
    assertThat(blueDown.statusCode()).isEqualTo(200);
    assertThat(servedBy(10)).containsOnly("green-1");
    assertThat(gateway.config().pool("blue").orElseThrow().weight()).isZero();
  }

  @Test
  void keepsInFlightRequestsAndKeepAliveConnectionsThroughWeightAndPoolChanges() throws Exception {
    TestBackend blue = backends.get(0);
    try (RawConnection steady = new RawConnection(gateway.port());
        RawConnection slow = new RawConnection(gateway.port())) {
      assertThat(steady.get("/").body()).isEqualTo("blue-1");
      slow.send("/slow");
      await().atMost(Duration.ofSeconds(10)).until(() -> blue.slowStarted() == 1);

      Http.send("PUT", admin, "/admin/pools/green/weight", "{\"weight\": 100}");
      Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"weight\": 0}");
      RawConnection.Answer afterWeights = steady.get("/");
      Http.send("PUT", admin, "/admin/pools/blue/enabled", "{\"enabled\": false}");
      RawConnection.Answer afterDisable = steady.get("/");
      blue.releaseSlow();
      RawConnection.Answer inFlight = slow.read();

      assertThat(afterWeights.body()).isEqualTo("green-1");
      assertThat(afterWeights.keepsConnection()).isTrue();
      assertThat(afterDisable.body()).isEqualTo("green-1");
      assertThat(inFlight.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(inFlight.body()).isEqualTo("blue-1");
      assertThat(inFlight.keepsConnection()).isTrue();
      assertThat(slow.get("/").body()).isEqualTo("green-1");
    }
  }

  @Test
  void drainsAWholePoolLettingItsInFlightRequestFinish() throws Exception {
    TestBackend blue = backends.get(0);
    try (RawConnection slow = new RawConnection(gateway.port())) {
      slow.send("/slow");
      await().atMost(Duration.ofSeconds(10)).until(() -> blue.slowStarted() == 1);
      Http.send("PUT", admin, "/admin/pools/green/weight", "{\"weight\": 100}");

      HttpResponse<String> drained = Http.send("POST", admin, "/admin/pools/blue/drain", "");

      assertThat(drained.statusCode()).isEqualTo(202);
      assertThat(Json.parse(drained.body()).get("targets").get(0).get("state").asText())
          .isEqualTo("DRAINING");
      assertThat(servedBy(5)).containsOnly("green-1");
      blue.releaseSlow();
      assertThat(slow.read().body()).isEqualTo("blue-1");
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.pool("blue").targets().isEmpty());
    }
  }

  @Test
  void answersUnknownPoolWithNotFoundProblem() {
    JsonNode body =
        problem(Http.send("PUT", admin, "/admin/pools/purple/weight", "{\"weight\": 5}"), 404);

    assertThat(body.get("type").asText()).isEqualTo("/problems/pool-not-found");
    assertThat(body.get("detail").asText()).contains("purple");
    assertThat(body.get("pool").asText()).isEqualTo("purple");
  }

  @Test
  void answersMalformedJsonWithBadRequestProblem() {
    JsonNode body =
        problem(Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"weight\": }"), 400);

    assertThat(body.get("type").asText()).isEqualTo("/problems/invalid-request");
    assertThat(body.get("detail").asText()).startsWith("invalid JSON at line 1");
  }

  @Test
  void namesTheFieldThatIsWrong() {
    JsonNode wrongType =
        problem(
            Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"weight\": \"heavy\"}"), 400);
    JsonNode misspelt =
        problem(Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"wieght\": 5}"), 400);
    JsonNode outOfRange =
        problem(Http.send("PUT", admin, "/admin/pools/blue/weight", "{\"weight\": -1}"), 400);
    JsonNode missing = problem(Http.send("PUT", admin, "/admin/pools/blue/weight", "{}"), 400);

    assertThat(wrongType.get("field").asText()).isEqualTo("weight");
    assertThat(wrongType.get("detail").asText())
        .isEqualTo("weight: expected an integer but got \"heavy\"");
    assertThat(misspelt.get("field").asText()).isEqualTo("wieght");
    assertThat(misspelt.get("detail").asText()).contains("unknown field");
    assertThat(outOfRange.get("detail").asText())
        .isEqualTo("weight: must be between 0 and 1000 but was -1");
    assertThat(missing.get("detail").asText()).isEqualTo("weight: is required");
    assertThat(gateway.pool("blue").weight()).isEqualTo(100);
  }

  @Test
  void addsDrainsAndRemovesTargets() {
    TestBackend extra = TestBackend.start("blue-2");
    backends.add(extra);

    HttpResponse<String> added =
        Http.send(
            "POST",
            admin,
            "/admin/pools/blue/targets",
            "{\"id\":\"blue-2\",\"host\":\"127.0.0.1\",\"port\":"
                + extra.port()
                + ",\"zone\":\"z2\"}");
    assertThat(added.statusCode()).isEqualTo(201);
    assertThat(servedBy(10)).containsOnly("blue-1", "blue-2");

    JsonNode duplicate =
        problem(
            Http.send(
                "POST",
                admin,
                "/admin/pools/blue/targets",
                "{\"id\":\"blue-2\",\"host\":\"127.0.0.1\",\"port\":1}"),
            409);
    assertThat(duplicate.get("detail").asText()).contains("blue-2");

    HttpResponse<String> drained = Http.send("POST", admin, "/admin/targets/blue-1/drain", "");
    assertThat(drained.statusCode()).isEqualTo(202);
    assertThat(servedBy(10)).containsOnly("blue-2");

    HttpResponse<String> deleted = Http.send("DELETE", admin, "/admin/targets/blue-2", "");
    assertThat(deleted.statusCode()).isEqualTo(204);
    problem(Http.get(admin, "/admin/targets/blue-2"), 404);
    assertThat(Http.get(gateway.port(), "/").statusCode()).isEqualTo(503);
  }

  @Test
  void disablesAPool() {
    HttpResponse<String> response =
        Http.send("PUT", admin, "/admin/pools/blue/enabled", "{\"enabled\": false}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Json.parse(response.body()).get("enabled").asBoolean()).isFalse();
    assertThat(Http.get(gateway.port(), "/").statusCode()).isEqualTo(503);
  }

  @Test
  void rejectsAWrongMethodAndAnUnknownRoute() {
    HttpResponse<String> wrongMethod = Http.send("DELETE", admin, "/admin/pools/blue/weight", "");
    JsonNode body = problem(wrongMethod, 405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("PUT");
    assertThat(body.get("detail").asText()).contains("DELETE");

    problem(Http.get(admin, "/admin/nothing"), 404);
  }
}
