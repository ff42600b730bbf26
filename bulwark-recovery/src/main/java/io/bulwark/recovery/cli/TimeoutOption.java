package io.bulwark.recovery.cli;

import io.bulwark.kernel.Durations;
import io.bulwark.recovery.RecoveryException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a {@code bulwark dr} command waits for the execution it runs to end. */
final class TimeoutOption {

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      description = "how long to wait for it to end (default: ${DEFAULT-VALUE})")
  String timeout;

  /**
   * The timeout.
   *
   * @throws RecoveryException.NotPossible naming the option when it is not a duration (exit 2)
   */
  Duration value() {
    try {
      return Durations.parse("--timeout", timeout);
    } catch (IllegalArgumentException e) {
      throw new RecoveryException.NotPossible(e.getMessage());
    }
  }
}
