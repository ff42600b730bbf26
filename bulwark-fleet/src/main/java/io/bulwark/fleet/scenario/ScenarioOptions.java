package io.bulwark.fleet.scenario;

import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How hard and how long a scenario runs.
 *
 * @param duration how long the load runs (at least; a scenario waits for its fault to play out)
 * @param rate requests per second through the gateway
 * @param progress receives a line for each step (e.g. printed on stderr)
 * @param p99Bound the p99 latency the run must stay within; null for none
 * @param loads receives each load generator the scenario creates, before it runs (e.g. to print
 *     what it measured so far when the run is interrupted)
 */
public record ScenarioOptions(
    Duration duration,
    double rate,
    Consumer<String> progress,
    Duration p99Bound,
    Consumer<LoadGenerator> loads) {

  public ScenarioOptions {
    Check.atLeast("duration", duration, Duration.ofMillis(500));
    if (!(rate >= 1) || rate > 20_000) {
      throw new IllegalArgumentException(
          "rate must be between 1 and 20000 per second but was " + rate);
    }
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(loads, "loads");
  }

  /** Options with no p99 bound, whose load generators nobody watches. */
  public ScenarioOptions(Duration duration, double rate, Consumer<String> progress) {
    this(duration, rate, progress, null, load -> {});
  }

  /** 10 s at 200 requests per second, no progress output. */
  public static ScenarioOptions defaults() {
    return new ScenarioOptions(Duration.ofSeconds(10), 200, line -> {});
  }
}
