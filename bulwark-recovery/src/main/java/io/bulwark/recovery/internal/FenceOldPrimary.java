package io.bulwark.recovery.internal;

import io.bulwark.dr.ClusterStatus;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Step "fence the old primary": every database member in the failed region that still answers and
 * takes writes is made read-only ({@code ALTER SYSTEM SET default_transaction_read_only = on}, the
 * runbook's command); the step holds when no member there takes writes (down, in recovery or
 * read-only). The cluster's own fencing (a primary that loses ZooKeeper stops itself) usually got
 * there first.
 */
final class FenceOldPrimary implements StepExecutor {
  private final StepContext ctx;

  FenceOldPrimary(StepContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String execute(RunbookStep step) {
    List<String> done = new ArrayList<>();
    for (ClusterStatus.Member m : membersOfFailedRegion()) {
      Site.Writes w = Site.writes(m.port());
      if (w == Site.Writes.TAKES_WRITES) {
        Site.setReadOnly(m.port(), true);
        done.add(m.name() + " made read-only");
      } else {
        done.add(m.name() + (w == Site.Writes.UNREACHABLE ? " is down" : " refuses writes"));
      }
    }
    Polling.until(
        ctx.clock(),
        ctx.budget(step),
        "no member in " + ctx.from() + " takes writes",
        () ->
            membersOfFailedRegion().stream()
                .filter(m -> Site.writes(m.port()) == Site.Writes.TAKES_WRITES)
                .map(m -> m.name() + " still takes writes")
                .findFirst());
    return done.isEmpty()
        ? "no database member in " + ctx.from()
        : String.join(", ", done) + "; none in " + ctx.from() + " takes writes";
  }

  @Override
  public String rollBack(RunbookStep step) {
    List<String> done = new ArrayList<>();
    for (ClusterStatus.Member m : membersOfFailedRegion()) {
      if (Site.writes(m.port()) != Site.Writes.UNREACHABLE) {
        try {
          Site.setReadOnly(m.port(), false);
          done.add(m.name() + " takes writes again");
        } catch (RuntimeException e) {
          done.add(m.name() + ": " + e.getMessage());
        }
      }
    }
    return done.isEmpty() ? "no member of " + ctx.from() + " answers" : String.join(", ", done);
  }

  private List<ClusterStatus.Member> membersOfFailedRegion() {
    return ctx.site().databaseStatus().members().stream()
        .filter(m -> m.region().equals(ctx.from()))
        .toList();
  }
}
