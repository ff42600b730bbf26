package io.bulwark.server;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may read {@code /metrics}: clients from one of {@code ranges} (CIDR like {@code 10.0.0.0/8}
 * or {@code ::1/128}, or a single address), or any client sending {@code Authorization: Bearer
 * <token>}. With neither configured ({@link #open()}, the default) anyone may, as before.
 *
 * @param ranges address ranges whose clients may scrape without a token
 * @param token the bearer token that lets any client scrape; empty for none
 */
public record MetricsAccess(List<String> ranges, Optional<String> token) {

  /** An IPv4 or IPv6 literal (never a name, so parsing it asks no DNS), optionally /prefix. */
  private static final Pattern RANGE =
      Pattern.compile("([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)(/[0-9]{1,3})?");

  /** Checks every range and the token's length. */
  public MetricsAccess {
    ranges = List.copyOf(ranges);
    for (String range : ranges) {
      parse(range);
    }
    if (token.isPresent() && token.get().length() < 16) {
      throw new IllegalArgumentException(
          "metrics token must be at least 16 characters but was " + token.get().length());
    }
  }

  /** Anyone may scrape. */
  public static MetricsAccess open() {
    return new MetricsAccess(List.of(), Optional.empty());
  }

  /** Whether anything restricts access. */
  public boolean restricted() {
    return !ranges.isEmpty() || token.isPresent();
  }

  /**
   * Whether a client at {@code client} that sent {@code authorization} (may be null) may scrape.
   */
  public boolean allows(InetAddress client, String authorization) {
    if (!restricted()) {
      return true;
    }
    if (token.isPresent() && authorization != null && authorization.startsWith("Bearer ")) {
      byte[] sent = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
      if (MessageDigest.isEqual(sent, token.get().getBytes(StandardCharsets.UTF_8))) {
        return true;
      }
    }
    for (String range : ranges) {
      if (parse(range).contains(client)) {
        return true;
      }
    }
    return false;
  }

  private record Cidr(byte[] network, int bits) {
    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      BigInteger mask =
          BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE).shiftRight(bits).not();
      return new BigInteger(1, a).and(mask).equals(new BigInteger(1, network).and(mask));
    }
  }

  private static Cidr parse(String range) {
    if (range == null || !RANGE.matcher(range).matches()) {
      throw new IllegalArgumentException(
          "metrics range must be an IP address or CIDR like 10.0.0.0/8 but was \"" + range + "\"");
    }
    int slash = range.indexOf('/');
    String address = slash < 0 ? range : range.substring(0, slash);
    byte[] network;
    try {
      network = InetAddress.getByName(address).getAddress(); // a literal: no DNS lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "metrics range must be an IP address or CIDR but was \"" + range + "\"", e);
    }
    int max = network.length * 8;
    int bits = slash < 0 ? max : Integer.parseInt(range.substring(slash + 1));
    if (bits > max) {
      throw new IllegalArgumentException(
          "metrics range prefix must be <= " + max + " but was " + bits + " in \"" + range + "\"");
    }
    return new Cidr(network, bits);
  }
}
