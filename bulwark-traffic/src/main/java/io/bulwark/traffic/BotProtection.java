package io.bulwark.traffic;

import io.bulwark.traffic.internal.CidrBlock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Bot protection at the gateway, checked before a request is routed: rules that allow, deny or
 * challenge requests by path, user agent, header or client address, then per-client rate limits
 * (token buckets keyed by client address or API key).
 *
 * <ul>
 *   <li><b>Rules</b> are tried in order; the first whose conditions all hold decides. {@link
 *       Action#ALLOW} lets the request through with no further rule and no rate limit; {@link
 *       Action#DENY} answers 403; {@link Action#CHALLENGE} answers 403 with a proof-of-work
 *       challenge unless the client presents a solved one (a browser solves it by itself on the
 *       HTML page it gets; a script that does not run it stays out). A request no rule decides, or
 *       one with a solved challenge, goes on to the rate limits.
 *   <li><b>Rate limits</b> each keep one token bucket per client: {@code burst} tokens, refilled at
 *       {@code ratePerSecond}; a request takes one token from every limit that applies to its path,
 *       and when one has none left the answer is 429 with {@code Retry-After} (seconds until a
 *       token is back). Buckets of clients idle long enough to be full again are forgotten; at most
 *       {@code maxClients} are kept per limit, and clients beyond that share one bucket.
 * </ul>
 *
 * <p>Answers are {@code application/problem+json}; a challenge to a client that accepts {@code
 * text/html} is an HTML page that solves it. Decisions are counted on {@code
 * bulwark_gateway_protection_decisions_total{rule,action}}.
 *
 * @param rules allow, deny and challenge rules, in order
 * @param rateLimits per-client rate limits; all that apply must have a token
 * @param challengeDifficulty leading zero bits a challenge answer's SHA-256 needs (default 16,
 *     about 65,000 hashes: well under a second in a browser)
 * @param challengeTtl how long a solved challenge lets its client through (default 1 h)
 * @param maxClients buckets kept per rate limit before new clients share one (default 100,000)
 * @param secret key that signs challenges, so that several gateways accept each other's; empty (the
 *     default) draws a random one at start, and a restart then challenges clients again
 */
