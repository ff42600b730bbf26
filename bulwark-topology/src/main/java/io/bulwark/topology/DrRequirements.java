package io.bulwark.topology;

import io.bulwark.topology.DrStrategy.Gap;
import java.util.ArrayList;
import java.util.List;

/** What a topology lacks to deliver a DR strategy: the rules behind {@link DrStrategy#gaps}. */
final class DrRequirements {

  private DrRequirements() {}

  /** Every gap between {@code topology} and {@code strategy}; empty when it can deliver it. */
  static List<Gap> gaps(Topology topology, DrStrategy strategy) {
    List<Gap> gaps = new ArrayList<>();
    String s = strategy.word();
    Region home = topology.homeRegion();
    switch (strategy) {
      case BACKUP_RESTORE -> topology.database().ifPresent(db -> backupGaps(topology, db, s, gaps));
      case PILOT_LIGHT, WARM_STANDBY -> {
        var dr = topology.drRegion().filter(r -> !r.name().equals(home.name()));
        if (dr.isEmpty()) {
          gaps.add(
              new Gap(
                  s + " needs a standby region to recover into, got none",
                  "add a region with role standby (e.g. "
                      + home.name()
                      + "-dr) and set dr.region"));
          return gaps;
        }
        String region = dr.get().name();
        topology
            .database()
            .filter(
                db -> db.replicas().stream().noneMatch(r -> r.location().region().equals(region)))
            .ifPresent(
                db ->
                    gaps.add(
                        new Gap(
                            s + " needs a database replica in region " + region + ", got none",
                            "add an async replica of " + db.name() + " in " + region)));
        for (Service svc : topology.services()) {
          if (!svc.runsHere()) {
            continue;
          }
          boolean placed = topology.layout(svc).containsKey(region);
          int running = topology.running(svc, region);
          if (strategy == DrStrategy.PILOT_LIGHT && !placed) {
            gaps.add(
                new Gap(
                    s
                        + " needs service "
                        + svc.name()
                        + " prepared in region "
                        + region
                        + " (stopped instances are enough), got none",
                    "add \"" + region + ": 0\" to placement.per-region of " + svc.name()));
          } else if (strategy == DrStrategy.WARM_STANDBY && running == 0) {
            gaps.add(
                new Gap(
                    s
                        + " needs at least 1 running instance of "
                        + svc.name()
                        + " in region "
                        + region
                        + ", got 0",
                    "add \""
                        + region
                        + ": 1\" (or more) to placement.per-region of "
                        + svc.name()));
          }
        }
      }
      case ACTIVE_ACTIVE -> activeActiveGaps(topology, s, gaps);
    }
    return gaps;
  }

  private static void backupGaps(Topology t, Database db, String s, List<Gap> gaps) {
    if (!db.backedUp()) {
      gaps.add(
          new Gap(
              s + " needs automated backups of " + db.name() + ", got none",
              "add database.backups with retention 7d, window 03:00-04:00 and pitr: true"));
      return;
    }
    String home = t.homeRegion().name();
    var copy = db.backups().flatMap(Database.Backups::copyToRegion);
    if (copy.isEmpty() || copy.get().equals(home)) {
      String target =
          t.regions().stream()
              .map(Region::name)
              .filter(n -> !n.equals(home))
              .findFirst()
              .orElse("a second region (add one with role standby)");
      gaps.add(
          new Gap(
              s + " needs backups copied out of region " + home + ", got none",
              "set database.backups.copy-to-region to " + target));
    }
  }

  private static void activeActiveGaps(Topology t, String s, List<Gap> gaps) {
    List<Region> serving = t.servingRegions();
    if (serving.size() < 2) {
      gaps.add(
          new Gap(
              s
                  + " needs at least 2 regions with role primary or active, got "
                  + serving.size()
                  + " ("
                  + String.join(", ", serving.stream().map(Region::name).toList())
                  + ")",
              "set role: active on a second region, or add one"));
      return;
    }
    for (Service svc : t.services()) {
      if (!svc.runsHere()) {
        continue;
      }
      for (Region r : serving) {
        if (t.running(svc, r.name()) == 0) {
          gaps.add(
              new Gap(
                  s
                      + " needs service "
                      + svc.name()
                      + " running in every active region, got none in "
                      + r.name(),
                  "place instances of " + svc.name() + " in " + r.name()));
        }
      }
    }
    t.database()
        .ifPresent(
            db -> {
              for (Region r : serving) {
                boolean covered =
                    r.name().equals(db.primary().region())
                        || db.replicas().stream()
                            .anyMatch(x -> x.location().region().equals(r.name()));
                if (!covered) {
                  gaps.add(
                      new Gap(
                          s + " needs a database replica in region " + r.name() + ", got none",
                          "add a replica of " + db.name() + " in " + r.name()));
                }
              }
            });
    if (t.traffic().isEmpty()) {
      gaps.add(
          new Gap(
              s + " needs traffic pools spreading load over the active regions, got none",
              "add a traffic section with a pool per active region"));
    } else {
      for (Region r : serving) {
        boolean pooled =
            t.traffic().get().pools().stream()
                .anyMatch(p -> p.region().equals(r.name()) && p.weight() > 0);
        if (!pooled) {
          gaps.add(
              new Gap(
                  s + " needs a traffic pool with weight in region " + r.name() + ", got none",
                  "add a pool for " + r.name() + " to traffic.pools"));
        }
      }
    }
  }
}
