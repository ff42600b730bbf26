package io.bulwark.commerce.identity;

import io.bulwark.commerce.CommerceException;
import io.bulwark.kernel.Check;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Limits logins per account and per client address, and registrations per client address, counted
 * in the {@link IdentityStore} so that concurrent attempts (on one instance or several) are counted
 * one after the other. Each key has a window that starts at its first attempt and lasts {@code
 * window}; once a key has its allowance within it, further attempts are refused with the time until
 * the window ends.
 *
 * <p>A login attempt is counted before its password is checked, so that no more than the allowance
 * of passwords is ever checked however many arrive at once; a login that succeeds then forgets the
 * account's attempts and gives its address's attempt back, so only failures stay counted.
 */
public final class AttemptLimiter {

  private final IdentityStore store;
  private final int loginsPerAccount;
  private final int loginsPerAddress;
  private final Duration loginWindow;
  private final int registrationsPerAddress;
  private final Duration registrationWindow;
  private final Clock clock;

  /**
   * @param loginsPerAccount failed logins allowed per username within {@code loginWindow}, >= 1
   * @param loginsPerAddress failed logins allowed per client address within the window, >= 1
   * @param registrationsPerAddress registrations allowed per client address within {@code
   *     registrationWindow}, >= 1
   * @throws IllegalArgumentException naming the first value out of range
   */
  public AttemptLimiter(
      IdentityStore store,
      int loginsPerAccount,
      int loginsPerAddress,
      Duration loginWindow,
      int registrationsPerAddress,
      Duration registrationWindow,
      Clock clock) {
    Check.positive("loginFailuresPerAccount", loginsPerAccount);
    Check.positive("loginFailuresPerAddress", loginsPerAddress);
    Check.positive("loginWindow", loginWindow);
    Check.positive("registrationsPerAddress", registrationsPerAddress);
    Check.positive("registrationWindow", registrationWindow);
    this.store = store;
    this.loginsPerAccount = loginsPerAccount;
    this.loginsPerAddress = loginsPerAddress;
    this.loginWindow = loginWindow;
    this.registrationsPerAddress = registrationsPerAddress;
    this.registrationWindow = registrationWindow;
    this.clock = clock;
  }

  /**
   * Counts a login attempt of {@code username} from {@code address} before its password is checked.
   *
   * @throws CommerceException.TooManyRequests when the account or the address has no attempt left
   *     (nothing stays counted then)
   */
  public void login(String username, String address) {
    Instant now = clock.instant();
    String accountKey = accountKey(username);
    String addressKey = "login-address:" + address;
    long account = count(accountKey, loginsPerAccount, loginWindow, now);
    long ip = count(addressKey, loginsPerAddress, loginWindow, now);
    if (account == 0 && ip == 0) {
      return;
    }
    if (account == 0) {
      store.uncountAttempt(accountKey);
    }
    if (ip == 0) {
      store.uncountAttempt(addressKey);
    }
    long wait = Math.max(account, ip);
    throw new CommerceException.TooManyRequests(
        "too many failed logins for "
            + (account >= ip ? "this account" : "this address")
            + "; retry in "
            + wait
            + " s",
        wait);
  }

  /** After a successful login: forgets the account's attempts, gives the address's back. */
  public void loginSucceeded(String username, String address) {
    store.forgetAttempts(accountKey(username));
    store.uncountAttempt("login-address:" + address);
  }

  /**
   * Counts a registration from {@code address}.
   *
   * @throws CommerceException.TooManyRequests when the address has no registration left
   */
  public void registration(String address) {
    long wait =
        count(
            "registration-address:" + address, registrationsPerAddress, registrationWindow, now());
    if (wait > 0) {
      throw new CommerceException.TooManyRequests(
          "too many registrations from this address; retry in " + wait + " s", wait);
    }
  }

  /** Forgets the keys whose windows have ended; returns how many. */
  public int forgetExpired() {
    Duration longest =
        loginWindow.compareTo(registrationWindow) > 0 ? loginWindow : registrationWindow;
    return store.forgetAttemptsBefore(now().minus(longest));
  }

  /** Counts one attempt; 0 when allowed, else the seconds until the key's window ends (>= 1). */
  private long count(String key, int max, Duration window, Instant now) {
    IdentityStore.Attempts a = store.countAttempt(key, now, now.minus(window), max + 1);
    if (a.count() <= max) {
      return 0;
    }
    long millis = Duration.between(now, a.windowStart().plus(window)).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  private Instant now() {
    return clock.instant();
  }

  private static String accountKey(String username) {
    return "login-account:" + username;
  }
}
