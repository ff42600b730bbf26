package io.bulwark.dr;

import io.bulwark.kernel.Check;
import java.util.Objects;

/**
 * One database server of the cluster: its fixed name, place, address and port.
 *
 * @param name member name, unique in the cluster (also its {@code application_name})
 * @param region region it runs in
 * @param zone zone it runs in
 * @param sync whether it is a synchronous standby candidate whenever it is a standby (commits wait
 *     for it when it streams); set it on the first primary too, so that it protects commits after a
 *     failover
 * @param host the address its server listens on, and that the other members (streaming, cloning,
 *     probing) and clients (the multi-host URLs) reach it at; {@value #LOOPBACK} by default
 * @param port the PostgreSQL port, fixed so clients' multi-host URLs stay valid
 * @param bootstrap whether this member initialises the cluster (the topology's primary)
 */
public record MemberSpec(
    String name,
    String region,
    String zone,
    boolean sync,
    String host,
    int port,
    boolean bootstrap) {

  /** The host of a member that gives none: this machine's loopback. */
  public static final String LOOPBACK = "127.0.0.1";

  public MemberSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Check.host("member " + name + ": host", host);
    if (!name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
      throw new IllegalArgumentException(
          "member name must match [a-z0-9][a-z0-9_-]{0,62} but was \"" + name + "\"");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "member " + name + ": port must be in 1..65535 but was " + port);
    }
  }

  /** A member on this machine's loopback ({@value #LOOPBACK}). */
  public MemberSpec(
      String name, String region, String zone, boolean sync, int port, boolean bootstrap) {
    this(name, region, zone, sync, LOOPBACK, port, bootstrap);
  }

  /** {@code host:port}, as a JDBC URL names it. */
  public String address() {
    return host + ":" + port;
  }
}
