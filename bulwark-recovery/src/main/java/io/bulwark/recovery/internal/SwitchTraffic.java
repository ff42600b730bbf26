package io.bulwark.recovery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StatesError;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step "switch traffic": sets the runbook's pool weights (DR 100, primary 0) through the gateway's
 * admin API; holds when the gateway reports those weights and every pool with a weight has a
 * healthy target. Rolled back by setting the topology's weights again.
 */
final class SwitchTraffic implements StepExecutor {
  private final StepContext ctx;

  SwitchTraffic(StepContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String execute(RunbookStep step) {
    Map<String, Integer> weights = ctx.runbook().weightsAfterSwitch(ctx.topology());
    if (weights.isEmpty()) {
      throw new StatesError(
          RunbookAsl.STEP_FAILED,
          "the topology has no traffic section, so the gateway has no pools to switch");
    }
    return setAndAwait(weights, ctx.budget(step));
  }

  /**
   * Sets {@code weights} and waits up to {@code budget} until the gateway reports them with a
   * healthy target behind each weighted pool.
   */
  String setAndAwait(Map<String, Integer> weights, Duration budget) {
    set(weights);
    Polling.until(
        ctx.clock(),
        budget,
        "weights " + weights + " with a healthy target behind each weighted pool",
        () -> {
          for (var e : weights.entrySet()) {
            JsonNode p = ctx.site().pool(e.getKey());
            if (p.path("weight").asInt(-1) != e.getValue()) {
              return Optional.of(
                  "pool " + e.getKey() + " has weight " + p.path("weight").asText("(none)"));
            }
            if (e.getValue() > 0 && Site.healthyTargets(p) == 0) {
              return Optional.of("pool " + e.getKey() + " has no healthy target");
            }
          }
          return Optional.empty();
        });
    return "weights " + weights;
  }

  @Override
  public String rollBack(RunbookStep step) {
    Map<String, Integer> original = topologyWeights(ctx.topology());
    set(original);
    return "weights back to " + original;
  }

  /** The pool weights {@code topology} gives (empty without a traffic section). */
  static Map<String, Integer> topologyWeights(Topology topology) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    topology.traffic().ifPresent(t -> t.pools().forEach(p -> weights.put(p.name(), p.weight())));
    return weights;
  }

  private void set(Map<String, Integer> weights) {
    List<String> failed = new ArrayList<>();
    weights.forEach(
        (pool, w) -> {
          try {
            ctx.site().setWeight(pool, w);
          } catch (RuntimeException e) {
            failed.add(pool + ": " + e.getMessage());
          }
        });
    if (!failed.isEmpty()) {
      throw new StatesError(
          RunbookAsl.STEP_FAILED, "cannot set the weights of " + String.join("; ", failed));
    }
  }
}
