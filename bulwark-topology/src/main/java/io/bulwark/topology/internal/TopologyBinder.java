package io.bulwark.topology.internal;

import static io.bulwark.topology.internal.BindingReader.MAX_COUNT;
import static io.bulwark.topology.internal.BindingReader.bool;
import static io.bulwark.topology.internal.BindingReader.dur;
import static io.bulwark.topology.internal.BindingReader.get;
import static io.bulwark.topology.internal.BindingReader.integer;
import static io.bulwark.topology.internal.BindingReader.items;
import static io.bulwark.topology.internal.BindingReader.map;
import static io.bulwark.topology.internal.BindingReader.names;
import static io.bulwark.topology.internal.BindingReader.pct;
import static io.bulwark.topology.internal.BindingReader.size;
import static io.bulwark.topology.internal.BindingReader.text;

import io.bulwark.topology.AvailabilityFigures;
import io.bulwark.topology.Contacts;
import io.bulwark.topology.Database;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Profile;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a shape-checked {@link YamlNode} tree into a {@link Topology}, filling in the profile's
 * defaults. It is lenient: a value the shape check already rejected is replaced by its default so
 * that the reference checks still run and every error is reported in one pass. Rules that records
 * enforce (min <= max, weights adding up) are reported with the line of the offending block.
 *
 * <p>This class binds the document and its small sections (availability, regions, database, DR,
 * contacts); {@link ServiceBinder} and {@link TrafficBinder} bind the two large ones, and {@link
 * BindingReader} owns the lenient reading and the error reports they share.
 */
final class TopologyBinder {

  private final BindingReader reader;

  private TopologyBinder(BindingReader reader) {
    this.reader = reader;
  }

  /**
   * The result of binding.
   *
   * @param topology empty when not even regions and services could be read
   * @param origins file path of each named element, keyed {@code "service:web"}, {@code
   *     "region:us-east-1"}, {@code "replica:dr-1"}, {@code "pool:aws"}
   */
  record Bound(Optional<Topology> topology, Map<String, String> origins) {}

  /** Binds {@code root}. */
  static Bound bind(String file, YamlNode root, Locator locator, List<TopologyError> errors) {
    BindingReader reader = new BindingReader(file, errors, locator);
    Optional<Topology> topology = new TopologyBinder(reader).bind(root);
    return new Bound(topology, Map.copyOf(reader.origins()));
  }

