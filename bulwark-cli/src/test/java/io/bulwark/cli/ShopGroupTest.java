package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.QueueBacklog;
import io.bulwark.kernel.Json;
import io.bulwark.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The shop as an instance group of real {@code bulwark serve} processes behind the gateway, as
 * {@code scenario black-friday} runs it: each instance's live dashboard shows the group's instances
 * per zone, read from the fleet API of the process running the group, not just itself; and the
 * group reads the order intake's depth from the instances' real {@code /metrics}.
 */
class ShopGroupTest {

  @TempDir Path home;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void everyInstancesDashboardShowsTheGroupsInstancesPerZoneAndFollowsAResize() throws Exception {
    ServerOptions server = new ServerOptions();
    new CommandLine(server).parseArgs("--home", home.toString(), "--port", "0");
    ServerConfig config = server.config("group-dashboard", 0).home(home).build();
    HighAvailabilityDemo.Layout layout =
        new HighAvailabilityDemo.Layout("/io/bulwark/cli/black-friday.yaml", false, c -> {});
    StringWriter err = new StringWriter();
    try (HighAvailabilityDemo shop =
        HighAvailabilityDemo.start(
            config,
            server,
            SimulatorOptions.defaults(),
            "group-dashboard-admin-pw",
            new PrintWriter(err),
            layout,
            0)) {
      InstanceGroup group = shop.stack().group("shop");
      List<InstanceStatus> first = group.status().in(Lifecycle.IN_SERVICE);
      assertThat(first).hasSize(2);
      assertThat(
              QueueBacklog.of(group, QueueBacklog.ORDER_INTAKE_DEPTH)
                  .depth()
                  .get(10, TimeUnit.SECONDS))
          .as("the shop's bulwark_orders_intake_depth, parsed from its /metrics (NaN if not)")
          .isEqualTo(0.0);
      // without the fleet, each would show itself alone: {"zone-a":1} or {"zone-b":1}
      for (InstanceStatus i : first) {
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertThat(instancesByZone(i))
                        .as(i.id())
                        .isEqualTo(Json.parse("{\"zone-a\":1,\"zone-b\":1}")));
      }

      group.setDesired(3);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> group.status().in(Lifecycle.IN_SERVICE).size() == 3);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(instancesByZone(first.get(1)))
                      .isEqualTo(Json.parse("{\"zone-a\":2,\"zone-b\":1}")));
    }
  }

  /** The instances per zone of the first figures event {@code instance}'s dashboard sends. */
  private JsonNode instancesByZone(InstanceStatus instance) throws Exception {
    HttpResponse<Stream<String>> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://" + instance.host() + ":" + instance.port() + "/dashboard/events"))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    try (Stream<String> body = response.body()) {
      Iterator<String> lines = body.iterator();
      boolean figures = false;
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.equals("event: figures")) {
          figures = true;
        } else if (figures && line.startsWith("data: ")) {
          return Json.parse(line.substring("data: ".length())).get("instancesByZone");
        }
      }
    }
    throw new AssertionError("the stream ended before a figures event");
  }
}
