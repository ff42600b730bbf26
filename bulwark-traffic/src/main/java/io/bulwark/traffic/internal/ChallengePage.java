package io.bulwark.traffic.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The HTML page a browser gets for a challenge: it solves the proof of work in plain JavaScript,
 * keeps the solution in a cookie for the challenge's lifetime and reloads.
 */
final class ChallengePage {
  private static final String TEMPLATE = load();

  private ChallengePage() {}

  static String render(Protection.Verdict.Challenged challenge, String cookie) {
    // The nonce holds only digits, '.', '-', '_' and base64url letters: safe inside the script.
    return TEMPLATE
        .replace("{{NONCE}}", challenge.nonce())
        .replace("{{DIFFICULTY}}", Integer.toString(challenge.difficulty()))
        .replace("{{COOKIE}}", cookie)
        .replace("{{TTL}}", Long.toString(challenge.ttlSeconds()));
  }

  private static String load() {
    try (InputStream in = ChallengePage.class.getResourceAsStream("challenge.html")) {
      if (in == null) {
        throw new IllegalStateException("challenge.html is missing from the gateway's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read challenge.html", e);
    }
  }
}
