package io.bulwark.fleet.scenario;

import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.traffic.PoolConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code weights}: pools of three clouds weighted 50/30/20 (the seed's Istio split); 10,000
 * requests without any routing header, sent as fast as 16 concurrent clients go ({@code --rate} and
 * {@code --duration} do not apply), are counted by the cloud that answered.
 */
public final class Weights implements Scenario {
  static final int REQUESTS = 10_000;
  static final double TOLERANCE = 2.0;

  @Override
  public String name() {
    return "weights";
  }

  @Override
  public String claim() {
    return REQUESTS + " requests split 50/30/20 over three pools within ±" + (int) TOLERANCE + "%";
  }

  @Override
  public ScenarioResult run(ScenarioOptions options) {
    try (LocalStack stack = Runs.start(name(), Runs.threeClouds(), options);
        LoadGenerator load = Runs.load(options, 16)) {
      options.progress().accept(REQUESTS + " requests, 16 at a time ...");
      LoadResult r =
          load.run(
              Double.POSITIVE_INFINITY,
              REQUESTS,
              () -> false,
              Runs.items(stack.url()),
              Runs.header("X-Region"));
      List<String> violations = new ArrayList<>();
      Runs.loadHeld(r, options, violations);
      Map<String, Object> split = new LinkedHashMap<>();
      Map<String, Object> expected = new LinkedHashMap<>();
      for (PoolConfig pool : stack.plan().gateway().pools()) {
        double pct = ScenarioResult.round(r.percentOf(pool.name()));
        split.put(pool.name(), pct);
        expected.put(pool.name(), pool.weight());
        if (Math.abs(pct - pool.weight()) > TOLERANCE) {
          violations.add(
              "pool " + pool.name() + " got " + pct + "% instead of " + pool.weight() + "% ±2");
        }
      }
      return new ScenarioResult(
          name(),
          claim(),
          violations.isEmpty(),
          r,
          Runs.map("split_pct", split, "expected_pct", expected, "tolerance_pct", TOLERANCE),
          violations);
    }
  }
}
