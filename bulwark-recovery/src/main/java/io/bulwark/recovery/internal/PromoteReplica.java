package io.bulwark.recovery.internal;

import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.states.StatesError;
import io.bulwark.topology.Database;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.Optional;

/**
 * Step "promote the DR replica": a forced failover of the database cluster to the replica in the DR
 * region ({@link DatabaseCluster#failover}), unless it is the primary already; holds when that
 * member is the cluster's leader and commits a write.
 */
final class PromoteReplica implements StepExecutor {
  private final StepContext ctx;

  PromoteReplica(StepContext ctx) {
    this.ctx = ctx;
  }

  /** The replica the runbook promotes: the topology's first replica in the DR region. */
  static Optional<String> replica(StepContext ctx) {
    return ctx.topology().database().stream()
        .flatMap(db -> db.replicas().stream())
        .filter(r -> r.location().region().equals(ctx.to()))
        .map(Database.Replica::name)
        .findFirst();
  }

  @Override
  public String execute(RunbookStep step) {
    String name =
        replica(ctx)
            .orElseThrow(
                () ->
                    new StatesError(
                        RunbookAsl.STEP_FAILED,
                        "the topology has no database replica in " + ctx.to()));
    DatabaseCluster cluster =
        ctx.site()
            .database()
            .orElseThrow(
                () -> new RecoveryException.NotPossible("the topology's database does not run"));
    String how;
    if (isLeader(name) && Site.writes(port(name)) == Site.Writes.TAKES_WRITES) {
      how = name + " was already the primary";
    } else {
      try {
        cluster.failover(Optional.of(name));
      } catch (RuntimeException e) {
        throw new StatesError(
            RunbookAsl.STEP_FAILED, "failover to " + name + " failed: " + e.getMessage(), e);
      }
      how = "failed over to " + name;
    }
    Polling.until(
        ctx.clock(),
        ctx.budget(step),
        name + " is the primary and commits a write",
        () -> {
          if (!isLeader(name)) {
            return Optional.of(
                "the leader is " + ctx.site().databaseStatus().leader().orElse("nobody"));
          }
          return Site.commitsAWrite(port(name))
              ? Optional.empty()
              : Optional.of(name + " does not commit a write yet");
        });
    ClusterStatus.Member m = member(name);
    return how
        + "; "
        + name
        + " in "
        + m.region()
        + " takes writes"
        + (m.timeline().isPresent() ? " on timeline " + m.timeline().getAsInt() : "");
  }

  @Override
  public String rollBack(RunbookStep step) {
    return "not undone automatically (a promotion cannot be reversed): " + step.rollback();
  }

  private boolean isLeader(String name) {
    return ctx.site().databaseStatus().leader().map(name::equals).orElse(false);
  }

  private int port(String name) {
    return member(name).port();
  }

  private ClusterStatus.Member member(String name) {
    return ctx.site()
        .databaseStatus()
        .member(name)
        .orElseThrow(
            () ->
                new StatesError(
                    RunbookAsl.STEP_FAILED, "the database cluster has no member " + name));
  }
}
