package io.bulwark.fleet.scenario;

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
 */
public record ScenarioOptions(Duration duration, double rate, Consumer<String> progress) {

  public ScenarioOptions {
    Check.atLeast("duration", duration, Duration.ofMillis(500));
    if (!(rate >= 1) || rate > 20_000) {
      throw new IllegalArgumentException(
          "rate must be between 1 and 20000 per second but was " + rate);
    }
    Objects.requireNonNull(progress, "progress");
  }

  /** 10 s at 200 requests per second, no progress output. */
  public static ScenarioOptions defaults() {
    return new ScenarioOptions(Duration.ofSeconds(10), 200, line -> {});
  }
}
