package io.bulwark.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The whole system as {@code bulwark.yaml} describes it: regions and zones, services and their
 * instance groups, the database, traffic, and the DR strategy. Load one with {@link
 * TopologyFile#load}; references between parts are checked there, with file lines.
 *
 * @param name name of the system
 * @param profile default timings used for values the file left out
 * @param availability figures for components without their own
 * @param regions regions, names unique
 * @param services services, names unique
 * @param database the PostgreSQL cluster, if any
 * @param traffic traffic pools and rules, if any
 * @param dr DR strategy and targets, if any
 * @param contacts who the runbook names
 */
public record Topology(
    String name,
    Profile profile,
    AvailabilityFigures availability,
    List<Region> regions,
    List<Service> services,
    Optional<Database> database,
    Optional<Traffic> traffic,
    Optional<DisasterRecovery> dr,
    Contacts contacts) {

  public Topology {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(traffic, "traffic");
    Objects.requireNonNull(dr, "dr");
    Objects.requireNonNull(contacts, "contacts");
    regions = List.copyOf(regions);
    services = List.copyOf(services);
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one region, got none");
    }
    if (services.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one service, got none");
    }
    requireUnique("region", regions.stream().map(Region::name).toList());
    requireUnique("service", services.stream().map(Service::name).toList());
  }

  /** A builder; profile defaults to {@link Profile#CLOUD}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The region called {@code name}. */
  public Optional<Region> region(String name) {
    return regions.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** The service called {@code name}. */
  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Regions that serve traffic in normal operation (primary and active). */
  public List<Region> servingRegions() {
    return regions.stream().filter(r -> r.role().serves()).toList();
  }

  /** The region holding the database primary, else the primary region, else the first one. */
  public Region homeRegion() {
    return database
        .flatMap(db -> region(db.primary().region()))
        .or(() -> regions.stream().filter(r -> r.role() == Region.Role.PRIMARY).findFirst())
        .orElse(regions.get(0));
  }

  /**
   * How long until a failure is noticed: the traffic monitor's interval times its retries, else the
   * slowest serving service's health check, else the profile's probe interval.
   */
  public java.time.Duration detectionTime() {
    return traffic
        .map(tr -> tr.monitor().detectionTime())
        .orElseGet(
            () ->
                services.stream()
                    .filter(Service::runsHere)
                    .map(s -> s.healthCheck().detectionTime())
                    .max(java.time.Duration::compareTo)
                    .orElse(profile.healthInterval()));
  }

  /**
   * The region DR recovers into: the file's {@code dr.region}, else the only standby region, else
   * the first serving region other than the home region.
   */
  public Optional<Region> drRegion() {
    Optional<String> named = dr.flatMap(DisasterRecovery::region);
    if (named.isPresent()) {
      return region(named.get());
    }
    List<Region> standby = regions.stream().filter(r -> r.role() == Region.Role.STANDBY).toList();
    if (standby.size() == 1) {
      return Optional.of(standby.get(0));
    }
    if (standby.isEmpty()) {
      String home = homeRegion().name();
      return servingRegions().stream().filter(r -> !r.name().equals(home)).findFirst();
    }
    return Optional.empty();
  }

  /**
   * Where the instances of {@code service} run: region → zone → running instances, in file order.
   * Per-region counts apply first; the rest of {@code desired} is spread evenly over the other
   * placement regions, then over each region's zones (earlier zones take the remainder).
   */
  public Map<String, Map<String, Integer>> layout(Service service) {
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    if (!service.runsHere()) {
      return out;
    }
    Service.Placement p = service.placement();
    List<String> names =
        !p.regions().isEmpty()
            ? p.regions()
            : !p.perRegion().isEmpty()
                ? List.copyOf(p.perRegion().keySet())
                : servingRegions().stream().map(Region::name).toList();
    List<Region> placed = names.stream().flatMap(n -> region(n).stream()).distinct().toList();
    int overridden =
        p.perRegion().entrySet().stream()
            .filter(e -> region(e.getKey()).isPresent())
            .mapToInt(Map.Entry::getValue)
            .sum();
    List<Region> even = placed.stream().filter(r -> !p.perRegion().containsKey(r.name())).toList();
    int rest = Math.max(0, service.instances().desired() - overridden);
    for (Region r : placed) {
      int count;
      if (p.perRegion().containsKey(r.name())) {
        count = Math.max(0, p.perRegion().get(r.name()));
      } else {
        int k = even.indexOf(r);
        count = rest / even.size() + (k < rest % even.size() ? 1 : 0);
      }
      out.put(r.name(), spread(count, zonesFor(r, p)));
    }
    return out;
  }

  /** Running instances of {@code service} in {@code region}; 0 when it is not placed there. */
  public int running(Service service, String region) {
    Map<String, Integer> byZone = layout(service).get(region);
    return byZone == null ? 0 : byZone.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Running instances of {@code service} in regions that serve traffic. */
  public int servingInstances(Service service) {
    return layout(service).entrySet().stream()
        .filter(e -> region(e.getKey()).map(r -> r.role().serves()).orElse(false))
        .mapToInt(e -> e.getValue().values().stream().mapToInt(Integer::intValue).sum())
        .sum();
  }

  /**
   * The zones of {@code region} that {@code service} uses there: the ones its placement names, else
   * the seed's default of {@code min(len(azs), max(min_az_count, 3))} zones, the region's first
   * ones (two or three when the region has that many).
   */
  public List<String> zones(Service service, Region region) {
    return zonesFor(region, service.placement());
  }

  private static List<String> zonesFor(Region r, Service.Placement p) {
    List<String> chosen = r.zones().stream().filter(p.zones()::contains).toList();
    if (!chosen.isEmpty()) {
      return chosen;
    }
    int n = Math.min(r.zones().size(), Math.max(Service.Placement.MIN_ZONE_COUNT, 3));
    return r.zones().subList(0, n);
  }

  private static Map<String, Integer> spread(int count, List<String> zones) {
    Map<String, Integer> byZone = new LinkedHashMap<>();
    for (int k = 0; k < zones.size(); k++) {
      byZone.put(zones.get(k), count / zones.size() + (k < count % zones.size() ? 1 : 0));
    }
    return Collections.unmodifiableMap(byZone);
  }

  private static void requireUnique(String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        throw new IllegalArgumentException(what + " names must be unique, got \"" + n + "\" twice");
      }
    }
  }

  /** Builds a {@link Topology}. */
  public static final class Builder {
    private final String name;
    private Profile profile = Profile.CLOUD;
    private AvailabilityFigures availability = AvailabilityFigures.defaults();
    private final List<Region> regions = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private Database database;
    private Traffic traffic;
    private DisasterRecovery dr;
    private Contacts contacts = Contacts.none();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    public Builder profile(Profile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    public Builder availability(AvailabilityFigures availability) {
      this.availability = Objects.requireNonNull(availability, "availability");
      return this;
    }

    public Builder region(Region region) {
      regions.add(Objects.requireNonNull(region, "region"));
      return this;
    }

    public Builder service(Service service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    public Builder database(Database database) {
      this.database = database;
      return this;
    }

    public Builder traffic(Traffic traffic) {
      this.traffic = traffic;
      return this;
    }

    public Builder dr(DisasterRecovery dr) {
      this.dr = dr;
      return this;
    }

    public Builder contacts(Contacts contacts) {
      this.contacts = Objects.requireNonNull(contacts, "contacts");
      return this;
    }

    public Topology build() {
      return new Topology(
          name,
          profile,
          availability,
          regions,
          services,
          Optional.ofNullable(database),
          Optional.ofNullable(traffic),
          Optional.ofNullable(dr),
          contacts);
    }
  }
}
