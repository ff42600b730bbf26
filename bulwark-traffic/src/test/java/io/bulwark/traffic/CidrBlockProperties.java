package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.traffic.internal.CidrBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CidrBlockProperties {

  @Property
  void anIpv4BlockHoldsExactlyTheAddressesSharingItsPrefix(
      @ForAll int network, @ForAll int candidate, @ForAll @IntRange(min = 0, max = 32) int length)
      throws UnknownHostException {
    CidrBlock block = CidrBlock.parse(dotted(network) + "/" + length);
    long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
    boolean expected = ((network ^ candidate) & mask) == 0;

    assertThat(block.contains(InetAddress.getByName(dotted(candidate)))).isEqualTo(expected);
  }

  @Property(tries = 50)
  void neverMatchesAcrossAddressFamilies(@ForAll @IntRange(min = 0, max = 32) int length)
      throws UnknownHostException {
    CidrBlock block = CidrBlock.parse("0.0.0.0/" + length);

    assertThat(block.contains(InetAddress.getByName("::1"))).isFalse();
  }

  private static String dotted(int a) {
    return ((a >>> 24) & 0xFF)
        + "."
        + ((a >>> 16) & 0xFF)
        + "."
        + ((a >>> 8) & 0xFF)
        + "."
        + (a & 0xFF);
  }
}
