package io.bulwark.recovery.internal;

import io.bulwark.dr.ClusterStatus;
import io.bulwark.topology.runbook.RunbookStep;
import java.util.Optional;

/**
 * Step "verify the DR site": three requests in a row for the monitor's path through the gateway
 * answer 2xx, from the DR region when the answer names its region ({@code X-Region}), and, when the
 * database runs, its primary is in the DR region and commits a write.
 */
final class VerifySite implements StepExecutor {
  private static final int IN_A_ROW = 3;
  private final StepContext ctx;

  VerifySite(StepContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String execute(RunbookStep step) {
    String path = ctx.monitorPath();
    String[] found = {""};
    Polling.until(
        ctx.clock(),
        ctx.budget(step),
        "the DR site in " + ctx.to() + " serves",
        () -> {
          for (int i = 0; i < IN_A_ROW; i++) {
            Site.Answer a = ctx.site().throughGateway(path);
            if (a.status() / 100 != 2) {
              return Optional.of("GET " + path + " through the gateway answered " + a.status());
            }
            if (a.region().isPresent() && !a.region().get().equals(ctx.to())) {
              return Optional.of("GET " + path + " was answered from " + a.region().get());
            }
            found[0] =
                "GET "
                    + path
                    + " answered "
                    + a.status()
                    + a.region().map(r -> " from " + r).orElse("");
          }
          if (ctx.site().database().isPresent()) {
            ClusterStatus s = ctx.site().databaseStatus();
            Optional<ClusterStatus.Member> leader = s.leader().flatMap(s::member);
            if (leader.isEmpty() || !leader.get().region().equals(ctx.to())) {
              return Optional.of(
                  "the database primary is "
                      + leader.map(m -> m.name() + " in " + m.region()).orElse("nobody"));
            }
            if (!Site.commitsAWrite(leader.get().port())) {
              return Optional.of(
                  "the database primary " + leader.get().name() + " refuses a write");
            }
            found[0] += "; database primary " + leader.get().name() + " commits writes";
          }
          return Optional.empty();
        });
    return found[0];
  }

  @Override
  public String rollBack(RunbookStep step) {
    return "nothing to undo: verification changes nothing";
  }
}
