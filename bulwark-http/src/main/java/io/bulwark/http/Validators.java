package io.bulwark.http;

import io.bulwark.kernel.Json;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * JSON answers a shared cache may keep and revalidate (RFC 9110 8.8.3, RFC 9111): a strong {@code
 * ETag} from the body's SHA-256, {@code 304 Not Modified} when the client's {@code If-None-Match}
 * names it, and {@code Cache-Control} letting a shared cache (the gateway's edge cache) keep the
 * answer for {@code sharedMaxAge} while browsers revalidate every time. The answer varies by {@code
 * Authorization}, so a cache only ever hands a caller what that caller's own credentials fetched.
 */
public final class Validators {

  private Validators() {}

  /** Answers {@code value} as JSON with its validator, or 304 when the client already has it. */
  public static void json(Context ctx, Object value, Duration sharedMaxAge) {
    Objects.requireNonNull(sharedMaxAge, "sharedMaxAge");
    byte[] body = Json.write(value).getBytes(StandardCharsets.UTF_8);
    String etag = etag(body);
    ctx.header("ETag", etag);
    ctx.header(
        "Cache-Control",
        "public, max-age=0, s-maxage=" + sharedMaxAge.toSeconds() + ", must-revalidate");
    ctx.header("Vary", "Authorization");
    if (matches(ctx.header("If-None-Match"), etag)) {
      ctx.status(304);
      return;
    }
    ctx.contentType("application/json").result(body);
  }

  /** The strong entity tag of {@code body}. */
  static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\""
          + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 22)
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** Whether an {@code If-None-Match} list names {@code etag} (weak comparison, or {@code *}). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.strip();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }
}
