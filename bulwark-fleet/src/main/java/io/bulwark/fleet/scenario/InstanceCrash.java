package io.bulwark.fleet.scenario;

import io.bulwark.fleet.GroupEvent;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code instance-crash}: steady load through the gateway over three instances in three zones;
 * SIGKILL one. Requests caught on the dead instance are retried on another (they are idempotent),
 * the group notices the exit, deregisters it and launches a replacement in the same zone.
 */
public final class InstanceCrash implements Scenario {

  @Override
  public String name() {
    return "instance-crash";
  }

  @Override
  public String claim() {
    return "SIGKILL of one instance under load: 0 failed requests, and the group replaces it"
        + " within its health-check grace period";
  }

  @Override
  public ScenarioResult run(ScenarioOptions options) {
    try (LocalStack stack = Runs.start(name(), Runs.singleRegion(3, 6, 3, 50), options);
        LoadGenerator load = Runs.load(options, Runs.MAX_IN_FLIGHT)) {
      InstanceGroup web = stack.group("web");
      Duration grace = web.config().gracePeriod();
      long start = System.nanoTime();
      long duration = options.duration().toMillis();
      AtomicReference<String> replacement = new AtomicReference<>();
      CompletableFuture<LoadResult> result =
          Runs.background(
              load,
              options.rate(),
              Long.MAX_VALUE,
              Runs.stopWhenSettled(
                  start,
                  duration,
                  () -> replacement.get() != null,
                  duration / 3 + grace.toMillis() + 1000),
              Runs.items(stack.url()),
              Runs.header("X-Zone"));
      Runs.pause(Duration.ofMillis(duration / 3));
      InstanceStatus victim = web.status().in(Lifecycle.IN_SERVICE).get(0);
      options.progress().accept("SIGKILL " + victim.id() + " in " + victim.zone() + " ...");
      Instant killedAt = Instant.now();
      web.instance(victim.id()).orElseThrow().kill();
      Runs.await(
          () -> {
            replacement.set(
                replacementOf(web, killedAt).map(e -> e.instanceId().get()).orElse(null));
            return replacement.get() != null;
          },
          grace.plusSeconds(1));
      LoadResult r = result.join();
      Optional<GroupEvent> inService = replacementOf(web, killedAt);
      Optional<GroupEvent> died =
          web.events().stream()
              .filter(
                  e ->
                      e.kind() == GroupEvent.Kind.DIED
                          && e.instanceId().equals(Optional.of(victim.id())))
              .findFirst();
      List<String> violations = new ArrayList<>();
      Runs.loadHeld(r, options, violations);
      Map<String, Object> facts =
          Runs.map(
              "killed",
              victim.id() + " in " + victim.zone().name(),
              "detected_ms",
              died.map(e -> Duration.between(killedAt, e.at()).toMillis()).orElse(-1L),
              "replacement",
              inService
                  .map(e -> e.instanceId().get() + " in " + e.zone().map(z -> z.name()).orElse("?"))
                  .orElse("none"),
              "replaced_ms",
              inService.map(e -> Duration.between(killedAt, e.at()).toMillis()).orElse(-1L),
              "grace_ms",
              grace.toMillis(),
              "served_by_zone",
              r.byLabel());
      if (inService.isEmpty()) {
        violations.add("the killed instance was not replaced within the grace period");
      } else if (Duration.between(killedAt, inService.get().at()).compareTo(grace) > 0) {
        violations.add(
            "replacement took longer than the grace period of " + grace.toMillis() + " ms");
      }
      return new ScenarioResult(name(), claim(), violations.isEmpty(), r, facts, violations);
    }
  }

  private static Optional<GroupEvent> replacementOf(InstanceGroup group, Instant after) {
    return group.events().stream()
        .filter(e -> e.kind() == GroupEvent.Kind.IN_SERVICE && !e.at().isBefore(after))
        .findFirst();
  }
}
