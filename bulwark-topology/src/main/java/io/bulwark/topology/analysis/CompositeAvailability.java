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
import java.util.Optional;
import java.util.Set;

/**
 * Availability of a whole topology as a reliability block diagram: the parts a request needs are in
 * series (availabilities multiply), redundant copies in parallel (1 − Π(1 − a)).
 *
 * <p>The series is: the ingress gateways, every service on the synchronous path from the entry
 * services (async calls and calls with a fallback do not stop a request), and the database. A
 * service or the database is available when any zone holding its copies is: {@code 1 − Π_zones(1 −
 * a_zone·(1 − (1 − a_node)^n))}. Standby regions add no availability here; they limit the damage of
 * a region loss, which the DR fit measures.
 *
 * <p>A region is a shared failure domain above its zones: its outage takes down every zone in it,
 * and with them every copy of every service there at once. So the zones' terms are computed given
 * which serving regions are up, and the composite sums over those region states {@code S}: {@code A
 * = Σ_S P(S)·A_ingress(S)·A_web(S)·… × F…}, with {@code P(S) = Π_{r∈S} a_r·Π_{r∉S}(1 − a_r)}. With
 * one serving region this is the plain series {@code A_regions × A_ingress × A_web × …}, where
 * {@code A_regions = a_r}. The region figure is an assumption: {@code regions[].availability}, else
 * {@code availability.region} (99.99 % by default).
 *
 * <p>Redundancy is not instant: two failover factors charge the time it takes to move to a copy.
 * {@code F_<database>}: every outage of the primary (its server or its zone) costs the failover
 * time {@code T} out of the outage's assumed length ({@link #DATABASE_OUTAGE}), {@code 1 − (1 −
 * a_zone·a_node)·T/MTTR}; {@code T} is detection + fence + promote when a standby sits in the
 * primary's region (Bulwark's election automates that), and the DR runbook's detection, fence,
 * promote, traffic switch and verify when the only copies are in other regions (done by hand until
 * Bulwark runs runbooks). {@code F_regions}, with several serving regions: each region's outage
 * costs its traffic share for detection + traffic switch out of {@link #REGION_OUTAGE}; the outage
 * of the region holding the database primary costs all traffic detection + fence + promote +
 * switch, since writes everywhere wait for a replica elsewhere to be promoted by hand. Promoting an
 * asynchronous replica also loses the writes it had not received (its lag: the RPO).
 *
 * @param availability the composite, 0..1
 * @param formula how the terms combine, e.g. {@code A = A_regions × A_ingress × A_web × A_db}
 * @param terms each factor with its expression and value; with several serving regions the terms
 *     that depend on the regions are shown with every serving region up
 * @param regionStates each state of the serving regions the sum runs over, most likely first
 * @param assumptions the figures the model rests on and where each comes from
 */
