package io.bulwark.fleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.fleet.HttpHealthProbe;
import io.bulwark.fleet.Instance;
import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.ZoneUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalProcessProviderTest {
  static final Zone A = Zone.of("local", "a");
  static final Zone B = Zone.of("local", "b");

  final LocalProcessProvider provider = LocalProcessProvider.of(ProcessCommand.instance(1));
  final HttpHealthProbe probe = HttpHealthProbe.of("/health/ready", Duration.ofMillis(500));
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  Instance launchReady(String id, Zone zone) {
    Instance i = provider.launch(new LaunchSpec(id, "web", zone, 3));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> probe.check(i).get(1, TimeUnit.SECONDS));
    return i;
  }

  HttpResponse<String> get(Instance i, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void runsEachInstanceAsItsOwnProcessOnItsOwnPortNamingItselfInHeaders() throws Exception {
    Instance a = launchReady("web-1", A);
    Instance b = launchReady("web-2", B);
    assertThat(a.pid()).isNotEqualTo(b.pid());
    assertThat(a.pid().getAsLong()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(a.port()).isNotEqualTo(b.port());

    HttpResponse<String> r = get(b, "/api/v1/items/42");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Instance-Id")).contains("web-2");
    assertThat(r.headers().firstValue("X-Zone")).contains("b");
    assertThat(r.headers().firstValue("X-Instance-Version")).contains("3");
    assertThat(r.body()).contains("\"id\":\"42\"");
    assertThat(get(a, "/health/live").statusCode()).isEqualTo(200);
    assertThat(get(a, "/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void stopsAnInstanceGracefullyAndKillsOneAtOnce() throws Exception {
    Instance a = launchReady("web-1", A);
    Instance b = launchReady("web-2", A);
    a.stop(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    assertThat(a.isAlive()).isFalse();
    b.kill();
    await().atMost(Duration.ofSeconds(5)).until(() -> !b.isAlive());
    assertThat(provider.running()).isEmpty();
  }

  @Test
  void aFailedZoneLosesEveryInstanceAndRefusesLaunches() {
    Instance a1 = launchReady("web-1", A);
    Instance a2 = launchReady("web-2", A);
    Instance b1 = launchReady("web-3", B);
    provider.failZone(A);
    await().atMost(Duration.ofSeconds(5)).until(() -> !a1.isAlive() && !a2.isAlive());
    assertThat(b1.isAlive()).isTrue();
    assertThatThrownBy(() -> provider.launch(new LaunchSpec("web-4", "web", A, 1)))
        .isInstanceOf(ZoneUnavailableException.class)
        .hasMessageContaining("local/a");
    provider.restoreZone(A);
    assertThat(launchReady("web-5", A).isAlive()).isTrue();
  }

  /**
   * A launch that starts its process while the zone fails must not leave an instance running there:
   * in a region-loss drill such a survivor stayed in service in the lost region, so its group never
   * replaced it and the DR region stayed one instance short of production capacity. Launches run in
   * a tight loop, so the failure nearly always lands while a process starts.
   */
  @Test
  void noInstanceLaunchedWhileItsZoneFailsSurvivesTheFailure() throws Exception {
    LocalProcessProvider sleepers =
        LocalProcessProvider.of(ProcessCommand.of(List.of("sleep", "30")));
    try {
      for (int round = 0; round < 3; round++) {
        Zone zone = Zone.of("local", "race-" + round);
        List<Instance> launched = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger refused =
            new java.util.concurrent.atomic.AtomicInteger();
        Thread launcher =
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int k = 0; k < 200 && refused.get() == 0; k++) {
                        try {
                          launched.add(sleepers.launch(new LaunchSpec("s-" + k, "web", zone, 1)));
                        } catch (ZoneUnavailableException e) {
                          refused.incrementAndGet();
                        }
                      }
                    });
        await().atMost(Duration.ofSeconds(10)).until(() -> launched.size() >= 3);
        sleepers.failZone(zone);
        launcher.join(Duration.ofSeconds(10).toMillis());
        assertThat(refused.get()).as("a launch after the failure is refused").isEqualTo(1);
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () -> {
                  assertThat(launched).noneMatch(Instance::isAlive);
                  assertThat(sleepers.running()).noneMatch(i -> i.zone().equals(zone));
                });
      }
    } finally {
      sleepers.close();
    }
  }

  @Test
  void noInstanceOutlivesItsParentKilledWithSigkillWhetherItWatchesStdinOrNot() throws Exception {
    Process parent =
        new ProcessBuilder(
                ProcessCommand.javaMain(ParentMain.class.getName(), List.of(), false).argv())
            .redirectErrorStream(true)
            .start();
    List<ProcessHandle> children = new java.util.ArrayList<>();
    try (var out =
        new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))) {
      for (int i = 0; i < 2; i++) {
        children.add(ProcessHandle.of(Long.parseLong(out.readLine().trim())).orElseThrow());
      }
      assertThat(children).allMatch(ProcessHandle::isAlive);
      parent.destroyForcibly();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(children)
                      .as("instances still running after their parent was killed")
                      .filteredOn(ProcessHandle::isAlive)
                      .isEmpty());
    } finally {
      parent.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void runsAConfiguredCommandLineWithThePlaceholdersFilled() throws Exception {
    LocalProcessProvider custom =
        LocalProcessProvider.of(
            ProcessCommand.instance(1),
            java.util.Map.of(
                "api",
                ProcessCommand.javaMain(
                    io.bulwark.fleet.instance.InstanceMain.class.getName(),
                    List.of("--port", "{port}", "--id", "custom-{id}", "--zone", "{zone}"),
                    false)),
            Optional.empty());
    try {
      Instance i = custom.launch(new LaunchSpec("api-1", "api", B, 1));
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.check(i).get(1, TimeUnit.SECONDS));
      assertThat(get(i, "/api/v1/hello").headers().firstValue("X-Instance-Id"))
          .contains("custom-api-1");
    } finally {
      custom.close();
    }
  }
}
