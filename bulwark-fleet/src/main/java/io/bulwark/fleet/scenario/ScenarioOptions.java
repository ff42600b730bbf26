package io.bulwark.fleet.scenario;

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
    if (duration == null || duration.toMillis() < 500) {
      throw new IllegalArgumentException("duration must be >= 500ms but was " + duration);
    }
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
