package io.bulwark.commerce;

import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.kernel.Check;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the commerce contexts run.
 *
 * @param jwtSecret HMAC key for access tokens (at least 32 bytes); empty means a random key is
 *     generated once and kept in {@code <instance dir>/commerce/jwt.key}
 * @param accessTokenTtl access token lifetime, default 15 min
 * @param refreshTokenTtl refresh token lifetime, default 14 days
 * @param bcryptCost bcrypt work factor, default 12 (tests use 4)
 * @param loginFailuresPerAccount failed logins per account within {@code loginWindow}, default 5
 * @param loginFailuresPerAddress failed logins per client address within the window, default 50
 * @param loginWindow window of the login limits, from an account's or address's first counted
 *     attempt, default 15 min
 * @param registrationsPerAddress registrations per client address within {@code
 *     registrationWindow}, default 10
 * @param registrationWindow window of the registration limit, default 1 h
 * @param tokenVersionCacheTtl how long a user's token version is cached when checking access
 *     tokens: another instance's logout or role change is seen within it, default 5 s
 * @param reservationTtl how long a stock reservation lives without commit, default 15 min
 * @param paymentGateway base URL of the payment gateway; empty starts the simulator as a child
 *     process with {@code paymentSimulator}
 * @param paymentSimulator how the simulator started without {@code paymentGateway} behaves
 *     (default: approves everything after 1–5 ms)
 * @param paymentTimeout timeout of one payment call, default 2 s
 * @param paymentAttempts attempts per payment call (Resilience4j retry), default 3
 * @param sagaWorkers state-machine engine workers running order sagas (and any other execution),
 *     default 4, 0 for a process that only takes orders (another instance on the same database runs
 *     their sagas); retries and back-off come from the saga's definition
 * @param pollInterval how often background workers look for work when not woken, default 500 ms
 * @param sagaLease how long a claimed saga step belongs to its engine worker; after a crash the
 *     step is retried once the lease ran out, default 30 s
 * @param httpTaskHosts hosts ({@code host} or {@code host:port}) that state machines' HTTP task
 *     resources may call, default none (see {@code Engine.Builder.httpTaskHosts})
 * @param intakeCapacity most orders queued (accepted, their saga not yet past its first state)
 *     before new orders are refused with 503, default 100,000 (see {@code OrderIntake})
 * @param vipHeadroomPercent room beyond {@code intakeCapacity} kept for VIP customers' orders, in
 *     percent of the capacity (rounded up), 0..100, default 10
 */
