package io.bulwark.topology.analysis;

import io.bulwark.kernel.Durations;
import io.bulwark.topology.AvailabilityFigures;
import io.bulwark.topology.Database;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Availability of a whole topology as a reliability block diagram: the parts a request needs are in
 * series (availabilities multiply), redundant copies in parallel (1 − Π(1 − a)).
 *
 * <p>The series is: the serving regions' shared infrastructure (counted once, in parallel over
 * primary/active regions), the ingress gateways, every service on the synchronous path from the
 * entry services (async calls and calls with a fallback do not stop a request), and the database. A
 * service or the database is available when any zone holding its copies is: {@code A = 1 −
 * Π_zones(1 − a_zone·(1 − (1 − a_node)^n))}. Standby regions add no availability here; they limit
 * the damage of a region loss, which the DR fit measures.
 *
 * <p>Redundancy is not instant: two failover factors charge the time it takes to move to a copy.
 * {@code F_<database>}: every outage of the primary (its server or its zone) costs the failover
 * time {@code T} out of the outage's assumed length ({@link #DATABASE_OUTAGE}), {@code 1 − (1 −
 * a_zone·a_node)·T/MTTR}; {@code T} is detection + fence + promote when a standby sits in the
 * primary's region (Bulwark's election automates that), and the DR runbook's detection, fence,
 * promote, traffic switch and verify when the only copies are in other regions (done by hand until
 * Bulwark runs runbooks). {@code F_regions}, with several serving regions: each region's outage
 * costs its traffic share for detection + traffic switch out of {@link #REGION_OUTAGE}. Promoting
 * an asynchronous replica also loses the writes it had not received (its lag: the RPO).
 *
 * @param availability the composite, 0..1
 * @param formula the series, e.g. {@code A = A_regions × A_ingress × A_web × A_db}
 * @param terms each factor with its expression and value
 */
public record CompositeAvailability(double availability, String formula, List<Term> terms) {

  public CompositeAvailability {
    terms = List.copyOf(terms);
  }

  /**
   * One factor of the series.
   *
   * @param name e.g. {@code A_web}
   * @param what what it stands for
   * @param expression how it is computed, with the figures used
   * @param availability its value, 0..1
   */
  public record Term(String name, String what, String expression, double availability) {}

  /** Assumed length of an outage of a database server or zone (its mean time to repair). */
  public static final Duration DATABASE_OUTAGE = Duration.ofHours(1);

  /** Assumed length of an outage of a region's (or provider's) shared infrastructure. */
  public static final Duration REGION_OUTAGE = Duration.ofHours(4);

  /** Downtime per year at this availability, in minutes (365.25-day year). */
  public double downtimeMinutesPerYear() {
    return (1 - availability) * DowntimeBudget.SEED_YEAR_DAYS * 24 * 60;
  }

  /** Computes the composite availability of {@code t}. */
  public static CompositeAvailability of(Topology t) {
    AvailabilityFigures f = t.availability();
    List<Term> terms = new ArrayList<>();

    List<Region> serving = t.servingRegions();
    double regionUnavailable = 1;
    List<String> regionParts = new ArrayList<>();
    for (Region r : serving) {
      double a = fraction(r.availability().orElse(f.region()));
      regionUnavailable *= 1 - a;
      regionParts.add("(1 − " + num(a) + ")");
    }
    terms.add(
        new Term(
            "A_regions",
            "shared infrastructure of " + names(serving),
            "1 − " + String.join("·", regionParts),
            1 - regionUnavailable));

    if (serving.size() > 1) {
      terms.add(regionFailover(t, serving));
    }

    int gateways = serving.stream().mapToInt(r -> r.network().internetGateways()).sum();
    if (gateways > 0) {
      double g = fraction(f.gateway());
      terms.add(
          new Term(
              "A_ingress",
              gateways + " internet gateway(s) / load balancer node(s)",
              "1 − (1 − " + num(g) + ")^" + gateways,
              1 - Math.pow(1 - g, gateways)));
    }

    for (Service s : criticalPath(t)) {
      if (!s.runsHere()) {
        double a = fraction(s.availability().orElse(f.external()));
        terms.add(new Term("A_" + s.name(), "external service", num(a), a));
        continue;
      }
      double node = fraction(s.availability().orElse(f.instance()));
      Map<String, Integer> perZone = new LinkedHashMap<>();
      t.layout(s)
          .forEach(
              (region, zones) -> {
                if (t.region(region).map(r -> r.role().serves()).orElse(false)) {
                  zones.forEach(
                      (z, n) -> {
                        if (n > 0) {
                          perZone.put(region + "/" + z, n);
                        }
                      });
                }
              });
      terms.add(group("A_" + s.name(), s.name() + " instances", t, perZone, node));
    }

    t.database()
        .ifPresent(
            db -> {
              double node = fraction(db.availability().orElse(f.databaseNode()));
              Map<String, Integer> perZone = new LinkedHashMap<>();
              List<Database.Location> copies = new ArrayList<>();
              copies.add(db.primary());
              db.replicas().forEach(r -> copies.add(r.location()));
              for (Database.Location at : copies) {
                if (t.region(at.region()).map(r -> r.role().serves()).orElse(false)) {
                  perZone.merge(at.region() + "/" + at.zone(), 1, Integer::sum);
                }
              }
              terms.add(group("A_" + db.name(), "database primary and replicas", t, perZone, node));
              if (!db.replicas().isEmpty()) {
                terms.add(databaseFailover(t, db, node));
              }
            });

    double composite = 1;
    for (Term term : terms) {
      composite *= term.availability();
    }
    String formula = "A = " + String.join(" × ", terms.stream().map(Term::name).toList());
    return new CompositeAvailability(composite, formula, terms);
  }

  /**
   * Services a request needs: the entry services (those traffic pools send to, else those nobody
   * depends on) and, transitively, what they call synchronously without a fallback.
   */
  static List<Service> criticalPath(Topology t) {
    Set<String> entries = new LinkedHashSet<>();
    t.traffic().ifPresent(tr -> tr.pools().forEach(p -> entries.add(p.service())));
    if (entries.isEmpty()) {
      Set<String> called = new LinkedHashSet<>();
      t.services().forEach(s -> s.dependsOn().forEach(d -> called.add(d.service())));
      t.services().stream()
          .map(Service::name)
          .filter(n -> !called.contains(n))
          .forEach(entries::add);
    }
    Set<String> seen = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(entries);
    while (!todo.isEmpty()) {
      String n = todo.remove(0);
      if (!seen.add(n)) {
        continue;
      }
      t.service(n)
          .ifPresent(
              s ->
                  s.dependsOn().stream()
                      .filter(Service.Dependency::critical)
                      .forEach(d -> todo.add(d.service())));
    }
    return t.services().stream().filter(s -> seen.contains(s.name())).toList();
  }

  /** {@code F_regions}: each serving region's outage costs its share for detection + switch. */
  private static Term regionFailover(Topology t, List<Region> serving) {
    Duration take = t.detectionTime().plus(t.profile().trafficSwitchTime());
    Map<String, Integer> weights = new LinkedHashMap<>();
    serving.forEach(r -> weights.put(r.name(), 0));
    t.traffic()
        .ifPresent(
            tr ->
                tr.pools()
                    .forEach(
                        p -> {
                          if (weights.containsKey(p.region())) {
                            weights.merge(p.region(), p.weight(), Integer::sum);
                          }
                        }));
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    double lost = 0;
    List<String> parts = new ArrayList<>();
    for (Region r : serving) {
      double share = total == 0 ? 1.0 / serving.size() : (double) weights.get(r.name()) / total;
      double a = fraction(r.availability().orElse(t.availability().region()));
      lost += share * (1 - a);
      parts.add(num(share) + "·(1 − " + num(a) + ")");
    }
    double ratio = ratio(take, REGION_OUTAGE);
    return new Term(
        "F_regions",
        "moving a failed region's traffic share to the others: detection + switch = "
            + Durations.human(take)
            + " per region outage, outages assumed to last "
            + Durations.human(REGION_OUTAGE),
        "1 − (" + String.join(" + ", parts) + ")·" + num(ratio),
        1 - lost * ratio);
  }

  /** {@code F_<database>}: each outage of the primary costs the time to fail over to a copy. */
  private static Term databaseFailover(Topology t, Database db, double node) {
    var p = t.profile();
    boolean automatic =
        db.replicas().stream().anyMatch(r -> r.location().region().equals(db.primary().region()));
    Duration take = t.detectionTime().plus(p.fenceTime()).plus(p.promoteTime());
    if (!automatic) {
      take = take.plus(p.trafficSwitchTime()).plus(p.verifyTime());
    }
    double zone = fraction(t.availability().zone());
    double ratio = ratio(take, DATABASE_OUTAGE);
    boolean async = db.replicas().stream().anyMatch(r -> !r.synchronous());
    return new Term(
        "F_" + db.name(),
        (automatic
                ? "automatic failover to a standby in the primary's region: detection + fence +"
                    + " promote = "
                : "failover to a replica in another region by hand (the DR runbook's detection,"
                    + " fence, promote, traffic switch, verify) = ")
            + Durations.human(take)
            + " per outage of the primary, outages assumed to last "
            + Durations.human(DATABASE_OUTAGE)
            + (async
                ? "; promoting an asynchronous replica also loses the writes it had not received"
                    + " (its lag, the RPO)"
                : ""),
        "1 − (1 − " + num(zone) + "·" + num(node) + ")·" + num(ratio),
        1 - (1 - zone * node) * ratio);
  }

  /** {@code part / whole}, at most 1: a failover slower than the outage waits for the repair. */
  private static double ratio(Duration part, Duration whole) {
    return Math.min(1.0, (double) part.toMillis() / whole.toMillis());
  }

  private static Term group(
      String name, String what, Topology t, Map<String, Integer> perZone, double node) {
    if (perZone.isEmpty()) {
      return new Term(name, what + " (none in a serving region)", "0", 0);
    }
    Map<String, Integer> factors = new LinkedHashMap<>();
    double unavailable = 1;
    for (Map.Entry<String, Integer> e : perZone.entrySet()) {
      double zone = fraction(t.availability().zone());
      int n = e.getValue();
      double up = zone * (1 - Math.pow(1 - node, n));
      unavailable *= 1 - up;
      factors.merge(
          "(1 − " + num(zone) + "·(1 − " + num(1 - node) + "^" + n + "))", 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    factors.forEach((factor, count) -> parts.add(count == 1 ? factor : factor + "^" + count));
    int zones = perZone.size();
    int copies = perZone.values().stream().mapToInt(Integer::intValue).sum();
    return new Term(
        name,
        what + ": " + copies + " over " + zones + (zones == 1 ? " zone" : " zones"),
        "1 − " + String.join("·", parts),
        1 - unavailable);
  }

  private static String names(List<Region> regions) {
    return String.join(", ", regions.stream().map(Region::name).toList());
  }

  static double fraction(double percent) {
    return percent / 100;
  }

  /** A figure as written in formulas: up to 6 significant digits, no trailing zeros. */
  static String num(double v) {
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e") || s.contains("E")) {
      return s;
    }
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  /** A 0..1 availability as a percentage with enough digits to tell nines apart. */
  public static String percent(double availability) {
    if (availability >= 1) {
      return "100%";
    }
    int decimals = Math.max(2, Math.min(12, (int) Math.ceil(-Math.log10(1 - availability)) + 1));
    String s = String.format(Locale.ROOT, "%." + decimals + "f", availability * 100);
    return s.replaceAll("0+$", "").replaceAll("\\.$", "") + "%";
  }
}
