package io.bulwark.fleet.scenario;

import io.bulwark.fleet.GroupStatus;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code zone-loss}: six instances over three zones; zone A dies at once (every instance killed,
 * launches there refused). Idempotent requests caught on the dead instances are retried elsewhere;
 * the group launches the lost capacity in the other zones.
 */
public final class ZoneLoss implements Scenario {
  private static final Zone LOST = Zone.of("local", "zone-a");

  @Override
  public String name() {
    return "zone-loss";
  }

  @Override
  public String claim() {
    return "losing every instance of one zone under load: 0 failed idempotent requests, and the"
        + " desired capacity restored in the other zones";
  }

  @Override
  public ScenarioResult run(ScenarioOptions options) {
    try (LocalStack stack = Runs.start(name(), Runs.singleRegion(6, 9, 6, 50), options);
        LoadGenerator load = Runs.load(options, Runs.MAX_IN_FLIGHT)) {
      InstanceGroup web = stack.group("web");
      long start = System.nanoTime();
      long duration = options.duration().toMillis();
      AtomicBoolean restored = new AtomicBoolean();
      CompletableFuture<LoadResult> result =
          Runs.background(
              load,
              options.rate(),
              Long.MAX_VALUE,
              Runs.stopWhenSettled(start, duration, restored::get, duration + 30_000),
              Runs.items(stack.url()),
              Runs.header("X-Zone"));
      Runs.pause(Duration.ofMillis(duration / 3));
      int lost = web.status().inServiceByZone().getOrDefault(LOST, 0);
      options
          .progress()
          .accept("zone " + LOST.name() + " fails: " + lost + " instances killed ...");
      long failedAt = System.nanoTime();
      stack.provider().failZone(LOST);
      restored.set(Runs.await(() -> restored(web.status()), Duration.ofSeconds(30)));
      long restoreMs = Runs.elapsedMillis(failedAt);
      LoadResult r = result.join();
      GroupStatus status = web.status();
      Map<String, Integer> byZone = new LinkedHashMap<>();
      status.inServiceByZone().forEach((z, n) -> byZone.put(z.name(), n));
      List<String> violations = new ArrayList<>();
      Runs.loadHeld(r, options, violations);
      if (!restored.get()) {
        violations.add("capacity was not restored in the other zones within 30 s");
      }
      return new ScenarioResult(
          name(),
          claim(),
          violations.isEmpty(),
          r,
          Runs.map(
              "lost_zone",
              LOST.name(),
              "instances_lost",
              lost,
              "restored_ms",
              restored.get() ? restoreMs : -1L,
              "in_service",
              status.in(Lifecycle.IN_SERVICE).size() + " of " + status.desired(),
              "by_zone_after",
              byZone,
              "served_by_zone",
              r.byLabel()),
          violations);
    }
  }

  private static boolean restored(GroupStatus s) {
    return s.in(Lifecycle.IN_SERVICE).size() >= s.desired()
        && s.in(Lifecycle.IN_SERVICE).stream().noneMatch(i -> i.zone().equals(LOST));
  }
}
