package io.bulwark.topology;

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
