package io.bulwark.recovery.cli;

import io.bulwark.kernel.Json;
import io.bulwark.recovery.DrStatus;
import io.bulwark.recovery.RecoveryException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark dr status}: the primary region's health and the DR region's readiness of a running
 * {@code bulwark up}.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Primary region health (healthy targets behind its pools at the gateway), DR region"
          + " readiness (its instances, its database replica and its lag), and the strategy and"
          + " targets of a running `bulwark up`.",
      "Exit 0 when the primary region is healthy, 1 when it is not, 2 when no topology with a dr"
          + " section runs."
    })
public final class DrStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin AttachOptions target;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DrStatus status;
    try {
      status = DrStatus.read(target.attach().running());
    } catch (RecoveryException e) {
      return Exits.of(err, e);
    }
    if (json) {
      out.println(Json.write(status.toJson()));
    } else {
      out.println(
          status.topology()
              + ": "
              + status.strategy()
              + ", RPO "
              + status.rpoSeconds()
              + " s, RTO "
              + status.rtoSeconds()
              + " s; database primary "
              + status.databaseLeader().orElse("(none)"));
      print(out, "primary", status.primary(), "healthy");
      print(out, "DR", status.dr(), "ready");
      status
          .monitoring()
          .ifPresent(
              m ->
                  out.println(
                      "monitoring: "
                          + m.path("primaryRegion").asText()
                          + " is primary since "
                          + m.path("at").asText()));
    }
    out.flush();
    return status.primaryHealthy() ? 0 : 1;
  }

  private static void print(PrintWriter out, String what, DrStatus.RegionStatus r, String flag) {
    out.println(
        what
            + " region "
            + r.region()
            + ": "
            + (r.ready() ? flag : "NOT " + flag + " (" + String.join("; ", r.problems()) + ")"));
    for (Map<String, Object> p : r.pools()) {
      out.println(
          "  pool "
              + p.get("name")
              + ": weight "
              + p.get("weight")
              + ", "
              + p.get("healthyTargets")
              + "/"
              + p.get("targets")
              + " targets healthy");
    }
    r.healthyInstances().forEach((s, n) -> out.println("  " + s + ": " + n + " healthy instances"));
    for (Map<String, Object> m : r.database()) {
      out.println(
          "  database "
              + m.get("name")
              + ": "
              + m.get("role")
              + (m.get("lagBytes") == null ? "" : ", lag " + m.get("lagBytes") + " bytes")
              + (m.get("lagSeconds") == null ? "" : " / " + m.get("lagSeconds") + " s"));
    }
  }
}
