package io.bulwark.topology.analysis;

import io.bulwark.topology.Database;
import io.bulwark.topology.Region;
import io.bulwark.topology.Service;
import io.bulwark.topology.Topology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds every single point of failure in a topology, layer by layer, as the seed lists them. */
final class SpofFinder {

  private SpofFinder() {}

  /** Every SPOF of {@code t}, ordered by layer (network, compute, data, application). */
  static List<Spof> find(Topology t) {
    List<Spof> out = new ArrayList<>();
    network(t, out);
    compute(t, out);
    data(t, out);
    application(t, out);
    return out;
  }

  private static void network(Topology t, List<Spof> out) {
    List<Region> serving = t.servingRegions();
    int gateways = serving.stream().mapToInt(r -> r.network().internetGateways()).sum();
    if (gateways == 1) {
      Region r =
          serving.stream()
              .filter(x -> x.network().internetGateways() == 1)
              .findFirst()
              .orElseThrow();
      out.add(
          new Spof(
              Layer.NETWORK,
              "single internet gateway",
              "region " + r.name(),
              "all traffic enters through one internet gateway / load balancer node",
              "run a gateway node in each AZ (multi-AZ load balancer), or a second serving region"));
    }
    for (Region r : t.regions()) {
      if (r.network().natGateways() == 1 && hasInstances(t, r)) {
        out.add(
            new Spof(
                Layer.NETWORK,
                "single NAT gateway",
                "region " + r.name(),
                "every instance's outbound traffic goes through one NAT gateway",
                "place a NAT gateway in each AZ ("
                    + zonesInUse(t, r).size()
                    + " zone(s) in use: "
                    + String.join(", ", zonesInUse(t, r))
                    + ")"));
      }
      if (r.network().vpnTunnels() == 1 && !r.network().dedicatedLink()) {
        out.add(
            new Spof(
                Layer.NETWORK,
                "single VPN connection",
                "region " + r.name(),
                "on-premises is reachable through one VPN tunnel",
                "add a redundant VPN connection (second tunnel, BGP failover)"));
      }
      if (r.network().dedicatedLink() && r.network().vpnTunnels() == 0) {
        out.add(
            new Spof(
                Layer.NETWORK,
                "single VPN connection",
                "region " + r.name(),
                "on-premises is reachable through one dedicated link with no backup",
                "Direct Connect with VPN backup: add a VPN tunnel as the fallback path"));
      }
    }
  }

  private static void compute(Topology t, List<Spof> out) {
    for (Service s : t.services()) {
      if (!s.runsHere()) {
        continue;
      }
      int running = t.servingInstances(s);
      Set<String> zones = new LinkedHashSet<>();
      t.layout(s)
          .forEach(
              (region, byZone) -> {
                if (t.region(region).map(r -> r.role().serves()).orElse(false)) {
                  byZone.forEach(
                      (z, n) -> {
                        if (n > 0) {
                          zones.add(z);
                        }
                      });
                }
              });
      if (running <= 1) {
        out.add(
            new Spof(
                Layer.COMPUTE,
                "single instance",
                "service " + s.name(),
                "only "
                    + running
                    + " instance serves traffic (instances.max "
                    + s.instances().max()
                    + ")",
                "Auto Scaling group: set instances.min and desired to at least 2"));
      }
      if (zones.size() == 1) {
        out.add(
            new Spof(
                Layer.COMPUTE,
                "single-AZ placement",
                "service " + s.name(),
                "every serving instance is in zone " + zones.iterator().next(),
                "multi-AZ placement: spread instances over at least 2 zones"));
      }
      if (s.stateful()) {
        out.add(
            new Spof(
                Layer.COMPUTE,
                "stateful application",
                "service " + s.name(),
                "sessions live in the instance, so losing it loses them",
                "stateless design: keep session state in the database or a shared store"));
      }
    }
  }

  private static void data(Topology t, List<Spof> out) {
    if (t.database().isEmpty()) {
      return;
    }
    Database db = t.database().get();
    String component = "database " + db.name();
    if (db.replicas().isEmpty()) {
      out.add(
          new Spof(
              Layer.DATA,
              "single database instance",
              component,
              "the primary has no replica to fail over to",
              "Multi-AZ database: add a sync replica in another zone of " + db.primary().region()));
    } else {
      boolean sameZone = db.replicas().stream().allMatch(r -> r.location().equals(db.primary()));
      if (sameZone) {
        out.add(
            new Spof(
                Layer.DATA,
                "single-AZ storage",
                component,
                "the primary and every replica are in zone " + db.primary().zone(),
                "Multi-AZ database: move a replica to another zone"));
      }
    }
    if (!db.backedUp()) {
      out.add(
          new Spof(
              Layer.DATA,
              "no backups",
              component,
              "no automated backups: corruption or a bad delete cannot be undone",
              "automated backups with point-in-time recovery (retention 7d, window 03:00-04:00)"));
    }
  }

  private static void application(Topology t, List<Spof> out) {
    for (Service s : t.services()) {
      for (Service.Dependency d : s.dependsOn()) {
        String component = "call " + s.name() + " → " + d.service();
        Service.Kind target = t.service(d.service()).map(Service::kind).orElse(Service.Kind.APP);
        if (d.address().isPresent()) {
          out.add(
              new Spof(
                  Layer.APPLICATION,
                  "hard-coded dependency",
                  component,
                  "calls the fixed address " + d.address().get() + ", so no other copy can answer",
                  "resolve "
                      + d.service()
                      + " through a pool or service discovery, behind a circuit breaker"));
        }
        if (target == Service.Kind.EXTERNAL && !d.async() && !d.circuitBreaker()) {
          out.add(
              new Spof(
                  Layer.APPLICATION,
                  "synchronous external API call",
                  component,
                  "waits on "
                      + d.service()
                      + " with no circuit breaker, so its outage or slowness is ours",
                  "circuit breaker pattern, or asynchronous processing through a message queue"));
        }
        if (target == Service.Kind.CACHE && !d.async() && !d.fallback()) {
          out.add(
              new Spof(
                  Layer.APPLICATION,
                  "over-reliance on cache",
                  component,
                  "fails when the cache " + d.service() + " is down (no fallback)",
                  "cache fallback strategy: read through to the database when the cache is down"));
        }
      }
    }
  }

  private static boolean hasInstances(Topology t, Region r) {
    return !zonesInUse(t, r).isEmpty();
  }

  private static List<String> zonesInUse(Topology t, Region r) {
    Set<String> zones = new LinkedHashSet<>();
    for (Service s : t.services()) {
      Map<String, Integer> byZone = t.layout(s).get(r.name());
      if (byZone != null) {
        byZone.forEach(
            (z, n) -> {
              if (n > 0) {
                zones.add(z);
              }
            });
      }
    }
    return List.copyOf(zones);
  }
}
