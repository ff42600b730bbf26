package io.bulwark.commerce.identity;

import io.bulwark.commerce.CommerceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed logins per account and per client address in a sliding window: once either has too
 * many failures, further attempts are refused with the time until the oldest failure ages out.
 */
public final class LoginLimiter {

  private static final int MAX_KEYS = 100_000;

  private final int maxPerAccount;
  private final int maxPerAddress;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  /**
   * @param maxPerAccount failures allowed per username within {@code window}, at least 1
   * @param maxPerAddress failures allowed per client address within {@code window}, at least 1
   */
  public LoginLimiter(int maxPerAccount, int maxPerAddress, Duration window, Clock clock) {
    if (maxPerAccount < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException(
          "login limits must be >= 1 but were "
              + maxPerAccount
              + " per account and "
              + maxPerAddress
              + " per address");
    }
    this.maxPerAccount = maxPerAccount;
    this.maxPerAddress = maxPerAddress;
    this.window = window;
    this.clock = clock;
  }

  /** Throws {@link CommerceException.TooManyRequests} when this attempt must be refused. */
  public void check(String username, String address) {
    Instant now = clock.instant();
    long account = retryAfter("u:" + username, maxPerAccount, now);
    long ip = retryAfter("a:" + address, maxPerAddress, now);
    long wait = Math.max(account, ip);
    if (wait > 0) {
      throw new CommerceException.TooManyRequests(
          "too many failed logins for "
              + (account >= ip ? "this account" : "this address")
              + "; retry in "
              + wait
              + " s",
          wait);
    }
  }

  /** Records a failed attempt against both the account and the address. */
  public void failed(String username, String address) {
    Instant now = clock.instant();
    if (failures.size() > MAX_KEYS) {
      failures.entrySet().removeIf(e -> expired(e.getValue(), now));
    }
    record("u:" + username, now);
    record("a:" + address, now);
  }

  /** Forgets the account's failures after a successful login. */
  public void succeeded(String username) {
    failures.remove("u:" + username);
  }

  private void record(String key, Instant now) {
    failures.compute(
        key,
        (k, q) -> {
          Deque<Instant> d = q == null ? new ArrayDeque<>() : q;
          prune(d, now);
          d.addLast(now);
          return d;
        });
  }

  private long retryAfter(String key, int max, Instant now) {
    long[] wait = {0};
    failures.computeIfPresent(
        key,
        (k, d) -> {
          prune(d, now);
          if (d.size() >= max) {
            Instant free = d.peekFirst().plus(window);
            wait[0] = Math.max(1, (Duration.between(now, free).toMillis() + 999) / 1000);
          }
          return d.isEmpty() ? null : d;
        });
    return wait[0];
  }

  private void prune(Deque<Instant> d, Instant now) {
    Instant cutoff = now.minus(window);
    while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
      d.pollFirst();
    }
  }

  private boolean expired(Deque<Instant> d, Instant now) {
    synchronized (d) {
      Instant last = d.peekLast();
      return last == null || !last.isAfter(now.minus(window));
    }
  }
}
