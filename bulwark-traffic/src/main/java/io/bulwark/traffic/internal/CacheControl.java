package io.bulwark.traffic.internal;

import java.util.Locale;

/**
 * The directives of a {@code Cache-Control} header (RFC 9111 5.2) that a shared cache acts on.
 * Unknown directives are ignored, as the RFC asks; a malformed number reads as absent.
 */
record CacheControl(
    boolean noStore,
    boolean noCache,
    boolean isPrivate,
    boolean isPublic,
    boolean mustRevalidate,
    long maxAge,
    long sMaxAge) {

  /** No directive at all. */
  static final CacheControl NONE = new CacheControl(false, false, false, false, false, -1, -1);

  /** Parses {@code value} (null reads as no header). */
  static CacheControl parse(String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    boolean noStore = false;
    boolean noCache = false;
    boolean isPrivate = false;
    boolean isPublic = false;
    boolean mustRevalidate = false;
    long maxAge = -1;
    long sMaxAge = -1;
    for (String part : value.split(",")) {
      String directive = part.trim().toLowerCase(Locale.ROOT);
      int eq = directive.indexOf('=');
      String name = eq < 0 ? directive : directive.substring(0, eq).trim();
      String argument = eq < 0 ? "" : unquote(directive.substring(eq + 1).trim());
      switch (name) {
        case "no-store" -> noStore = true;
        // no-cache="field" only limits which fields may be reused; treating it as plain
        // no-cache revalidates more often than needed, never less.
        case "no-cache" -> noCache = true;
        case "private" -> isPrivate = true;
        case "public" -> isPublic = true;
        case "must-revalidate", "proxy-revalidate" -> mustRevalidate = true;
        case "max-age" -> maxAge = seconds(argument);
        case "s-maxage" -> sMaxAge = seconds(argument);
        default -> {}
      }
    }
    return new CacheControl(noStore, noCache, isPrivate, isPublic, mustRevalidate, maxAge, sMaxAge);
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }

  private static long seconds(String argument) {
    if (argument.isEmpty() || argument.length() > 18) {
      return argument.length() > 18 && argument.chars().allMatch(Character::isDigit)
          ? Long.MAX_VALUE / 2
          : -1;
    }
    for (int i = 0; i < argument.length(); i++) {
      if (!Character.isDigit(argument.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(argument);
  }
}
