package io.bulwark.traffic.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address block such as {@code 10.0.0.0/8}. */
public final class CidrBlock {
  private final byte[] network;
  private final int prefixLength;

  private CidrBlock(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /** Parses {@code a.b.c.d/n} or {@code x:y::z/n}; throws naming the problem. */
  public static CidrBlock parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("cidr rule: \"" + cidr + "\" has no /prefix-length");
    }
    String address = cidr.substring(0, slash);
    if (!address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("cidr rule: \"" + address + "\" is not an IP address");
    }
    byte[] bytes;
    try {
      // Only literals reach here (checked above), so no DNS lookup happens.
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cidr rule: \"" + address + "\" is not an IP address", e);
    }
    int length;
    try {
      length = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cidr rule: bad prefix length in \"" + cidr + "\"", e);
    }
    if (length < 0 || length > bytes.length * 8) {
      throw new IllegalArgumentException(
          "cidr rule: prefix length must be between 0 and "
              + bytes.length * 8
              + " but was "
              + length);
    }
    return new CidrBlock(bytes, length);
  }

  /** Whether {@code address} lies in this block; IPv4 and IPv6 never match each other. */
  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (candidate[full] & mask) == (network[full] & mask);
  }
}
