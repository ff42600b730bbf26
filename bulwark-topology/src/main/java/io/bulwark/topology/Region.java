package io.bulwark.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A region and its zones.
 *
 * @param name region name, e.g. {@code us-east-1}
 * @param role what the region does in normal operation
 * @param provider cloud or site, e.g. {@code aws}; empty when not given
 * @param zones availability zones, at least one, names unique
 * @param availability known availability of the region's shared infrastructure, in percent
 * @param network the region's network components
 */
public record Region(
    String name,
    Role role,
    String provider,
    List<String> zones,
    OptionalDouble availability,
    Network network) {

  public Region {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(network, "network");
    zones = List.copyOf(zones);
    if (zones.isEmpty()) {
      throw new IllegalArgumentException("a region needs at least one zone, got none");
    }
    if (new HashSet<>(zones).size() != zones.size()) {
      throw new IllegalArgumentException("zone names must be unique, got " + zones);
    }
    Percentages.check("availability", availability);
  }

  /** A region with default network and no availability figure. */
  public static Region of(String name, Role role, List<String> zones) {
    return new Region(name, role, "", zones, OptionalDouble.empty(), Network.defaults());
  }

  /** What a region does in normal operation. */
  public enum Role {
    /** Holds the database primary and serves traffic. */
    PRIMARY,
    /** Waits to take over in a disaster; may run a scaled-down copy. */
    STANDBY,
    /** Serves traffic alongside the primary (active/active). */
    ACTIVE;

    /** Whether the region serves traffic in normal operation. */
    public boolean serves() {
      return this != STANDBY;
    }
  }

  /**
   * Network components of a region.
   *
   * @param internetGateways ingress points (internet gateway or load balancer nodes); default 2
   * @param natGateways NAT gateways for egress; 0 when none is needed (default)
   * @param vpnTunnels site-to-site VPN tunnels to on-premises (default 0)
   * @param dedicatedLink whether a dedicated line (Direct Connect) reaches on-premises
   */
  public record Network(
      int internetGateways, int natGateways, int vpnTunnels, boolean dedicatedLink) {

    public Network {
      requireCount("internetGateways", internetGateways);
      requireCount("natGateways", natGateways);
      requireCount("vpnTunnels", vpnTunnels);
    }

    /** Two ingress points, no NAT, no VPN. */
    public static Network defaults() {
      return new Network(2, 0, 0, false);
    }

    private static void requireCount(String field, int value) {
      if (value < 0) {
        throw new IllegalArgumentException(field + " must be >= 0, got " + value);
      }
    }
  }
}
