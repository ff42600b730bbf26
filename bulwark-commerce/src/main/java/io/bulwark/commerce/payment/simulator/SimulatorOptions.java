package io.bulwark.commerce.payment.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the payment-gateway simulator behaves.
 *
 * @param port TCP port on 127.0.0.1, 0 picks a free one
 * @param minLatency shortest processing time of a call
 * @param maxLatency longest processing time of a call
 * @param failureRate share of calls answered 503 before anything is recorded (transient)
 * @param declineRate share of charges declined with 402 (final; replayed for the same key)
 * @param timeoutRate share of charges that are recorded but answered only after {@code
 *     timeoutDelay}, as when a card network is slow and the client gives up
 * @param timeoutDelay how long a "timed out" answer is held back
 * @param seed random seed, for reproducible runs
 */
public record SimulatorOptions(
    int port,
    Duration minLatency,
    Duration maxLatency,
    double failureRate,
    double declineRate,
    double timeoutRate,
    Duration timeoutDelay,
    long seed) {

  public SimulatorOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
    }
    if (minLatency.isNegative() || maxLatency.compareTo(minLatency) < 0) {
      throw new IllegalArgumentException(
          "latency must satisfy 0 <= min <= max but was " + minLatency + ".." + maxLatency);
    }
    rate("failureRate", failureRate);
    rate("declineRate", declineRate);
    rate("timeoutRate", timeoutRate);
    if (failureRate + declineRate + timeoutRate > 1.0) {
      throw new IllegalArgumentException(
          "failureRate + declineRate + timeoutRate must be <= 1 but was "
              + (failureRate + declineRate + timeoutRate));
    }
    if (timeoutDelay.isNegative()) {
      throw new IllegalArgumentException("timeoutDelay must be >= 0 but was " + timeoutDelay);
    }
  }

  private static void rate(String name, double v) {
    if (!(v >= 0.0 && v <= 1.0)) {
      throw new IllegalArgumentException(name + " must be in 0..1 but was " + v);
    }
  }

  /** A well-behaved gateway: 1–5 ms latency, no failures. */
  public static SimulatorOptions defaults() {
    return new SimulatorOptions(
        0, Duration.ofMillis(1), Duration.ofMillis(5), 0, 0, 0, Duration.ofSeconds(5), 42);
  }

  /** These options with {@code failureRate}, {@code declineRate} and {@code timeoutRate}. */
  public SimulatorOptions withRates(double failure, double decline, double timeout) {
    return new SimulatorOptions(
        port, minLatency, maxLatency, failure, decline, timeout, timeoutDelay, seed);
  }

  /** These options with another latency range. */
  public SimulatorOptions withLatency(Duration min, Duration max) {
    return new SimulatorOptions(
        port, min, max, failureRate, declineRate, timeoutRate, timeoutDelay, seed);
  }

  /** These options with another timeout delay. */
  public SimulatorOptions withTimeoutDelay(Duration delay) {
    return new SimulatorOptions(
        port, minLatency, maxLatency, failureRate, declineRate, timeoutRate, delay, seed);
  }

  /** Command-line arguments that {@link PaymentSimulatorMain} parses back into these options. */
  public List<String> toArgs() {
    List<String> a = new ArrayList<>();
    a.add("--port=" + port);
    a.add("--latency-ms=" + minLatency.toMillis() + ".." + maxLatency.toMillis());
    a.add("--failure-rate=" + failureRate);
    a.add("--decline-rate=" + declineRate);
    a.add("--timeout-rate=" + timeoutRate);
    a.add("--timeout-delay-ms=" + timeoutDelay.toMillis());
    a.add("--seed=" + seed);
    return a;
  }

  /**
   * Parses {@code --name=value} arguments; throws {@link IllegalArgumentException} naming the bad
   * argument.
   */
  public static SimulatorOptions parse(List<String> args) {
    SimulatorOptions d = defaults();
    int port = d.port();
    long minMs = d.minLatency().toMillis();
    long maxMs = d.maxLatency().toMillis();
    double failure = 0;
    double decline = 0;
    double timeout = 0;
    long delayMs = d.timeoutDelay().toMillis();
    long seed = d.seed();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException(
            "expected --name=value but got \""
                + arg
                + "\"; names: --port, --latency-ms=MIN..MAX,"
                + " --failure-rate, --decline-rate, --timeout-rate, --timeout-delay-ms, --seed");
      }
      String name = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      try {
        switch (name) {
          case "port" -> port = Integer.parseInt(value);
          case "latency-ms" -> {
            String[] parts = value.split("\\.\\.", -1);
            minMs = Long.parseLong(parts[0]);
            maxMs = parts.length > 1 ? Long.parseLong(parts[1]) : minMs;
          }
          case "failure-rate" -> failure = Double.parseDouble(value);
          case "decline-rate" -> decline = Double.parseDouble(value);
          case "timeout-rate" -> timeout = Double.parseDouble(value);
          case "timeout-delay-ms" -> delayMs = Long.parseLong(value);
          case "seed" -> seed = Long.parseLong(value);
          default -> throw new IllegalArgumentException("unknown option --" + name);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--" + name + ": expected a number but got \"" + value + "\"", e);
      }
    }
    return new SimulatorOptions(
        port,
        Duration.ofMillis(minMs),
        Duration.ofMillis(maxMs),
        failure,
        decline,
        timeout,
        Duration.ofMillis(delayMs),
        seed);
  }
}