  private Optional<Topology> bind(YamlNode root) {
    if (!(root instanceof YamlNode.MapNode m)) {
      return Optional.empty();
    }
    Profile profile =
        "local".equals(text(get(m, "profile"), "cloud")) ? Profile.LOCAL : Profile.CLOUD;
    Topology.Builder b = Topology.builder(text(get(m, "name"), "unnamed")).profile(profile);
    b.availability(availability(map(get(m, "availability"))));
    List<Region> regions = regions(get(m, "regions"));
    regions.forEach(b::region);
    Map<String, Region> byName = new HashMap<>();
    regions.forEach(r -> byName.put(r.name(), r));
    List<Service> services = new ServiceBinder(reader, profile).services(get(m, "services"));
    services.forEach(b::service);
    database(map(get(m, "database")), byName).ifPresent(b::database);
    new TrafficBinder(reader, profile)
        .traffic(map(get(m, "traffic")), services)
        .ifPresent(b::traffic);
    dr(map(get(m, "dr"))).ifPresent(b::dr);
    b.contacts(contacts(map(get(m, "contacts"))));
    if (regions.isEmpty() || services.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(b.build());
  }

  private AvailabilityFigures availability(YamlNode.MapNode m) {
    AvailabilityFigures d = AvailabilityFigures.defaults();
    return new AvailabilityFigures(
        pct(get(m, "instance")).orElse(d.instance()),
        pct(get(m, "zone")).orElse(d.zone()),
        pct(get(m, "region")).orElse(d.region()),
        pct(get(m, "database-node")).orElse(d.databaseNode()),
        pct(get(m, "gateway")).orElse(d.gateway()),
        pct(get(m, "external")).orElse(d.external()));
  }

  private List<Region> regions(YamlNode node) {
    List<Region> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(node);
    for (int i = 0; i < items.size(); i++) {
      String path = "regions[" + i + "]";
      YamlNode.MapNode m = map(items.get(i));
      if (m == null) {
        continue;
      }
      String name = text(get(m, "name"), path);
      if (!reader.unique(seen, name, path, "region")) {
        continue;
      }
      boolean primaryTaken = out.stream().anyMatch(r -> r.role() == Region.Role.PRIMARY);
      Region.Role role =
          switch (text(get(m, "role"), "")) {
            case "primary" -> Region.Role.PRIMARY;
            case "standby" -> Region.Role.STANDBY;
            case "active" -> Region.Role.ACTIVE;
            // already reported; guess the role that adds no second error
            default -> primaryTaken ? Region.Role.STANDBY : Region.Role.PRIMARY;
          };
      List<String> zones = names(get(m, "zones"));
      List<String> distinct = zones.stream().distinct().toList();
      if (distinct.size() != zones.size()) {
        reader.error(path + ".zones", "zone names must be unique, got " + zones);
      }
      if (distinct.isEmpty()) {
        distinct = List.of(name + "-zone");
      }
      YamlNode.MapNode net = map(get(m, "network"));
      Region.Network d = Region.Network.defaults();
      Region.Network network =
          new Region.Network(
              (int) integer(get(net, "internet-gateways"), d.internetGateways(), 0, MAX_COUNT),
              (int) integer(get(net, "nat-gateways"), d.natGateways(), 0, MAX_COUNT),
              (int) integer(get(net, "vpn-tunnels"), d.vpnTunnels(), 0, MAX_COUNT),
              bool(get(net, "dedicated-link"), d.dedicatedLink()));
      out.add(
          new Region(
              name,
              role,
              text(get(m, "provider"), ""),
              distinct,
              pct(get(m, "availability")),
              network));
    }
    return out;
  }

  private Optional<Database> database(YamlNode.MapNode m, Map<String, Region> regions) {
    if (m == null) {
      return Optional.empty();
    }
    YamlNode.MapNode pm = map(get(m, "primary"));
    Database.Location primary = location(pm, regions);
    List<Database.Replica> replicas = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(get(m, "replicas"));
    for (int i = 0; i < items.size(); i++) {
      YamlNode.MapNode rm = map(items.get(i));
      if (rm == null) {
        continue;
      }
      String path = "database.replicas[" + i + "]";
      String name = text(get(rm, "name"), path);
      if (!reader.unique(seen, name, path, "replica")) {
        continue;
      }
      replicas.add(
          new Database.Replica(
              name, location(rm, regions), "sync".equals(text(get(rm, "mode"), "async"))));
    }
    Optional<Database.Backups> backups = Optional.empty();
    YamlNode.MapNode bm = map(get(m, "backups"));
    if (bm != null) {
      backups =
          Optional.of(
              new Database.Backups(
                  bool(get(bm, "enabled"), true),
                  dur(get(bm, "retention"), Duration.ofDays(7)),
                  text(get(bm, "window"), "03:00-04:00"),
                  bool(get(bm, "pitr"), true),
                  Optional.ofNullable(text(get(bm, "copy-to-region"), null))));
    }
    Database.Failover failover = Database.Failover.defaults();
    YamlNode.MapNode fm = map(get(m, "failover"));
    if (fm != null) {
      failover =
          new Database.Failover(
              bool(get(fm, "strict-sync"), failover.strictSync()),
              bool(get(fm, "allow-async"), failover.allowAsync()),
              size(get(fm, "max-lag"), failover.maxLagBytes()));
    }
    return Optional.of(
        new Database(
            text(get(m, "name"), "database"),
            pct(get(m, "availability")),
            primary,
            replicas,
            backups,
            failover));
  }

  private Database.Location location(YamlNode.MapNode m, Map<String, Region> regions) {
    String region = text(get(m, "region"), "");
    String firstZone =
        Optional.ofNullable(regions.get(region)).map(r -> r.zones().get(0)).orElse("");
    return new Database.Location(
        region, text(get(m, "zone"), firstZone), text(get(m, "host"), Database.Location.LOOPBACK));
  }

  private Optional<DisasterRecovery> dr(YamlNode.MapNode m) {
    if (m == null) {
      return Optional.empty();
    }
    DrStrategy strategy;
    try {
      strategy = DrStrategy.fromWord(text(get(m, "strategy"), ""));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(
        new DisasterRecovery(
            strategy,
            dur(get(m, "rpo"), strategy.rpo()),
            dur(get(m, "rto"), strategy.rto()),
            Optional.ofNullable(text(get(m, "region"), null))));
  }

  private Contacts contacts(YamlNode.MapNode m) {
    Map<String, String> vendors = new LinkedHashMap<>();
    YamlNode.MapNode vm = map(get(m, "vendor-support"));
    if (vm != null) {
      vm.entries().values().forEach(e -> vendors.put(e.key(), text(e.value(), "")));
    }
    return new Contacts(
        Optional.ofNullable(text(get(m, "primary"), null)),
        Optional.ofNullable(text(get(m, "escalation"), null)),
        vendors);
  }
}
