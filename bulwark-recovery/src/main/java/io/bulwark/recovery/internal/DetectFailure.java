package io.bulwark.recovery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step "verify primary failure": the failed region's pools have no healthy target at the gateway
 * (or, without traffic pools, its instance groups have no healthy instance there). Changes nothing.
 */
final class DetectFailure implements StepExecutor {
  private final StepContext ctx;

  DetectFailure(StepContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String execute(RunbookStep step) {
    String[] seen = {""};
    Polling.until(
        ctx.clock(),
        ctx.budget(step),
        "no healthy target in " + ctx.from(),
        () -> {
          List<String> healthy = new ArrayList<>();
          List<String> counts = new ArrayList<>();
          if (ctx.poolsOf(ctx.from()).isEmpty()) {
            ctx.site()
                .healthyInRegion(ctx.from())
                .forEach(
                    (group, n) -> {
                      counts.add(group + " " + n + " healthy");
                      if (n > 0) {
                        healthy.add(group);
                      }
                    });
          } else {
            for (String pool : ctx.poolsOf(ctx.from())) {
              JsonNode p = ctx.site().pool(pool);
              int n = Site.healthyTargets(p);
              counts.add(
                  "pool "
                      + pool
                      + ": "
                      + n
                      + " healthy of "
                      + p.path("targets").size()
                      + " targets");
              if (n > 0) {
                healthy.add(pool);
              }
            }
          }
          seen[0] = String.join(", ", counts);
          return healthy.isEmpty()
              ? Optional.empty()
              : Optional.of(ctx.from() + " still has healthy targets: " + seen[0]);
        });
    return ctx.from() + " is down: " + seen[0];
  }

  @Override
  public String rollBack(RunbookStep step) {
    return "nothing to undo: detection changes nothing";
  }
}
