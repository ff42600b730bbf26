package io.bulwark.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.bulwark.testkit.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group's instances per zone, polled from a fleet API over real HTTP. */
@Timeout(30)
class FleetZonesTest {
  static final Duration FAST = Duration.ofMillis(100);

  final ManualClock clock = new ManualClock();
  final AtomicReference<String> answer = new AtomicReference<>();
  final AtomicInteger status = new AtomicInteger(200);
  final AtomicInteger asked = new AtomicInteger();
  HttpServer fleet;
  FleetZones zones;

  /** A fleet API serving {@code answer} for group shop's zones. */
  URI startFleet() throws IOException {
    fleet = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    fleet.createContext(
        "/fleet/groups/shop/zones",
        exchange -> {
          try (exchange) {
            asked.incrementAndGet();
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    fleet.start();
    return URI.create("http://127.0.0.1:" + fleet.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (zones != null) {
      zones.close();
    }
    if (fleet != null) {
      fleet.stop(0);
    }
  }

  @Test
  void followsTheFleetsCountsAndKeepsTheLastWhenItStopsAnswering() throws Exception {
    answer.set("{\"group\":\"shop\",\"inServiceByZone\":{\"zone-a\":2,\"zone-b\":1}}");
    URI url = startFleet();
    zones = FleetZones.poll(url, "shop", "zone-a", clock, FAST, FAST, Duration.ofSeconds(10));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> zones.get().equals(Map.of("zone-a", 2, "zone-b", 1)));

    answer.set("{\"group\":\"shop\",\"inServiceByZone\":{\"zone-a\":3,\"zone-b\":2}}");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> zones.get().equals(Map.of("zone-a", 3, "zone-b", 2)));

    // nonsense and errors keep the last answer
    answer.set("{\"inServiceByZone\":{\"zone-a\":\"many\"}}");
    int before = asked.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= before + 3);
    assertThat(zones.get()).isEqualTo(Map.of("zone-a", 3, "zone-b", 2));
    status.set(500);
    int before500 = asked.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= before500 + 3);
    assertThat(zones.get()).isEqualTo(Map.of("zone-a", 3, "zone-b", 2));

    fleet.stop(0);
    fleet = null;
    clock.advance(Duration.ofSeconds(9));
    assertThat(zones.get()).as("still fresh enough").isEqualTo(Map.of("zone-a", 3, "zone-b", 2));
    clock.advance(Duration.ofSeconds(2));
    assertThat(zones.get()).as("stale: this process alone").isEqualTo(Map.of("zone-a", 1));
  }

  @Test
  void countsItselfUntilTheFleetAnswers() throws Exception {
    answer.set("{\"inServiceByZone\":{\"zone-a\":1,\"zone-b\":4}}");
    status.set(404); // the group does not exist yet
    URI url = startFleet();
    zones = FleetZones.poll(url, "shop", "zone-b", clock, FAST, FAST, Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() >= 2);
    assertThat(zones.get()).isEqualTo(Map.of("zone-b", 1));
    status.set(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> zones.get().equals(Map.of("zone-a", 1, "zone-b", 4)));
  }

  @Test
  void countsItselfWhenNothingListens() throws Exception {
    URI url = startFleet();
    fleet.stop(0);
    fleet = null;
    zones = FleetZones.poll(url, "shop", "zone-c", clock, FAST, FAST, Duration.ofSeconds(10));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> zones.get().equals(Map.of("zone-c", 1)));
  }

  @Test
  void readsTheFleetFromTheEnvironmentAndRefusesAMalformedOne() {
    assertThat(FleetZones.fromEnvironment(Map.of(), "zone-a", clock)).isEmpty();
    assertThat(FleetZones.fromEnvironment(Map.of(FleetZones.FLEET_URL_ENV, " "), "zone-a", clock))
        .isEmpty();
    assertThatThrownBy(
            () ->
                FleetZones.fromEnvironment(
                    Map.of(
                        FleetZones.FLEET_URL_ENV, "127.0.0.1:4000", FleetZones.GROUP_ENV, "shop"),
                    "zone-a",
                    clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "BULWARK_FLEET_URL: expected the fleet API's URL like http://127.0.0.1:40123, got"
                + " \"127.0.0.1:4000\"");
    assertThatThrownBy(
            () ->
                FleetZones.fromEnvironment(
                    Map.of(FleetZones.FLEET_URL_ENV, "http://127.0.0.1:4000"), "zone-a", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("BULWARK_SERVICE must name the instance group when BULWARK_FLEET_URL is set");
    Optional<FleetZones> fromEnv =
        FleetZones.fromEnvironment(
            Map.of(FleetZones.FLEET_URL_ENV, "http://127.0.0.1:1/", FleetZones.GROUP_ENV, "shop"),
            "zone-a",
            clock);
    assertThat(fromEnv).isPresent();
    try (FleetZones z = fromEnv.get()) {
      assertThat(z.get()).isEqualTo(Map.of("zone-a", 1));
    }
  }
}
