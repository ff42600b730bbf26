package io.bulwark.kernel;

import java.util.regex.Pattern;

/**
 * The id that ties a request's logs, its response and its problem body together. A caller may send
 * its own in {@link #HEADER}; a sane one (1 to 128 letters, digits, {@code . _ : -}) is kept so an
 * id follows a request through the gateway to an instance, anything else is replaced by a new one.
 */
public final class CorrelationId {

  /** The request and response header carrying the id. */
  public static final String HEADER = "X-Request-Id";

  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private CorrelationId() {}

  /** Whether {@code offered} may be used as it is. */
  public static boolean valid(String offered) {
    return offered != null && SANE.matcher(offered).matches();
  }

  /** {@code offered} when it is {@link #valid}, otherwise a new id (a UUIDv7). */
  public static String accept(String offered) {
    return valid(offered) ? offered : Ids.newId().toString();
  }
}
