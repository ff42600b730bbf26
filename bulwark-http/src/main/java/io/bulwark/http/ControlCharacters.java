package io.bulwark.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The one check of every request's text before any handler sees it: no NUL or other control
 * character in the path, a query parameter or a string (value or member name) of a JSON body, no
 * unpaired surrogate, and a body that is valid UTF-8 (else it would reach the handler with U+FFFD
 * in place of the bad bytes). PostgreSQL cannot store a NUL in text, and no field of the API has a
 * use for the others; JSON strings may still hold tab, line feed and carriage return (a state
 * machine definition sent as a string has line breaks). A refusal is a {@link BadRequest} naming
 * the field: {@code $.username}, query parameter {@code status}, or {@code path}.
 *
 * <p>Register it once, ahead of every route: {@code app.before(ControlCharacters::check)}.
 */
public final class ControlCharacters {

  private ControlCharacters() {}

  /**
   * Refuses the request in {@code ctx} if its path, query or JSON body holds a character the API
   * does not accept.
   *
   * @throws BadRequest naming the field and the character
   */
  public static void check(Context ctx) {
    String bad = invalidUtf8(percentDecoded(ctx.req().getRequestURI()));
    if (bad != null) {
      throw new BadRequest("path", "the path is not valid UTF-8: " + bad);
    }
    String query = ctx.queryString();
    if (query != null && (bad = invalidUtf8(percentDecoded(query))) != null) {
      throw new BadRequest("query", "the query string is not valid UTF-8: " + bad);
    }
    bad = find(ctx.path(), false);
    if (bad != null) {
      throw new BadRequest("path", "the path must not contain " + bad);
    }
    for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
      if ((bad = find(parameter.getKey(), false)) != null) {
        throw new BadRequest("query", "a query parameter name must not contain " + bad);
      }
      for (String value : parameter.getValue()) {
        if ((bad = find(value, false)) != null) {
          throw new BadRequest(
              parameter.getKey(),
              "query parameter " + parameter.getKey() + " must not contain " + bad);
        }
      }
    }
    byte[] bytes = ctx.bodyAsBytes();
    String invalid = invalidUtf8(bytes);
    if (invalid != null) {
      throw new BadRequest(null, "the request body is not valid UTF-8: " + invalid);
    }
    String body = ctx.body();
    // Raw control characters are not valid inside JSON strings (the JSON reader refuses them), so
    // only an escape can smuggle one in: bodies without "\\u" need no closer look.
    if (body.indexOf("\\u") < 0) {
      return;
    }
    JsonNode json;
    try {
      json = Json.mapper().readTree(body);
    } catch (Exception notJson) {
      return; // the handler refuses it as malformed, with a line and column
    }
    walk(json, "$");
  }

  /** The bytes {@code raw} stands for, its {@code %XX} escapes decoded (anything else as is). */
  static byte[] percentDecoded(String raw) {
    if (raw == null) {
      return new byte[0];
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (c == '%' && lo >= 0) {
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  /** Where {@code bytes} stop being UTF-8, or null when they are (ASCII needs no decoding). */
  static String invalidUtf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return null;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = decoder.decode(in, CharBuffer.allocate(bytes.length), true);
    if (result.isError()) {
      return String.format("byte 0x%02X at offset %d", bytes[in.position()] & 0xff, in.position());
    }
    return null;
  }

  private static void walk(JsonNode node, String path) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      String bad = find(node.textValue(), true);
      if (bad != null) {
        throw new BadRequest(path, path + " must not contain " + bad);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "[" + i + "]");
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> member : node.properties()) {
        String name = member.getKey();
        String bad = find(name, true);
        if (bad != null) {
          throw new BadRequest(path, "a member name in " + path + " must not contain " + bad);
        }
        walk(member.getValue(), path + "." + name);
      }
    }
  }

  /**
   * The first character of {@code s} the API does not accept, described like {@code U+0000 at index
   * 5}; null if there is none. {@code lineBreaks} allows tab, line feed and carriage return.
   */
  static String find(String s, boolean lineBreaks) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || c == 0x7f;
      if (control && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
        return String.format("control character U+%04X (at index %d)", (int) c, i);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return String.format("an unpaired surrogate U+%04X (at index %d)", (int) c, i);
      }
    }
    return null;
  }
}
