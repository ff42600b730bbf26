package io.bulwark.fleet.scenario;

import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.RefreshStatus;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code rolling-refresh}: replaces all four instances with a new generation under load, in batches
 * that keep at least the minimum healthy share in service; each old instance is deregistered and
 * drained before it stops, each new one warms up before the next batch.
 */
public final class RollingRefresh implements Scenario {
  private static final int MIN_HEALTHY = 50;

  @Override
  public String name() {
    return "rolling-refresh";
  }

  @Override
  public String claim() {
    return "refreshing every instance under load: 0 failed requests, and in-service healthy"
        + " capacity never below the minimum healthy percentage ("
        + MIN_HEALTHY
        + "%)";
  }

  @Override
  public ScenarioResult run(ScenarioOptions options) {
    try (LocalStack stack = Runs.start(name(), Runs.singleRegion(4, 8, 4, MIN_HEALTHY), options);
        LoadGenerator load = Runs.load(options, Runs.MAX_IN_FLIGHT)) {
      InstanceGroup web = stack.group("web");
      long start = System.nanoTime();
      long duration = options.duration().toMillis();
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<LoadResult> result =
          Runs.background(
              load,
              options.rate(),
              Long.MAX_VALUE,
              Runs.stopWhenSettled(start, duration, done::get, duration + 60_000),
              Runs.items(stack.url()),
              r -> "v" + r.headers().firstValue("X-Instance-Version").orElse("?"));
      Runs.pause(Duration.ofMillis(duration / 4));
      options.progress().accept("rolling refresh of " + web.status().desired() + " instances ...");
      web.startRefresh();
      done.set(
          Runs.await(
              () -> web.status().refresh().map(RefreshStatus::done).orElse(false),
              Duration.ofSeconds(60)));
      LoadResult r = result.join();
      RefreshStatus refresh = web.status().refresh().orElseThrow();
      List<String> violations = new ArrayList<>();
      Runs.loadHeld(r, options, violations);
      if (!refresh.done()) {
        violations.add("the refresh did not finish within 60 s");
      }
      if (refresh.minHealthyPercentSeen() < MIN_HEALTHY) {
        violations.add(
            "healthy capacity fell to "
                + Math.round(refresh.minHealthyPercentSeen())
                + "%, below "
                + MIN_HEALTHY
                + "%");
      }
      return new ScenarioResult(
          name(),
          claim(),
          violations.isEmpty(),
          r,
          Runs.map(
              "replaced",
              refresh.replaced() + " of " + refresh.total(),
              "refresh_ms",
              refresh
                  .finishedAt()
                  .map(f -> Duration.between(refresh.startedAt(), f).toMillis())
                  .orElse(-1L),
              "min_healthy_seen_pct",
              ScenarioResult.round(refresh.minHealthyPercentSeen()),
              "min_healthy_pct",
              MIN_HEALTHY,
              "served_by_version",
              r.byLabel()),
          violations);
    }
  }
}
