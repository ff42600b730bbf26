package io.bulwark.eventstore.internal;

/**
 * Checks strings before they reach PostgreSQL {@code text} columns, which refuse NUL and would
 * store an unpaired surrogate as {@code ?}: bad input is an {@link IllegalArgumentException} naming
 * the field, never a database error or a silently altered value.
 */
public final class Text {

  private Text() {}

  /** {@code value} is non-blank, at most {@code max} characters, and storable. */
  public static String name(String field, String value, int max) {
    if (value == null || value.isBlank() || value.length() > max || !storable(value)) {
      throw new IllegalArgumentException(
          field
              + " must be 1.."
              + max
              + " non-blank characters without control characters but was "
              + quoted(value));
    }
    return value;
  }

  /** {@code value} is null, or at most {@code max} storable characters. */
  public static String optional(String field, String value, int max) {
    if (value != null && (value.length() > max || !storable(value))) {
      throw new IllegalArgumentException(
          field
              + " must be at most "
              + max
              + " characters without control characters but was "
              + quoted(value));
    }
    return value;
  }

  /** {@code value} has no NUL character and no unpaired surrogate. */
  public static String storable(String field, String value) {
    if (!storable(value, false)) {
      throw new IllegalArgumentException(
          field + " must not contain NUL characters or unpaired surrogates");
    }
    return value;
  }

  private static boolean storable(String value) {
    return storable(value, true);
  }

  private static boolean storable(String value, boolean noControl) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch == 0 || (noControl && Character.isISOControl(ch))) {
        return false;
      }
      if (Character.isHighSurrogate(ch)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(ch)) {
        return false;
      }
    }
    return true;
  }

  private static String quoted(String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    StringBuilder out = new StringBuilder("\"");
    shown
        .codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp) || Character.isSurrogate((char) cp)) {
                out.append(String.format("\\u%04x", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.append('"').toString();
  }
}
