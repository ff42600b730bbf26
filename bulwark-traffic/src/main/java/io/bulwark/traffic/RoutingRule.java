package io.bulwark.traffic;

import io.bulwark.kernel.Check;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A rule that steers a request to one pool before weighted balancing. Rules are tried in order; the
 * first that matches names the pool. When that pool has no serving target, the request falls back
 * to weighted balancing over the other pools, then to the fallback pool.
 */
public sealed interface RoutingRule {

  /** The pools this rule can name. */
  Set<String> pools();

  /**
   * Header {@code header} equal to {@code value} (exact, case-sensitive value; header name is
   * case-insensitive) routes to {@code pool}, like Istio's {@code x-preferred-cloud} match.
   */
  record Header(String header, String value, String pool) implements RoutingRule {
    public Header {
      header = headerName(header, "header rule");
      Objects.requireNonNull(value, "header rule value must not be null");
      Check.notBlank("header rule pool", pool);
    }

    @Override
    public Set<String> pools() {
      return Set.of(pool);
    }
  }

  /**
   * Geo steering: the client's region, read from header {@code header} (default {@code
   * x-client-region}), picks a pool from {@code regionPools}; regions not in the map do not match.
   */
  record Geo(String header, Map<String, String> regionPools) implements RoutingRule {
    public Geo {
      header = headerName(header, "geo rule");
      regionPools = Map.copyOf(Objects.requireNonNull(regionPools, "geo rule regionPools"));
      if (regionPools.isEmpty()) {
        throw new IllegalArgumentException("geo rule regionPools must not be empty");
      }
    }

    /** Geo steering on header {@code x-client-region}. */
    public static Geo byRegion(Map<String, String> regionPools) {
      return new Geo("x-client-region", regionPools);
    }

    @Override
    public Set<String> pools() {
      return Set.copyOf(regionPools.values());
    }
  }

  /**
   * Clients whose address (the TCP peer) lies in {@code cidr} (IPv4 or IPv6, e.g. {@code
   * 10.0.0.0/8}) route to {@code pool}.
   */
  record Cidr(String cidr, String pool) implements RoutingRule {
    private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]+/[0-9]{1,3}");

    public Cidr {
      if (cidr == null || !CIDR.matcher(cidr).matches()) {
        throw new IllegalArgumentException(
            "cidr rule: expected an address block like 10.0.0.0/8 but was \"" + cidr + "\"");
      }
      io.bulwark.traffic.internal.CidrBlock.parse(cidr);
      Check.notBlank("cidr rule pool", pool);
    }

    @Override
    public Set<String> pools() {
      return Set.of(pool);
    }
  }

  private static String headerName(String header, String what) {
    return Check.notBlank(what + " header", header).toLowerCase(Locale.ROOT);
  }
}
