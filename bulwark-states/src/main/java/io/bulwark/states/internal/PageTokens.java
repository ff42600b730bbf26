package io.bulwark.states.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.OptionalInt;

/**
 * Opaque page tokens ({@code nextToken}): the offset of a page's first item and a hash of what is
 * paged (the query's key), so a token fits only the query whose earlier page returned it. Both APIs
 * use them: the AWS one's {@code GetExecutionHistory} and lists, and the HTTP API's history.
 */
public final class PageTokens {

  private PageTokens() {}

  /** The token of the page that starts at {@code offset} of the items {@code key} names. */
  public static String token(int offset, String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((offset + ":" + key.hashCode()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Where the page of {@code token} starts: 0 for no token, empty when the token is not one that
   * {@link #token} made for {@code key}.
   */
  public static OptionalInt offset(String token, String key) {
    if (token == null) {
      return OptionalInt.of(0);
    }
    try {
      String[] p =
          new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 2);
      int offset = Integer.parseInt(p[0]);
      if (offset >= 0 && p.length == 2 && p[1].equals(Integer.toString(key.hashCode()))) {
        return OptionalInt.of(offset);
      }
    } catch (IllegalArgumentException e) {
      // not a token of ours: falls through
    }
    return OptionalInt.empty();
  }
}
