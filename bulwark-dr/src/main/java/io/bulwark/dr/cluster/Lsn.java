package io.bulwark.dr.cluster;

/** WAL positions as PostgreSQL prints them ({@code 0/3000148}). */
public final class Lsn {
  private Lsn() {}

  /** {@code lsn} as {@code X/Y} in hex. */
  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase()
        + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