public record BotProtection(
    List<Rule> rules,
    List<RateLimit> rateLimits,
    int challengeDifficulty,
    Duration challengeTtl,
    int maxClients,
    Optional<String> secret) {

  public BotProtection {
    rules = List.copyOf(Objects.requireNonNull(rules, "protection.rules"));
    rateLimits = List.copyOf(Objects.requireNonNull(rateLimits, "protection.rateLimits"));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      if (!names.add(rules.get(i).name())) {
        throw new IllegalArgumentException(
            "protection.rules[" + i + "].name: \"" + rules.get(i).name() + "\" is used twice");
      }
    }
    for (int i = 0; i < rateLimits.size(); i++) {
      if (!names.add(rateLimits.get(i).name())) {
        throw new IllegalArgumentException(
            "protection.rateLimits["
                + i
                + "].name: \""
                + rateLimits.get(i).name()
                + "\" is already the name of a rule or rate limit");
      }
    }
    if (challengeDifficulty < 1 || challengeDifficulty > 32) {
      throw new IllegalArgumentException(
          "protection.challengeDifficulty must be between 1 and 32 bits but was "
              + challengeDifficulty);
    }
    if (challengeTtl == null || challengeTtl.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "protection.challengeTtl must be >= 1s but was " + challengeTtl);
    }
    if (maxClients < 1) {
      throw new IllegalArgumentException(
          "protection.maxClients must be >= 1 but was " + maxClients);
    }
    secret = Objects.requireNonNullElse(secret, Optional.empty());
    secret.ifPresent(
        s -> {
          if (s.length() < 16) {
            throw new IllegalArgumentException(
                "protection.secret must be at least 16 characters but had " + s.length());
          }
        });
  }

  /** A builder: no rules, no limits, difficulty 16, challenges valid 1 h, 100,000 clients. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding {@code existing}'s values. */
  public static Builder builder(BotProtection existing) {
    Builder b = new Builder();
    b.rules.addAll(existing.rules);
    b.rateLimits.addAll(existing.rateLimits);
    b.challengeDifficulty = existing.challengeDifficulty;
    b.challengeTtl = existing.challengeTtl;
    b.maxClients = existing.maxClients;
    b.secret = existing.secret;
    return b;
  }

  /** What a matching rule does. */
  public enum Action {
    /** Let the request through: no later rule, no rate limit. */
    ALLOW,
    /** Answer 403. */
    DENY,
    /** Answer 403 with a proof-of-work challenge unless a solved one comes with the request. */
    CHALLENGE;

    /** The lower-case word used in files and the admin API. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code word} (allow, deny, challenge). */
    public static Action of(String word) {
      for (Action a : values()) {
        if (a.word().equals(word)) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          "expected one of allow, deny, challenge but was \"" + word + "\"");
    }
  }

  /**
   * A rule: when every condition holds (no conditions: always), {@code action} decides.
   *
   * @param name unique name, used in answers, logs and metrics
   * @param action what a match does
   * @param conditions all must hold
   */
  public record Rule(String name, Action action, List<Condition> conditions) {
    public Rule {
      requireName(name, "rule");
      Objects.requireNonNull(action, "rule " + name + ": action");
      conditions = List.copyOf(Objects.requireNonNull(conditions, "rule " + name + ": conditions"));
    }

    /** A rule with the given conditions. */
    public static Rule of(String name, Action action, Condition... conditions) {
      return new Rule(name, action, List.of(conditions));
    }
  }

  /**
   * One test on a request. Regular expressions are found anywhere in the value (anchor them with
   * {@code ^…$}); add {@code (?i)} to ignore case. A header or user agent the request lacks counts
   * as the empty string, so {@code ^$} matches its absence.
   */
  public sealed interface Condition {

    /** The request path (without the query string) starts with {@code prefix}. */
    record PathPrefix(String prefix) implements Condition {
      public PathPrefix {
        if (prefix == null || !prefix.startsWith("/")) {
          throw new IllegalArgumentException(
              "path condition: a prefix must start with '/' but was " + prefix);
        }
      }
    }

    /** The {@code User-Agent} header matches {@code regex}. */
    record UserAgent(String regex) implements Condition {
      public UserAgent {
        compile("userAgent", regex);
      }
    }

    /** Header {@code name} (any case) matches {@code regex}. */
    record Header(String name, String regex) implements Condition {
      public Header {
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException("header condition: name must not be blank");
        }
        name = name.toLowerCase(Locale.ROOT);
        compile("header " + name, regex);
      }
    }

    /** The client's address (the TCP peer) lies in {@code cidr}, e.g. {@code 203.0.113.0/24}. */
    record ClientCidr(String cidr) implements Condition {
      public ClientCidr {
        if (cidr == null) {
          throw new IllegalArgumentException("client condition: cidr must not be null");
        }
        CidrBlock.parse(cidr);
      }
    }
  }

  /**
   * A per-client token bucket.
   *
   * @param name unique name, used in answers and metrics
   * @param key what identifies a client
   * @param ratePerSecond tokens added per second (0.5 is 30 a minute)
   * @param burst bucket size: requests a client may send at once after being idle
   * @param pathPrefix only requests under this path count; empty: every request
   */
  public record RateLimit(
      String name, ClientKey key, double ratePerSecond, int burst, Optional<String> pathPrefix) {
    public RateLimit {
      requireName(name, "rate limit");
      Objects.requireNonNull(key, "rate limit " + name + ": key");
      if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
        throw new IllegalArgumentException(
            "rate limit "
                + name
                + ": ratePerSecond must be > 0 and <= 1000000 but was "
                + ratePerSecond);
      }
      if (burst < 1) {
        throw new IllegalArgumentException(
            "rate limit " + name + ": burst must be >= 1 but was " + burst);
      }
      pathPrefix = Objects.requireNonNullElse(pathPrefix, Optional.empty());
      pathPrefix.ifPresent(
          p -> {
            if (!p.startsWith("/")) {
              throw new IllegalArgumentException(
                  "rate limit " + name + ": pathPrefix must start with '/' but was \"" + p + "\"");
            }
          });
    }

    /** A limit on every path. */
    public static RateLimit of(String name, ClientKey key, double ratePerSecond, int burst) {
      return new RateLimit(name, key, ratePerSecond, burst, Optional.empty());
    }
  }

  /** What identifies a client for a rate limit. */
  public sealed interface ClientKey {

    /** The client's address (the TCP peer). */
    record Ip() implements ClientKey {}

    /**
     * The value of header {@code name} (an API key, e.g. {@code x-api-key}); requests without it
     * are keyed by their address instead.
     */
    record Header(String name) implements ClientKey {
      public Header {
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException("client key header must not be blank");
        }
        name = name.toLowerCase(Locale.ROOT);
      }
    }

    /** Keyed by the client's address. */
    static ClientKey ip() {
      return new Ip();
    }

    /** Keyed by header {@code name}, falling back to the address. */
    static ClientKey header(String name) {
      return new Header(name);
    }

    /** {@code ip} or {@code header:<name>}, as written in files and the admin API. */
    static ClientKey parse(String text) {
      if ("ip".equals(text)) {
        return ip();
      }
      if (text != null && text.startsWith("header:") && text.length() > "header:".length()) {
        return header(text.substring("header:".length()));
      }
      throw new IllegalArgumentException(
          "expected ip or header:<name> (e.g. header:x-api-key) but was \"" + text + "\"");
    }

    /** The textual form {@link #parse} reads. */
    default String text() {
      return switch (this) {
        case Ip ip -> "ip";
        case Header h -> "header:" + h.name();
      };
    }
  }

  private static void requireName(String name, String what) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          what
              + " name must be 1-64 letters, digits, '.', '_' or '-' but was "
              + (name == null ? "null" : "\"" + name + "\""));
    }
  }

  private static void compile(String what, String regex) {
    if (regex == null) {
      throw new IllegalArgumentException(what + ": a regular expression is required");
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          what + ": invalid regular expression \"" + regex + "\": " + e.getDescription(), e);
    }
  }

  /** Builds a {@link BotProtection}. */
  public static final class Builder {
    private final java.util.ArrayList<Rule> rules = new java.util.ArrayList<>();
    private final java.util.ArrayList<RateLimit> rateLimits = new java.util.ArrayList<>();
    private int challengeDifficulty = 16;
    private Duration challengeTtl = Duration.ofHours(1);
    private int maxClients = 100_000;
    private Optional<String> secret = Optional.empty();

    private Builder() {}

    public Builder rule(Rule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    public Builder rules(List<Rule> rules) {
      this.rules.clear();
      this.rules.addAll(rules);
      return this;
    }

    public Builder rateLimit(RateLimit limit) {
      rateLimits.add(Objects.requireNonNull(limit, "rate limit"));
      return this;
    }

    public Builder rateLimits(List<RateLimit> limits) {
      this.rateLimits.clear();
      this.rateLimits.addAll(limits);
      return this;
    }

    public Builder challengeDifficulty(int bits) {
      this.challengeDifficulty = bits;
      return this;
    }

    public Builder challengeTtl(Duration ttl) {
      this.challengeTtl = ttl;
      return this;
    }

    public Builder maxClients(int maxClients) {
      this.maxClients = maxClients;
      return this;
    }

    public Builder secret(String secret) {
      this.secret = Optional.of(secret);
      return this;
    }

    public BotProtection build() {
      return new BotProtection(
          rules, rateLimits, challengeDifficulty, challengeTtl, maxClients, secret);
    }
  }
}
