package io.bulwark.traffic.internal;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Owns request ids: the {@code X-Request-Id} header the gateway keeps or sets on every request and
 * answer, and the time-ordered ids it makes for requests that arrive without one.
 */
final class RequestIds {

  static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private RequestIds() {}

  /** A UUIDv7 (time-ordered), formatted straight into ASCII bytes. */
  static AsciiString newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | (0x7L << 12) | random.nextInt(1 << 12);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    byte[] out = new byte[36];
    hex(msb >>> 32, out, 0, 8);
    out[8] = '-';
    hex(msb >>> 16, out, 9, 4);
    out[13] = '-';
    hex(msb, out, 14, 4);
    out[18] = '-';
    hex(lsb >>> 48, out, 19, 4);
    out[23] = '-';
    hex(lsb, out, 24, 12);
    return new AsciiString(out, false);
  }

  private static void hex(long value, byte[] out, int offset, int digits) {
    for (int i = offset + digits - 1; i >= offset; i--) {
      out[i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
