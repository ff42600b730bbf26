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
import static io.bulwark.topology.internal.BindingReader.text;

import io.bulwark.topology.Profile;
import io.bulwark.topology.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the {@code services} section: each service's kind, instances, placement, health check,
 * rollout and dependencies, with the profile's defaults for what it leaves out.
 */
final class ServiceBinder {

  private final BindingReader reader;
  private final Profile profile;

  ServiceBinder(BindingReader reader, Profile profile) {
    this.reader = reader;
    this.profile = profile;
  }

  /** The services section; each one's path is {@code services[i]}. */
  List<Service> services(YamlNode node) {
    List<Service> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<YamlNode> items = items(node);
    for (int i = 0; i < items.size(); i++) {
      String path = "services[" + i + "]";
      YamlNode.MapNode m = map(items.get(i));
      if (m == null) {
        continue;
      }
      String name = text(get(m, "name"), path);
      if (!reader.unique(seen, name, path, "service")) {
        continue;
      }
      Service.Kind kind =
          switch (text(get(m, "kind"), "app")) {
            case "cache" -> Service.Kind.CACHE;
            case "queue" -> Service.Kind.QUEUE;
            case "external" -> Service.Kind.EXTERNAL;
            default -> Service.Kind.APP;
          };
      Service.Builder sb = Service.builder(name, profile).kind(kind);
      sb.stateful(bool(get(m, "stateful"), false));
      pct(get(m, "availability")).ifPresent(sb::availability);
      sb.instances(instances(m, kind, path));
      sb.placement(placement(map(get(m, "placement"))));
      sb.healthCheck(healthCheck(map(get(m, "health-check")), path + ".health-check"));
      Service.Rollout dr = Service.Rollout.defaults(profile);
      sb.rollout(
          new Service.Rollout(
              dur(get(m, "grace-period"), dr.gracePeriod()),
              dur(get(m, "warm-up"), dr.warmUp()),
              dur(get(m, "deregistration-delay"), dr.deregistrationDelay()),
              (int)
                  integer(
                      get(map(get(m, "rolling")), "min-healthy-percent"),
                      dr.minHealthyPercent(),
                      0,
                      100)));
      for (YamlNode dep : items(get(m, "depends-on"))) {
        YamlNode.MapNode dm = map(dep);
        if (dm == null || !(get(dm, "service") instanceof YamlNode.Scalar)) {
          continue;
        }
        sb.dependsOn(
            new Service.Dependency(
                text(get(dm, "service"), ""),
                "async".equals(text(get(dm, "call"), "sync")),
                bool(get(dm, "circuit-breaker"), false),
                bool(get(dm, "fallback"), false),
                Optional.ofNullable(text(get(dm, "address"), null))));
      }
      out.add(sb.build());
    }
    return out;
  }

  private Service.Instances instances(YamlNode.MapNode service, Service.Kind kind, String path) {
    YamlNode.MapNode m = map(get(service, "instances"));
    if (kind == Service.Kind.EXTERNAL) {
      if (get(service, "instances") != null) {
        reader.error(
            path + ".instances",
            "an external service has no instances here, got "
                + get(service, "instances").describe());
      }
      return Service.Instances.NONE;
    }
    if (m == null) {
      if (get(service, "instances") == null) {
        reader.error(path + ".instances", "required unless kind is external, got nothing");
      }
      return Service.Instances.of(1, 1, 1);
    }
    long min = integer(get(m, "min"), 1, 0, MAX_COUNT);
    long max = integer(get(m, "max"), Math.max(1, min), 1, MAX_COUNT);
    long desired = integer(get(m, "desired"), Math.min(max, Math.max(1, min)), 0, MAX_COUNT);
    if (desired < 1) {
      reader.error(path + ".instances.desired", "must be >= 1 for a service Bulwark runs, got 0");
      desired = 1;
    }
    long fMin = min;
    long fMax = max;
    long fDesired = desired;
    return reader.attempt(
        path + ".instances",
        () -> Service.Instances.of((int) fMin, (int) fMax, (int) fDesired),
        () -> {
          int lo = (int) Math.max(0, Math.min(fMin, fMax));
          int hi = (int) Math.max(Math.max(1, fMin), fMax);
          return Service.Instances.of(
              lo, hi, (int) Math.min(hi, Math.max(Math.max(1, lo), fDesired)));
        });
  }

  private Service.Placement placement(YamlNode.MapNode m) {
    Map<String, Integer> perRegion = new LinkedHashMap<>();
    YamlNode.MapNode pr = map(get(m, "per-region"));
    if (pr != null) {
      pr.entries()
          .values()
          .forEach(e -> perRegion.put(e.key(), (int) integer(e.value(), 0, 0, MAX_COUNT)));
    }
    perRegion.replaceAll((k, v) -> Math.max(0, v));
    return new Service.Placement(names(get(m, "regions")), names(get(m, "zones")), perRegion);
  }

  private Service.HealthCheck healthCheck(YamlNode.MapNode m, String path) {
    Service.HealthCheck d = Service.HealthCheck.defaults(profile);
    String p =
        text(get(m, "path"), d.path()).startsWith("/") ? text(get(m, "path"), d.path()) : d.path();
    Duration interval = dur(get(m, "interval"), d.interval());
    Duration timeout = dur(get(m, "timeout"), d.timeout());
    int healthy = (int) integer(get(m, "healthy-threshold"), d.healthyThreshold(), 1, 100);
    int unhealthy = (int) integer(get(m, "unhealthy-threshold"), d.unhealthyThreshold(), 1, 100);
    String matcher = text(get(m, "matcher"), d.matcher());
    Optional<String> liveness = Optional.ofNullable(text(get(m, "liveness-path"), null));
    return reader.attempt(
        path,
        () -> new Service.HealthCheck(p, interval, timeout, healthy, unhealthy, matcher, liveness),
        () -> d);
  }
}
