package io.bulwark.recovery.internal;

import io.bulwark.topology.Service;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Steps "start the standby instances" and "scale to production capacity": raises each group's
 * desired count to at least the runbook's production capacity through the fleet API, then waits
 * until the DR region has, per service, one healthy instance in service (start) or the production
 * capacity (scale). The fleet API sets a group's total, not a count per region: the group places
 * the instances in the DR region because the failed region's zones refuse launches, as in a region
 * loss; while they still accept them, the condition fails and the step is rolled back.
 */
final class ScaleRegion implements StepExecutor {
  private final StepContext ctx;
  private final boolean toProduction;

  ScaleRegion(StepContext ctx, boolean toProduction) {
    this.ctx = ctx;
    this.toProduction = toProduction;
  }

  @Override
  public String execute(RunbookStep step) {
    Map<String, Integer> production = ctx.runbook().productionCapacity(ctx.topology());
    Map<String, Integer> desired = ctx.site().desired();
    List<String> done = new ArrayList<>();
    production.forEach(
        (service, n) -> {
          int now = desired.getOrDefault(service, 0);
          int max =
              ctx.topology().service(service).map(s -> s.instances().max()).orElse(Math.max(n, 1));
          int want = Math.min(max, Math.max(now, n));
          if (want != now) {
            ctx.site().setDesired(service, want);
            done.add(service + " desired " + now + " -> " + want);
          }
        });
    String[] seen = {""};
    Polling.until(
        ctx.clock(),
        ctx.budget(step),
        (toProduction ? "production capacity " + production : "a healthy instance per service")
            + " in "
            + ctx.to(),
        () -> {
          Map<String, Integer> healthy = ctx.site().healthyInRegion(ctx.to());
          seen[0] = healthy.toString();
          for (var e : production.entrySet()) {
            int need = toProduction ? e.getValue() : 1;
            int have = healthy.getOrDefault(e.getKey(), 0);
            if (have < need) {
              return Optional.of(
                  e.getKey() + " has " + have + " of " + need + " healthy in " + ctx.to());
            }
          }
          return Optional.empty();
        });
    return (done.isEmpty() ? "" : String.join(", ", done) + "; ")
        + "healthy in service in "
        + ctx.to()
        + ": "
        + seen[0];
  }

  @Override
  public String rollBack(RunbookStep step) {
    List<String> done = new ArrayList<>();
    Map<String, Integer> desired = ctx.site().desired();
    for (Service s : ctx.topology().services()) {
      Integer now = desired.get(s.name());
      if (now != null && now != s.instances().desired()) {
        ctx.site().setDesired(s.name(), s.instances().desired());
        done.add(s.name() + " desired " + now + " -> " + s.instances().desired());
      }
    }
    return done.isEmpty()
        ? "every group is at its topology's desired count"
        : String.join(", ", done);
  }
}
