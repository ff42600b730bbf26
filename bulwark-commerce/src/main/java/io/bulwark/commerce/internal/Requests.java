package io.bulwark.commerce.internal;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Small request-reading steps the commerce HTTP adapters share. */
public final class Requests {

  private Requests() {}

  /** The caller of {@code ctx} per its bearer token; 401 when there is none or it is bad. */
  public static Caller caller(Context ctx, AccessTokens tokens) {
    try {
      return tokens.authenticate(ctx.header("Authorization"));
    } catch (CommerceException.Unauthorized e) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"bulwark\"");
      throw e;
    }
  }

  /** The path parameter {@code name} as a UUID; 400 naming the parameter otherwise. */
  public static UUID uuidPath(Context ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      if (raw.length() != 36) {
        throw new IllegalArgumentException("wrong length");
      }
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new CommerceException.InvalidInput(
          name, name + " must be a UUID but was \"" + abbreviate(raw) + "\"", e);
    }
  }

  /** An optional integer query parameter within {@code min..max}. */
  public static int intQuery(Context ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new CommerceException.InvalidInput(
          name,
          name
              + " must be an integer in "
              + min
              + ".."
              + max
              + " but was \""
              + abbreviate(raw)
              + "\"",
          e);
    }
  }

  /** An optional ISO-8601 instant query parameter, or null. */
  public static Instant instantQuery(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw new CommerceException.InvalidInput(
          name,
          name
              + " must be an ISO-8601 instant like 2026-01-31T00:00:00Z but was \""
              + abbreviate(raw)
              + "\"",
          e);
    }
  }

  /** {@code s} cut to 40 characters with control characters replaced, for error messages. */
  public static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }
}