public record CompositeAvailability(
    double availability,
    String formula,
    List<Term> terms,
    List<RegionState> regionStates,
    List<Assumption> assumptions) {

  public CompositeAvailability {
    terms = List.copyOf(terms);
    regionStates = List.copyOf(regionStates);
    assumptions = List.copyOf(assumptions);
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

  /**
   * One state of the serving regions: which are up, how likely that is, and the availability of the
   * zones' terms in it.
   *
   * @param up the serving regions up in this state (the others are down)
   * @param probability {@code P(S)}, 0..1
   * @param availability the product of the terms that depend on the regions, given {@code S}
   */
  public record RegionState(List<String> up, double probability, double availability) {
    public RegionState {
      up = List.copyOf(up);
    }
  }

  /**
   * A figure the model assumes.
   *
   * @param name e.g. {@code region us-east-1}
   * @param value e.g. {@code 99.99%} or {@code 4h}
   * @param source where it comes from and how to change it
   */
  public record Assumption(String name, String value, String source) {}

  /** Assumed length of an outage of a database server or zone (its mean time to repair). */
  public static final Duration DATABASE_OUTAGE = Duration.ofHours(1);

  /** Assumed length of an outage of a region's (or provider's) shared infrastructure. */
  public static final Duration REGION_OUTAGE = Duration.ofHours(4);

  /**
   * Most serving regions down at once that the sum over region states enumerates; rarer states
   * (four or more regions down together) count as unavailable, which only lowers the figure.
   */
  static final int MAX_REGIONS_DOWN = 3;

  /** Downtime per year at this availability, in minutes (365.25-day year). */
  public double downtimeMinutesPerYear() {
    return (1 - availability) * DowntimeBudget.SEED_YEAR_DAYS * 24 * 60;
  }

  /** Computes the composite availability of {@code t}. */
  public static CompositeAvailability of(Topology t) {
    AvailabilityFigures f = t.availability();
    List<Region> serving = t.servingRegions();
    Map<String, Double> regionUp = new LinkedHashMap<>();
    serving.forEach(r -> regionUp.put(r.name(), fraction(r.availability().orElse(f.region()))));

    // blocks whose copies live in zones of serving regions: they depend on which regions are up
    List<Block> blocks = new ArrayList<>();
    Map<String, Integer> gateways = new LinkedHashMap<>();
    serving.forEach(r -> gateways.put(r.name(), r.network().internetGateways()));
    if (gateways.values().stream().mapToInt(Integer::intValue).sum() > 0) {
      blocks.add(Block.ingress(gateways, fraction(f.gateway())));
    }
    // terms that do not depend on the regions: external services and the failover factors
    List<Term> independent = new ArrayList<>();
    for (Service s : criticalPath(t)) {
      if (!s.runsHere()) {
        double a = fraction(s.availability().orElse(f.external()));
        independent.add(new Term("A_" + s.name(), "external service", num(a), a));
        continue;
      }
      double node = fraction(s.availability().orElse(f.instance()));
      Map<String, Map<String, Integer>> perZone = new LinkedHashMap<>();
      t.layout(s)
          .forEach(
              (region, zones) -> {
                if (regionUp.containsKey(region)) {
                  zones.forEach(
                      (z, n) -> {
                        if (n > 0) {
                          perZone.computeIfAbsent(region, k -> new LinkedHashMap<>()).put(z, n);
                        }
                      });
                }
              });
      blocks.add(
          new Block(
              "A_" + s.name(), s.name() + " instances", perZone, fraction(f.zone()), node, false));
    }
    t.database()
        .ifPresent(
            db -> {
              double node = fraction(db.availability().orElse(f.databaseNode()));
              Map<String, Map<String, Integer>> perZone = new LinkedHashMap<>();
              List<Database.Location> copies = new ArrayList<>();
              copies.add(db.primary());
              db.replicas().forEach(r -> copies.add(r.location()));
              for (Database.Location at : copies) {
                if (regionUp.containsKey(at.region())) {
                  perZone
                      .computeIfAbsent(at.region(), k -> new LinkedHashMap<>())
                      .merge(at.zone(), 1, Integer::sum);
                }
              }
              blocks.add(
                  new Block(
                      "A_" + db.name(),
                      "database primary and replicas",
                      perZone,
                      fraction(f.zone()),
                      node,
                      false));
              if (!db.replicas().isEmpty()) {
                independent.add(databaseFailover(t, db, node));
              }
            });
    if (serving.size() > 1) {
      independent.add(0, regionFailover(t, serving, t.database()));
    }

    List<RegionState> states = regionStates(regionUp, blocks);
    double zonesAndRegions = 0;
    for (RegionState s : states) {
      zonesAndRegions += s.probability() * s.availability();
    }
    double composite = zonesAndRegions;
    for (Term term : independent) {
      composite *= term.availability();
    }

    List<Term> terms = new ArrayList<>();
    Set<String> all = regionUp.keySet();
    List<String> regional = blocks.stream().map(Block::name).toList();
    List<String> others = independent.stream().map(Term::name).toList();
    String formula;
    if (serving.size() <= 1) {
      double a = serving.isEmpty() ? 0 : regionUp.get(serving.get(0).name());
      terms.add(
          new Term(
              "A_regions",
              serving.isEmpty()
                  ? "no serving region"
                  : "region "
                      + serving.get(0).name()
                      + ": a shared failure domain, its outage takes down all of its zones;"
                      + " the terms below count the zones given it is up",
              num(a),
              a));
      formula = "A = " + String.join(" × ", concat(List.of("A_regions"), regional, others));
    } else {
      formula =
          "A = Σ_S P(S)·"
              + String.join("·", regional.stream().map(n -> n + "(S)").toList())
              + (others.isEmpty() ? "" : " × " + String.join(" × ", others))
              + ", S = the serving regions up, P(S) = Π_{r∈S} a_r·Π_{r∉S}(1 − a_r)";
    }
    blocks.forEach(b -> terms.add(b.term(all, serving.size() > 1)));
    terms.addAll(independent);
    return new CompositeAvailability(composite, formula, terms, states, assumptions(t, serving));
  }

  /**
   * Every state of the serving regions with at least one up and at most {@link #MAX_REGIONS_DOWN}
   * down, most regions up first.
   */
  private static List<RegionState> regionStates(Map<String, Double> regionUp, List<Block> blocks) {
    List<String> names = List.copyOf(regionUp.keySet());
    int n = names.size();
    List<RegionState> states = new ArrayList<>();
    if (n == 0) {
      return states;
    }
    for (int down = 0; down <= Math.min(n - 1, MAX_REGIONS_DOWN); down++) {
      for (int mask = 0; mask < 1 << n; mask++) {
        if (Integer.bitCount(mask) != down) {
          continue;
        }
        List<String> up = new ArrayList<>();
        double p = 1;
        for (int i = 0; i < n; i++) {
          double a = regionUp.get(names.get(i));
          if ((mask & 1 << i) == 0) {
            up.add(names.get(i));
            p *= a;
          } else {
            p *= 1 - a;
          }
        }
        Set<String> upSet = Set.copyOf(up);
        double a = 1;
        for (Block b : blocks) {
          a *= b.availability(upSet);
        }
        states.add(new RegionState(up, p, a));
      }
    }
    return states;
  }

  /** The figures {@link #of} rests on, with where each comes from. */
  private static List<Assumption> assumptions(Topology t, List<Region> serving) {
    AvailabilityFigures f = t.availability();
    List<Assumption> out = new ArrayList<>();
    for (Region r : serving) {
      out.add(
          new Assumption(
              "region " + r.name(),
              percent(fraction(r.availability().orElse(f.region()))),
              r.availability().isPresent()
                  ? "regions[].availability in the file"
                  : "availability.region; set regions[].availability to override"));
    }
    out.add(new Assumption("zone", percent(fraction(f.zone())), "availability.zone"));
    out.add(
        new Assumption(
            "instance",
            percent(fraction(f.instance())),
            "availability.instance; services[].availability overrides it per service"));
    if (t.database().isPresent()) {
      out.add(
          new Assumption(
              "database server",
              percent(fraction(t.database().get().availability().orElse(f.databaseNode()))),
              "availability.database-node; database.availability overrides it"));
    }
    out.add(
        new Assumption(
            "internet gateway / load balancer node",
            percent(fraction(f.gateway())),
            "availability.gateway"));
    out.add(
        new Assumption(
            "external service",
            percent(fraction(f.external())),
            "availability.external; services[].availability overrides it"));
    out.add(
        new Assumption(
            "database outage length (MTTR)",
            Durations.human(DATABASE_OUTAGE),
            "fixed; each outage of the primary costs the failover time"));
    out.add(
        new Assumption(
            "region outage length (MTTR)",
            Durations.human(REGION_OUTAGE),
            "fixed; each region outage costs its traffic share for detection + switch"));
    out.add(
        new Assumption(
            "detection",
            Durations.human(t.detectionTime()),
            "traffic.monitor interval × retries, else the slowest health check"));
    var p = t.profile();
    out.add(
        new Assumption(
            "fence / promote / traffic switch / verify",
            Durations.human(p.fenceTime())
                + " / "
                + Durations.human(p.promoteTime())
                + " / "
                + Durations.human(p.trafficSwitchTime())
                + " / "
                + Durations.human(p.verifyTime()),
            "profile " + p.word()));
    if (serving.size() > MAX_REGIONS_DOWN + 1) {
      out.add(
          new Assumption(
              "regions down at once",
              "at most " + MAX_REGIONS_DOWN,
              "rarer states count as unavailable, which only lowers the figure"));
    }
    return out;
  }

  /**
   * Copies of one part spread over zones of serving regions ({@code n} per zone), or ingress
   * gateways per region ({@code ingress}: the zone level does not apply).
   */
  private record Block(
      String name,
      String what,
      Map<String, Map<String, Integer>> perZone,
      double zone,
      double node,
      boolean ingress) {

    static Block ingress(Map<String, Integer> gateways, double gateway) {
      Map<String, Map<String, Integer>> per = new LinkedHashMap<>();
      gateways.forEach(
          (r, n) -> {
            if (n > 0) {
              per.put(r, Map.of("", n));
            }
          });
      return new Block(
          "A_ingress", "internet gateway(s) / load balancer node(s)", per, 1, gateway, true);
    }

    /** Given the regions in {@code up}: up when any zone of an up region holding copies is. */
    double availability(Set<String> up) {
      double unavailable = 1;
      for (Map.Entry<String, Map<String, Integer>> r : perZone.entrySet()) {
        if (!up.contains(r.getKey())) {
          continue;
        }
        for (int n : r.getValue().values()) {
          unavailable *= 1 - zone * (1 - Math.pow(1 - node, n));
        }
      }
      return 1 - unavailable;
    }

    Term term(Set<String> up, boolean severalRegions) {
      String given = severalRegions ? "; shown with every serving region up" : "";
      if (ingress) {
        int n =
            perZone.values().stream()
                .flatMap(z -> z.values().stream())
                .mapToInt(Integer::intValue)
                .sum();
        return new Term(
            name, n + " " + what + given, "1 − (1 − " + num(node) + ")^" + n, availability(up));
      }
      if (perZone.isEmpty()) {
        return new Term(name, what + " (none in a serving region)", "0", 0);
      }
      Map<String, Integer> factors = new LinkedHashMap<>();
      int zones = 0;
      int copies = 0;
      for (Map<String, Integer> inRegion : perZone.values()) {
        for (int n : inRegion.values()) {
          zones++;
          copies += n;
          factors.merge(
              "(1 − " + num(zone) + "·(1 − " + num(1 - node) + "^" + n + "))", 1, Integer::sum);
        }
      }
      List<String> parts = new ArrayList<>();
      factors.forEach((factor, count) -> parts.add(count == 1 ? factor : factor + "^" + count));
      return new Term(
          name,
          what + ": " + copies + " over " + zones + (zones == 1 ? " zone" : " zones") + given,
          "1 − " + String.join("·", parts),
          availability(up));
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> out = new ArrayList<>();
    for (List<String> l : lists) {
      out.addAll(l);
    }
    return out;
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

  /**
   * {@code F_regions}: each serving region's outage costs its share for detection + switch; the
   * outage of the database primary's region costs all traffic detection + fence + promote + switch.
   */
  private static Term regionFailover(Topology t, List<Region> serving, Optional<Database> db) {
    var p = t.profile();
    Duration take = t.detectionTime().plus(p.trafficSwitchTime());
    Duration withPromotion = take.plus(p.fenceTime()).plus(p.promoteTime());
    Optional<String> primaryRegion = db.map(d -> d.primary().region());
    Map<String, Integer> weights = new LinkedHashMap<>();
    serving.forEach(r -> weights.put(r.name(), 0));
    t.traffic()
        .ifPresent(
            tr ->
                tr.pools()
                    .forEach(
                        pool -> {
                          if (weights.containsKey(pool.region())) {
                            weights.merge(pool.region(), pool.weight(), Integer::sum);
                          }
                        }));
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    double lost = 0;
    List<String> parts = new ArrayList<>();
    for (Region r : serving) {
      boolean holdsPrimary = primaryRegion.map(r.name()::equals).orElse(false);
      double share =
          holdsPrimary
              ? 1.0
              : total == 0 ? 1.0 / serving.size() : (double) weights.get(r.name()) / total;
      double a = fraction(r.availability().orElse(t.availability().region()));
      double ratio = ratio(holdsPrimary ? withPromotion : take, REGION_OUTAGE);
      lost += share * (1 - a) * ratio;
      parts.add(num(share) + "·(1 − " + num(a) + ")·" + num(ratio));
    }
    return new Term(
        "F_regions",
        "moving a failed region's traffic share to the others: detection + switch = "
            + Durations.human(take)
            + " per region outage"
            + primaryRegion
                .filter(pr -> serving.stream().anyMatch(r -> r.name().equals(pr)))
                .map(
                    pr ->
                        "; losing "
                            + pr
                            + ", which holds the database primary, stops every region's writes"
                            + " until a replica elsewhere is promoted by hand: detection + fence +"
                            + " promote + switch = "
                            + Durations.human(withPromotion)
                            + " for all traffic")
                .orElse("")
            + "; outages assumed to last "
            + Durations.human(REGION_OUTAGE),
        "1 − (" + String.join(" + ", parts) + ")",
        1 - lost);
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
