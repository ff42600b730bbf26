package io.bulwark.kernel;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argument checks for configuration records and builders, with the message style every Bulwark
 * module uses: the field, the rule and the value ({@code pollInterval must be > 0 but was PT0S},
 * {@code max must be >= min (3) but was 2}). Each returns the value it accepted, so a builder can
 * check and assign in one line; each throws {@link IllegalArgumentException} otherwise. The name is
 * what the user wrote or set ({@code healthCheck.interval}, {@code pool eu: weight}).
 *
 * <p>Topology files report their own problems with file, line and path ({@code bulwark.yaml:14:
 * dr.rpo: expected a duration like 5m, got "five"}); these checks are for values set in code or
 * options.
 */
public final class Check {

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");

  /**
   * A server's address: an IPv4 address ({@code 10.0.0.5}) or a host name whose last label starts
   * with a letter ({@code db-2.example.com}, {@code localhost}); so {@code 300.1.1.1} is refused
   * rather than looked up as a name. Plain enough to go unquoted into a libpq conninfo and a JDBC
   * URL.
   */
  public static final String HOST_PATTERN =
      "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
          + "|^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";

  private static final Pattern HOST = Pattern.compile(HOST_PATTERN);

  private Check() {}

  /**
   * Returns {@code value} when it matches {@link #HOST_PATTERN}.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static String host(String name, String value) {
    if (value == null || !HOST.matcher(value).matches()) {
      throw new IllegalArgumentException(
          name
              + " must be an IPv4 address or a host name (e.g. 10.0.0.5, db-2.example.com) but was "
              + (value == null ? "null" : "\"" + value + "\""));
    }
    return value;
  }

  /**
   * Returns {@code value} when it is a comma-separated list of {@code host:port} (a host name, an
   * IPv4 address or a bracketed IPv6 address; a port in 1..65535), like Kafka's {@code
   * bootstrap.servers}.
   *
   * @throws IllegalArgumentException naming {@code name} and the first bad entry otherwise
   */
  public static String hostPorts(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name + " must be host:port (e.g. 127.0.0.1:9092) but was " + value);
    }
    for (String entry : value.split(",", -1)) {
      Matcher m = HOST_PORT.matcher(entry.strip());
      int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            name
                + " must be host:port (e.g. 127.0.0.1:9092) with a port in 1..65535, but \""
                + entry.strip()
                + "\" is not");
      }
    }
    return value;
  }

  /**
   * Returns {@code value} when it is a positive duration.
   *
   * @throws IllegalArgumentException naming {@code name} when it is null, zero or negative
   */
  public static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is zero or a positive duration.
   *
   * @throws IllegalArgumentException naming {@code name} when it is null or negative
   */
  public static Duration notNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at least {@code min}; the message writes {@code min} as files
   * do ({@code lease must be >= 100ms but was PT0.05S}).
   *
   * @throws IllegalArgumentException naming {@code name} when it is null or shorter
   */
  public static Duration atLeast(String name, Duration value, Duration min) {
    if (value == null || value.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          name + " must be >= " + Durations.format(min) + " but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at least the value of another field ({@code max must be >=
   * initial (PT2S) but was PT1S}).
   *
   * @throws IllegalArgumentException naming both fields when it is null or shorter
   */
  public static Duration atLeast(String name, Duration value, String minName, Duration min) {
    if (value == null || value.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          name + " must be >= " + minName + " (" + min + ") but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at most the value of another field ({@code timeout must be <=
   * interval (PT1S) but was PT2S}).
   *
   * @throws IllegalArgumentException naming both fields when it is null or longer
   */
  public static Duration atMost(String name, Duration value, String maxName, Duration max) {
    if (value == null || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be <= " + maxName + " (" + max + ") but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at least 1.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise ({@code workers must be >= 1 but
   *     was 0})
   */
  public static int positive(String name, int value) {
    return atLeast(name, value, 1);
  }

  /**
   * Returns {@code value} when it is 0 or more.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static int notNegative(String name, int value) {
    return atLeast(name, value, 0);
  }

  /**
   * Returns {@code value} when it is 0 or more.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static long notNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at least {@code min}.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + " but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it is at least the value of another field ({@code max must be >= min
   * (3) but was 2}).
   *
   * @throws IllegalArgumentException naming both fields otherwise
   */
  public static int atLeast(String name, int value, String minName, int min) {
    if (value < min) {
      throw new IllegalArgumentException(
          name + " must be >= " + minName + " (" + min + ") but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it lies within {@code min..max}.
   *
   * @throws IllegalArgumentException naming {@code name} otherwise
   */
  public static int within(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in " + min + ".." + max + " but was " + value);
    }
    return value;
  }

  /**
   * Returns {@code value} when it has a character other than white space.
   *
   * @throws IllegalArgumentException naming {@code name} when it is null, empty or blank
   */
  public static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  /**
   * Returns {@code value} when the whole of it matches {@code pattern}; {@code rule} says what that
   * means to a person ({@code name must be 1-80 of A-Z a-z 0-9 _ . - but was "a b"}).
   *
   * @throws IllegalArgumentException naming {@code name}, the rule and the value otherwise
   */
  public static String matches(String name, String value, Pattern pattern, String rule) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(
          name + " must be " + rule + " but was " + (value == null ? null : "\"" + value + "\""));
    }
    return value;
  }
}