public record CommerceOptions(
    Optional<String> jwtSecret,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    int bcryptCost,
    int loginFailuresPerAccount,
    int loginFailuresPerAddress,
    Duration loginWindow,
    int registrationsPerAddress,
    Duration registrationWindow,
    Duration tokenVersionCacheTtl,
    Duration reservationTtl,
    Optional<URI> paymentGateway,
    SimulatorOptions paymentSimulator,
    Duration paymentTimeout,
    int paymentAttempts,
    int sagaWorkers,
    Duration pollInterval,
    Duration sagaLease,
    List<String> httpTaskHosts,
    int intakeCapacity,
    int vipHeadroomPercent) {

  public CommerceOptions {
    httpTaskHosts = List.copyOf(httpTaskHosts);
    httpTaskHosts.forEach(io.bulwark.states.durable.Engine::checkHttpTaskHost);
    Check.positive("accessTokenTtl", accessTokenTtl);
    Check.positive("refreshTokenTtl", refreshTokenTtl);
    Check.positive("loginWindow", loginWindow);
    Check.positive("registrationWindow", registrationWindow);
    Check.positive("tokenVersionCacheTtl", tokenVersionCacheTtl);
    Check.positive("reservationTtl", reservationTtl);
    Check.positive("paymentTimeout", paymentTimeout);
    Check.positive("pollInterval", pollInterval);
    Check.positive("sagaLease", sagaLease);
    Check.within("bcryptCost", bcryptCost, 4, 31);
    Check.positive("loginFailuresPerAccount", loginFailuresPerAccount);
    Check.positive("loginFailuresPerAddress", loginFailuresPerAddress);
    Check.positive("registrationsPerAddress", registrationsPerAddress);
    Check.positive("paymentAttempts", paymentAttempts);
    Check.within("sagaWorkers", sagaWorkers, 0, 256);
    Check.positive("intakeCapacity", intakeCapacity);
    Check.within("vipHeadroomPercent", vipHeadroomPercent, 0, 100);
    if (jwtSecret.isPresent()
        && jwtSecret.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("jwtSecret must be at least 32 bytes");
    }
    if (paymentGateway.isPresent() && !paymentGateway.get().toString().startsWith("http")) {
      throw new IllegalArgumentException(
          "paymentGateway must be an http(s) URL but was " + paymentGateway.get());
    }
  }

  /** Production defaults. */
  public static CommerceOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link CommerceOptions}. */
  public static final class Builder {
    private String jwtSecret;
    private Duration accessTokenTtl = Duration.ofMinutes(15);
    private Duration refreshTokenTtl = Duration.ofDays(14);
    private int bcryptCost = 12;
    private int loginFailuresPerAccount = 5;
    private int loginFailuresPerAddress = 50;
    private Duration loginWindow = Duration.ofMinutes(15);
    private int registrationsPerAddress = 10;
    private Duration registrationWindow = Duration.ofHours(1);
    private Duration tokenVersionCacheTtl = Duration.ofSeconds(5);
    private Duration reservationTtl = Duration.ofMinutes(15);
    private URI paymentGateway;
    private SimulatorOptions paymentSimulator = SimulatorOptions.defaults();
    private Duration paymentTimeout = Duration.ofSeconds(2);
    private int paymentAttempts = 3;
    private int sagaWorkers = 4;
    private Duration pollInterval = Duration.ofMillis(500);
    private Duration sagaLease = Duration.ofSeconds(30);
    private List<String> httpTaskHosts = List.of();
    private int intakeCapacity = 100_000;
    private int vipHeadroomPercent = 10;

    private Builder() {}

    /** HMAC key for access tokens, at least 32 bytes. */
    public Builder jwtSecret(String jwtSecret) {
      this.jwtSecret = jwtSecret;
      return this;
    }

    public Builder accessTokenTtl(Duration ttl) {
      this.accessTokenTtl = ttl;
      return this;
    }

    public Builder refreshTokenTtl(Duration ttl) {
      this.refreshTokenTtl = ttl;
      return this;
    }

    public Builder bcryptCost(int cost) {
      this.bcryptCost = cost;
      return this;
    }

    public Builder loginFailuresPerAccount(int n) {
      this.loginFailuresPerAccount = n;
      return this;
    }

    public Builder loginFailuresPerAddress(int n) {
      this.loginFailuresPerAddress = n;
      return this;
    }

    public Builder loginWindow(Duration window) {
      this.loginWindow = window;
      return this;
    }

    /** Registrations allowed per client address within {@link #registrationWindow}. */
    public Builder registrationsPerAddress(int n) {
      this.registrationsPerAddress = n;
      return this;
    }

    public Builder registrationWindow(Duration window) {
      this.registrationWindow = window;
      return this;
    }

    /** How long a user's token version is cached when access tokens are checked. */
    public Builder tokenVersionCacheTtl(Duration ttl) {
      this.tokenVersionCacheTtl = ttl;
      return this;
    }

    public Builder reservationTtl(Duration ttl) {
      this.reservationTtl = ttl;
      return this;
    }

    /** Base URL of a running payment gateway (e.g. a {@code PaymentSimulatorProcess}). */
    public Builder paymentGateway(URI url) {
      this.paymentGateway = url;
      return this;
    }

    /** How the payment-gateway simulator behaves when no {@link #paymentGateway} is given. */
    public Builder paymentSimulator(SimulatorOptions options) {
      this.paymentSimulator = java.util.Objects.requireNonNull(options, "paymentSimulator");
      return this;
    }

    /** Timeout of one payment call. */
    public Builder paymentTimeout(Duration timeout) {
      this.paymentTimeout = timeout;
      return this;
    }

    public Builder paymentAttempts(int attempts) {
      this.paymentAttempts = attempts;
      return this;
    }

    public Builder sagaWorkers(int workers) {
      this.sagaWorkers = workers;
      return this;
    }

    public Builder pollInterval(Duration interval) {
      this.pollInterval = interval;
      return this;
    }

    public Builder sagaLease(Duration lease) {
      this.sagaLease = lease;
      return this;
    }

    /** Hosts ({@code host} or {@code host:port}) HTTP task resources may call; default none. */
    public Builder httpTaskHosts(List<String> hosts) {
      this.httpTaskHosts = List.copyOf(hosts);
      return this;
    }

    /** Most orders queued before regular orders are refused; default 100,000. */
    public Builder intakeCapacity(int orders) {
      this.intakeCapacity = orders;
      return this;
    }

    /** Room beyond the intake capacity for VIP orders, in percent of it; default 10. */
    public Builder vipHeadroomPercent(int percent) {
      this.vipHeadroomPercent = percent;
      return this;
    }

    /** Checks every value; throws {@link IllegalArgumentException} naming the bad one. */
    public CommerceOptions build() {
      return new CommerceOptions(
          Optional.ofNullable(jwtSecret),
          accessTokenTtl,
          refreshTokenTtl,
          bcryptCost,
          loginFailuresPerAccount,
          loginFailuresPerAddress,
          loginWindow,
          registrationsPerAddress,
          registrationWindow,
          tokenVersionCacheTtl,
          reservationTtl,
          Optional.ofNullable(paymentGateway),
          paymentSimulator,
          paymentTimeout,
          paymentAttempts,
          sagaWorkers,
          pollInterval,
          sagaLease,
          httpTaskHosts,
          intakeCapacity,
          vipHeadroomPercent);
    }
  }
}
