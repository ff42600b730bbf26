package io.bulwark.fleet.stack;

import io.bulwark.fleet.Fleet;
import io.bulwark.fleet.GatewayRegistrar;
import io.bulwark.fleet.GroupMetrics;
import io.bulwark.fleet.GroupStatus;
import io.bulwark.fleet.HttpHealthProbe;
import io.bulwark.fleet.Instance;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.Lifecycle;
import io.bulwark.fleet.Registrar;
import io.bulwark.fleet.local.LocalProcessProvider;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.traffic.Gateway;
import io.bulwark.traffic.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * A topology running on this machine: the gateway, and one instance group per service whose
 * instances are local processes registered with the gateway pool of their region. When the monitor
 * names check regions besides the home region, a probing gateway runs for each of them (see {@link
 * StackPlan}); instances register with every gateway. {@link #close()} stops the gateways (letting
 * requests in flight finish), then every instance.
 */
public final class LocalStack implements AutoCloseable {
  private final StackPlan plan;
  private final Gateway gateway;
  private final Map<String, Gateway> regionGateways;
  private final MeterRegistry registry;
  private final LocalProcessProvider provider;
  private final Fleet fleet;
  private volatile boolean closed;

  private LocalStack(
      StackPlan plan,
      Gateway gateway,
      Map<String, Gateway> regionGateways,
      MeterRegistry registry,
      LocalProcessProvider provider,
      Fleet fleet) {
    this.plan = plan;
    this.gateway = gateway;
    this.regionGateways = regionGateways;
    this.registry = registry;
    this.provider = provider;
    this.fleet = fleet;
  }

  /** Starts {@code plan} with the built-in instance for every service and no instance logs. */
  public static LocalStack start(StackPlan plan) {
    return start(
        plan,
        LocalProcessProvider.of(ProcessCommand.instance(1), Map.of(), Optional.empty()),
        Clock.systemUTC());
  }

  /**
   * Starts the gateway, then the groups; returns at once (see {@link #awaitReady}). The stack owns
   * {@code provider} and closes it.
   */
  public static LocalStack start(StackPlan plan, LocalProcessProvider provider, Clock clock) {
    Objects.requireNonNull(plan, "plan");
    MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<String, Gateway> regionGateways = new LinkedHashMap<>();
    Gateway gateway;
    try {
      GatewayConfig.Builder main = GatewayConfig.builder(plan.gateway());
      for (var e : plan.regionGateways().entrySet()) {
        // Its own registry: its meters would otherwise mix with the main gateway's.
        Gateway probe =
            Gateway.start(
                e.getValue(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
        regionGateways.put(e.getKey(), probe);
        main.peer(URI.create("http://127.0.0.1:" + probe.adminPort()));
      }
      gateway = Gateway.start(main.build(), registry, clock);
    } catch (RuntimeException e) {
      regionGateways.values().forEach(g -> g.close(Duration.ZERO));
      provider.close();
      throw e;
    }
    List<Gateway> all = new ArrayList<>();
    all.add(gateway);
    all.addAll(regionGateways.values());
    List<InstanceGroup> groups = new ArrayList<>();
    try {
      for (StackPlan.GroupPlan g : plan.groups()) {
        Map<String, Registrar> byRegion = new HashMap<>();
        g.poolByRegion()
            .forEach(
                (region, pool) ->
                    byRegion.put(
                        region,
                        new EveryGateway(
                            all.stream()
                                .map(gw -> (Registrar) GatewayRegistrar.of(gw, pool))
                                .toList())));
        groups.add(
            InstanceGroup.create(
                g.config(), provider, new RegionRegistrar(byRegion), probe(g), clock));
      }
    } catch (RuntimeException e) {
      all.forEach(g -> g.close(Duration.ZERO));
      provider.close();
      throw e;
    }
    groups.forEach(g -> GroupMetrics.bind(g, registry));
    return new LocalStack(plan, gateway, regionGateways, registry, provider, Fleet.start(groups));
  }

  private static HttpHealthProbe probe(StackPlan.GroupPlan g) {
    HttpHealthProbe readiness = HttpHealthProbe.of(g.healthPath(), g.healthTimeout());
    return g.livenessPath().map(readiness::withLiveness).orElse(readiness);
  }

  /**
   * Waits until every group has its desired count in service.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (ready()) {
        return true;
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
    }
    return ready();
  }

  /** Whether every group has its desired count in service and healthy. */
  public boolean ready() {
    return fleet.groups().stream()
        .map(InstanceGroup::status)
        .allMatch(s -> s.in(Lifecycle.IN_SERVICE).size() >= s.desired());
  }

  /** The plan it runs. */
  public StackPlan plan() {
    return plan;
  }

  /** The gateway. */
  public Gateway gateway() {
    return gateway;
  }

  /** The probing gateways of the monitor's check regions other than the home region. */
  public Map<String, Gateway> regionGateways() {
    return Map.copyOf(regionGateways);
  }

  /** The gateway's base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    return "http://" + plan.gateway().bindHost() + ":" + gateway.port();
  }

  /** The gateway's metrics. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The instance provider. */
  public LocalProcessProvider provider() {
    return provider;
  }

  /** The groups, one per service. */
  public List<InstanceGroup> groups() {
    return fleet.groups();
  }

  /** The group of {@code service}. */
  public InstanceGroup group(String service) {
    return fleet
        .group(service)
        .orElseThrow(() -> new IllegalArgumentException("no group for service " + service));
  }

  /** A snapshot of every group. */
  public List<GroupStatus> status() {
    return fleet.groups().stream().map(InstanceGroup::status).toList();
  }

  /** Stops the gateway, then the fleet, then anything the provider still runs. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      gateway.close(Duration.ofSeconds(2));
      regionGateways.values().forEach(g -> g.close(Duration.ZERO));
    } finally {
      try {
        fleet.close();
      } finally {
        provider.close();
      }
    }
  }

  /** Registers an instance with every gateway (the main one and the probing ones). */
  private record EveryGateway(List<Registrar> registrars) implements Registrar {
    @Override
    public void register(Instance instance) {
      registrars.forEach(r -> r.register(instance));
    }

    @Override
    public CompletableFuture<Void> deregister(Instance instance) {
      // The main gateway, first in the list, decides when the instance is drained; the others
      // only probe it.
      CompletableFuture<Void> main = registrars.get(0).deregister(instance);
      registrars.stream().skip(1).forEach(r -> r.remove(instance));
      return main;
    }

    @Override
    public void remove(Instance instance) {
      registrars.forEach(r -> r.remove(instance));
    }
  }

  /** Sends each instance to the registrar of its region; other regions get no traffic. */
  private record RegionRegistrar(Map<String, Registrar> byRegion) implements Registrar {
    private Registrar of(Instance i) {
      return byRegion.getOrDefault(i.zone().region(), Registrar.none());
    }

    @Override
    public void register(Instance instance) {
      of(instance).register(instance);
    }

    @Override
    public CompletableFuture<Void> deregister(Instance instance) {
      return of(instance).deregister(instance);
    }

    @Override
    public void remove(Instance instance) {
      of(instance).remove(instance);
    }
  }
}
