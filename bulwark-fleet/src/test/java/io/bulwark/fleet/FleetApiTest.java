package io.bulwark.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.fleet.http.FleetApi;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemDocument;
import io.bulwark.testkit.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FleetApiTest {
  final ManualClock clock = new ManualClock();
  final FakeProvider provider = new FakeProvider();
  final InstanceGroup web =
      InstanceGroup.create(
          GroupConfig.builder("web").size(1, 4, 2).zone(Zone.of("r1", "a")).build(),
          provider,
          Registrar.none(),
          FakeProvider.probe(),
          clock);
  final FleetApi api = FleetApi.start(List.of(web), 0);
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    api.close();
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void tick(int n) {
    for (int k = 0; k < n; k++) {
      web.tick();
      clock.advance(Duration.ofMillis(100));
    }
  }

  @Test
  void showsResizesRefreshesAndKills() throws Exception {
    tick(5);
    var groups = Json.parse(send("GET", "/fleet/groups", null).body());
    assertThat(groups.at("/groups/0/name").asText()).isEqualTo("web");
    assertThat(groups.at("/groups/0/instances").size()).isEqualTo(2);

    var resized = send("PUT", "/fleet/groups/web/desired", "{\"desired\": 3}");
    assertThat(resized.statusCode()).isEqualTo(200);
    assertThat(web.status().desired()).isEqualTo(3);

    assertThat(send("POST", "/fleet/groups/web/refresh", null).statusCode()).isEqualTo(202);
    assertThat(web.status().refresh()).isPresent();

    assertThat(send("POST", "/fleet/instances/web-1/kill", null).statusCode()).isEqualTo(202);
    assertThat(provider.byId("web-1").isAlive()).isFalse();
  }

  @Test
  void answersMistakesWithProblems() throws Exception {
    var tooMany = send("PUT", "/fleet/groups/web/desired", "{\"desired\": 9}");
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.headers().firstValue("Content-Type")).contains(ProblemDocument.CONTENT_TYPE);
    assertThat(Json.parse(tooMany.body()).get("detail").asText())
        .isEqualTo("desired must be between min (1) and max (4) but was 9");
    assertThat(send("GET", "/fleet/groups/api", null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/fleet/groups/web", null).statusCode()).isEqualTo(405);
    assertThat(send("POST", "/fleet/instances/web-99/kill", null).statusCode()).isEqualTo(404);
    assertThat(send("PUT", "/fleet/groups/web/desired", "{\"desired\": \"x\"}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void rendersItsProblemsAsTheKernelDocumentWithTheCallersRequestId() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(api.url() + "/fleet/groups/api"))
                .header("X-Request-Id", "ops-1")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    ProblemDocument expected =
        new ProblemDocument(
            404,
            "unknown-group",
            "Group not found",
            "no group api; groups are [web]",
            "/fleet/groups/api",
            "ops-1",
            Map.of());
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ProblemDocument.CONTENT_TYPE);
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("ops-1");
    assertThat(Json.parse(r.body())).isEqualTo(Json.parse(expected.toJson()));
  }

  @Test
  void anInvalidRequestGetsTheStandardMembersAndAFreshCorrelationId() throws Exception {
    var r = send("PUT", "/fleet/groups/web/desired", "{\"desired\": 9}");

    var body = Json.parse(r.body());
    assertThat(body.get("type").asText()).isEqualTo("/problems/invalid-request");
    assertThat(body.get("title").asText()).isEqualTo("Invalid request");
    assertThat(body.get("instance").asText()).isEqualTo("/fleet/groups/web/desired");
    assertThat(body.get("correlationId").asText())
        .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void countsTheInServiceInstancesOfAGroupByZoneName() throws Exception {
    InstanceGroup shop =
        InstanceGroup.create(
            GroupConfig.builder("shop")
                .size(1, 6, 3)
                .zone(Zone.of("r1", "zone-a"))
                .zone(Zone.of("r1", "zone-b"))
                .build(),
            provider,
            Registrar.none(),
            FakeProvider.probe(),
            clock);
    java.util.concurrent.atomic.AtomicReference<List<InstanceGroup>> groups =
        new java.util.concurrent.atomic.AtomicReference<>(List.of());
    try (FleetApi early = FleetApi.start(groups::get, 0)) {
      HttpResponse<String> before =
          http.send(
              HttpRequest.newBuilder(URI.create(early.url() + "/fleet/groups/shop/zones")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(before.statusCode()).as("no groups yet").isEqualTo(404);

      groups.set(List.of(shop));
      for (int k = 0; k < 5; k++) {
        shop.tick();
        clock.advance(Duration.ofMillis(100));
      }
      HttpResponse<String> zones =
          http.send(
              HttpRequest.newBuilder(URI.create(early.url() + "/fleet/groups/shop/zones")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(zones.statusCode()).isEqualTo(200);
      var body = Json.parse(zones.body());
      assertThat(body.get("group").asText()).isEqualTo("shop");
      assertThat(body.get("inServiceByZone"))
          .isEqualTo(Json.parse("{\"zone-a\": 2, \"zone-b\": 1}"));

      shop.setDesired(1);
      for (int k = 0; k < 5; k++) {
        shop.tick();
        clock.advance(Duration.ofMillis(100));
      }
      var after =
          Json.parse(
              http.send(
                      HttpRequest.newBuilder(URI.create(early.url() + "/fleet/groups/shop/zones"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(after.get("inServiceByZone").size())
          .as("draining instances are not in service")
          .isEqualTo(1);
      HttpResponse<String> put =
          http.send(
              HttpRequest.newBuilder(URI.create(early.url() + "/fleet/groups/shop/zones"))
                  .PUT(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).isEqualTo(405);
    } finally {
      shop.close();
    }
  }
}
