package io.bulwark.traffic.internal;

import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.BotProtection.Action;
import io.bulwark.traffic.BotProtection.ClientKey;
import io.bulwark.traffic.BotProtection.Condition;
import io.bulwark.traffic.BotProtection.RateLimit;
import io.bulwark.traffic.BotProtection.Rule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bot protection as it runs: compiled rules, token buckets and challenge tokens (see {@link
 * BotProtection}). Immutable apart from the buckets; a configuration change builds a new one that
 * takes over the buckets of the limits it keeps. Called on the event loops, so {@link #check} does
 * no blocking work: one header lookup per condition, one bucket update per applicable limit.
 */
final class Protection {
  /** Cookie and header a solved challenge comes back in. */
  static final String CHALLENGE_COOKIE = "BULWARK_CHALLENGE";

  static final AsciiString CHALLENGE_HEADER = AsciiString.cached("x-bulwark-challenge");
  static final AsciiString DIFFICULTY_HEADER = AsciiString.cached("x-bulwark-challenge-difficulty");
  private static final int MAX_KEY_LENGTH = 256;
  private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Why a request was stopped; null from {@link #check} means it may go on. */
  sealed interface Verdict {
    /** A deny rule matched. */
    record Denied(String rule) implements Verdict {}

    /** A challenge rule matched and no solved challenge came with the request. */
    record Challenged(String rule, String nonce, int difficulty, long ttlSeconds)
        implements Verdict {}

    /** A rate limit had no token left. */
    record Limited(String limit, double ratePerSecond, int burst, long retryAfterSeconds)
        implements Verdict {}
  }

  private final BotProtection config;
  private final MeterRegistry registry;
  private final Clock clock;
  private final byte[] secret;
  private final List<CompiledRule> rules;
  private final List<Limiter> limiters;
  private final List<Meter> meters = new ArrayList<>();
  private final ThreadLocal<Mac> macs;
  private final ThreadLocal<MessageDigest> digests;

  private Protection(
      BotProtection config,
      MeterRegistry registry,
      Clock clock,
      byte[] secret,
      Map<String, Limiter> previous) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
    this.secret = secret;
    this.macs = ThreadLocal.withInitial(() -> hmac(secret));
    this.digests = ThreadLocal.withInitial(Protection::sha256);
    List<CompiledRule> compiled = new ArrayList<>();
    for (Rule rule : config.rules()) {
      compiled.add(new CompiledRule(rule, counters(rule.name(), rule.action())));
    }
    this.rules = List.copyOf(compiled);
    List<Limiter> limits = new ArrayList<>();
    for (RateLimit limit : config.rateLimits()) {
      Limiter before = previous.get(limit.name());
      Limiter limiter =
          before != null && before.limit.key().equals(limit.key())
              ? before.with(limit)
              : new Limiter(limit, config.maxClients());
      limiter.limited = counter(limit.name(), "limited");
      meters.add(
          Gauge.builder("bulwark.gateway.protection.clients", limiter, Limiter::clients)
              .description("Clients with a token bucket kept for a rate limit")
              .tag("limit", limit.name())
              .strongReference(true)
              .register(registry));
      limits.add(limiter);
    }
    this.limiters = List.copyOf(limits);
  }

  /** Starts protection from {@code config}. */
  static Protection of(BotProtection config, MeterRegistry registry, Clock clock) {
    return new Protection(config, registry, clock, secretOf(config), Map.of());
  }

  /**
   * Protection from {@code config} that keeps this one's buckets for every limit whose name and key
   * stay the same, and its secret when {@code config} names none. Call {@link #close} on this one
   * afterwards.
   */
  Protection replacedBy(BotProtection config) {
    Map<String, Limiter> byName = new HashMap<>();
    limiters.forEach(l -> byName.put(l.limit.name(), l));
    byte[] key =
        config.secret().isPresent()
            ? config.secret().get().getBytes(StandardCharsets.UTF_8)
            : secret;
    return new Protection(config, registry, clock, key, byName);
  }

  BotProtection config() {
    return config;
  }

  /** Buckets kept per limit, by limit name. */
  Map<String, Integer> clients() {
    Map<String, Integer> out = new LinkedHashMap<>();
    limiters.forEach(l -> out.put(l.limit.name(), l.clients()));
    return out;
  }

  /** Removes this protection's meters. */
  void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  /** Forgets buckets that have filled up again (their clients were idle long enough). */
  void sweep() {
    long now = System.nanoTime();
    limiters.forEach(l -> l.sweep(now));
  }

  /**
   * Checks a request.
   *
   * @param path the request path without the query string
   * @param client the TCP peer (may be null for a channel without one)
   * @param clientHost its textual address
   * @return null when the request may go on, else why not
   */
  Verdict check(HttpHeaders headers, String path, InetAddress client, String clientHost) {
    for (int i = 0, n = rules.size(); i < n; i++) {
      CompiledRule rule = rules.get(i);
      if (!rule.matches(headers, path, client)) {
        continue;
      }
      switch (rule.rule.action()) {
        case ALLOW -> {
          rule.first.increment();
          return null;
        }
        case DENY -> {
          rule.first.increment();
          return new Verdict.Denied(rule.rule.name());
        }
        case CHALLENGE -> {
          if (solved(headers, clientHost)) {
            rule.second.increment();
          } else {
            rule.first.increment();
            return new Verdict.Challenged(
                rule.rule.name(),
                nonce(clientHost),
                config.challengeDifficulty(),
                config.challengeTtl().toSeconds());
          }
        }
      }
      break;
    }
    if (limiters.isEmpty()) {
      return null;
    }
    long now = System.nanoTime();
    for (int i = 0, n = limiters.size(); i < n; i++) {
      Limiter limiter = limiters.get(i);
      if (!limiter.applies(path)) {
        continue;
      }
      long waitNanos = limiter.take(keyOf(limiter.limit.key(), headers, clientHost), now);
      if (waitNanos > 0) {
        limiter.limited.increment();
        RateLimit l = limiter.limit;
        return new Verdict.Limited(
            l.name(),
            l.ratePerSecond(),
            l.burst(),
            Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
      }
    }
    return null;
  }

  private static Limiter.Key keyOf(ClientKey key, HttpHeaders headers, String clientHost) {
    if (key instanceof ClientKey.Header h) {
      String value = headers.get(h.name());
      if (value != null && !value.isEmpty()) {
        return new Limiter.Key(
            true, value.length() > MAX_KEY_LENGTH ? value.substring(0, MAX_KEY_LENGTH) : value);
      }
    }
    return new Limiter.Key(false, clientHost);
  }

  // ---- challenges ----

  /**
   * A challenge for {@code clientHost}: {@code <expiry>.<mac>}, where expiry is when a solution
   * stops letting the client through (epoch seconds) and the mac binds it to the client and to this
   * gateway's secret.
   */
  String nonce(String clientHost) {
    long expiry = clock.millis() / 1000 + config.challengeTtl().toSeconds();
    return expiry + "." + mac(clientHost, expiry);
  }

  private String mac(String clientHost, long expiry) {
    Mac mac = macs.get();
    byte[] sum =
        mac.doFinal(
            ("bulwark-challenge|" + clientHost + "|" + expiry).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sum).substring(0, 22);
  }

  /** Whether the request carries a solved, unexpired challenge issued to this client. */
  boolean solved(HttpHeaders headers, String clientHost) {
    String answer = headers.get(CHALLENGE_HEADER);
    if (answer != null && verify(answer, clientHost)) {
      return true;
    }
    for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
        if (cookie.name().equals(CHALLENGE_COOKIE) && verify(cookie.value(), clientHost)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code <expiry>.<mac>.<suffix>}: unexpired, issued to this client, enough leading zeros. */
  boolean verify(String solution, String clientHost) {
    int first = solution.indexOf('.');
    int second = first < 0 ? -1 : solution.indexOf('.', first + 1);
    if (second < 0 || solution.length() > 200) {
      return false;
    }
    long expiry;
    try {
      expiry = Long.parseLong(solution.substring(0, first));
    } catch (NumberFormatException e) {
      return false;
    }
    if (clock.millis() / 1000 >= expiry) {
      return false;
    }
    byte[] expected = mac(clientHost, expiry).getBytes(StandardCharsets.US_ASCII);
    byte[] given = solution.substring(first + 1, second).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return false;
    }
    byte[] hash = digests.get().digest(solution.getBytes(StandardCharsets.UTF_8));
    return leadingZeroBits(hash) >= config.challengeDifficulty();
  }

  static int leadingZeroBits(byte[] hash) {
    int bits = 0;
    for (byte b : hash) {
      if (b == 0) {
        bits += 8;
        continue;
      }
      return bits + Integer.numberOfLeadingZeros(b & 0xFF) - 24;
    }
    return bits;
  }

  private static byte[] secretOf(BotProtection config) {
    if (config.secret().isPresent()) {
      return config.secret().get().getBytes(StandardCharsets.UTF_8);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return random;
  }

  private static Mac hmac(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JDK", e);
    }
  }

  // ---- meters ----

  private Counter[] counters(String rule, Action action) {
    return switch (action) {
      case ALLOW -> new Counter[] {counter(rule, "allowed"), null};
      case DENY -> new Counter[] {counter(rule, "denied"), null};
      case CHALLENGE -> new Counter[] {counter(rule, "challenged"), counter(rule, "solved")};
    };
  }

  private Counter counter(String rule, String outcome) {
    Counter c =
        Counter.builder("bulwark.gateway.protection.decisions")
            .description(
                "Requests a bot rule or rate limit decided: allowed, denied, challenged, solved"
                    + " (came back with a solved challenge) or limited")
            .tag("rule", rule)
            .tag("outcome", outcome)
            .register(registry);
    meters.add(c);
    return c;
  }

  /** A rule with its conditions compiled. */
  private static final class CompiledRule {
    private final Rule rule;
    private final Check[] checks;
    // Outcome counters: the rule's action, and for a challenge the requests that solved it.
    private final Counter first;
    private final Counter second;

    CompiledRule(Rule rule, Counter[] counters) {
      this.rule = rule;
      this.checks = rule.conditions().stream().map(CompiledRule::compile).toArray(Check[]::new);
      this.first = counters[0];
      this.second = counters[1];
    }

    boolean matches(HttpHeaders headers, String path, InetAddress client) {
      for (Check check : checks) {
        if (!check.test(headers, path, client)) {
          return false;
        }
      }
      return true;
    }

    private static Check compile(Condition condition) {
      return switch (condition) {
        case Condition.PathPrefix p -> (h, path, c) -> path.startsWith(p.prefix());
        case Condition.UserAgent ua -> {
          Pattern pattern = Pattern.compile(ua.regex());
          yield (h, path, c) -> pattern.matcher(valueOf(h, HttpHeaderNames.USER_AGENT)).find();
        }
        case Condition.Header header -> {
          Pattern pattern = Pattern.compile(header.regex());
          AsciiString name = AsciiString.of(header.name());
          yield (h, path, c) -> pattern.matcher(valueOf(h, name)).find();
        }
        case Condition.ClientCidr cidr -> {
          CidrBlock block = CidrBlock.parse(cidr.cidr());
          yield (h, path, c) -> c != null && block.contains(c);
        }
      };
    }

    private static String valueOf(HttpHeaders headers, CharSequence name) {
      String value = headers.get(name);
      return value == null ? "" : value;
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean test(HttpHeaders headers, String path, InetAddress client);
  }

  /** One rate limit's token buckets, by client. */
  private static final class Limiter {
    /** A client: an API key, or an address when {@code apiKey} is false. */
    record Key(boolean apiKey, String value) {}

    private final RateLimit limit;
    private final int maxClients;
    private final ConcurrentHashMap<Key, Bucket> buckets;
    // Clients beyond maxClients share this one, so a flood of new addresses cannot grow memory.
    private final Bucket overflow;
    private volatile long lastSweep;
    private Counter limited;

    Limiter(RateLimit limit, int maxClients) {
      this(limit, maxClients, new ConcurrentHashMap<>(), new Bucket(limit.burst()));
    }

    private Limiter(
        RateLimit limit, int maxClients, ConcurrentHashMap<Key, Bucket> buckets, Bucket overflow) {
      this.limit = limit;
      this.maxClients = maxClients;
      this.buckets = buckets;
      this.overflow = overflow;
    }

    /** The same buckets under a changed limit (rate, burst or path). */
    Limiter with(RateLimit changed) {
      return new Limiter(changed, maxClients, buckets, overflow);
    }

    boolean applies(String path) {
      return limit.pathPrefix().isEmpty() || path.startsWith(limit.pathPrefix().get());
    }

    int clients() {
      return buckets.size();
    }

    /** Takes a token for {@code key}; returns 0, or how long until one is there. */
    long take(Key key, long now) {
      Bucket bucket = buckets.get(key);
      if (bucket == null) {
        if (buckets.size() >= maxClients) {
          if (now - lastSweep > SWEEP_EVERY_NANOS) {
            lastSweep = now;
            sweep(now);
          }
          if (buckets.size() >= maxClients) {
            return overflow.take(limit, now);
          }
        }
        bucket = buckets.computeIfAbsent(key, k -> new Bucket(limit.burst()));
      }
      return bucket.take(limit, now);
    }

    void sweep(long now) {
      buckets.values().removeIf(b -> b.fullAt(limit, now));
    }
  }

  /** A token bucket; its lock is held for a few arithmetic operations. */
  private static final class Bucket {
    private double tokens;
    private long updated = System.nanoTime();

    Bucket(int burst) {
      this.tokens = burst;
    }

    synchronized long take(RateLimit limit, long now) {
      refill(limit, now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) / limit.ratePerSecond() * 1e9);
    }

    synchronized boolean fullAt(RateLimit limit, long now) {
      refill(limit, now);
      return tokens >= limit.burst();
    }

    private void refill(RateLimit limit, long now) {
      long elapsed = now - updated;
      if (elapsed > 0) {
        tokens = Math.min(limit.burst(), tokens + elapsed / 1e9 * limit.ratePerSecond());
        updated = now;
      } else if (tokens > limit.burst()) {
        tokens = limit.burst();
      }
    }
  }
}
