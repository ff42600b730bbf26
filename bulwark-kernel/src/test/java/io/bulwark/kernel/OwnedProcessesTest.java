package io.bulwark.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The thread rule of {@link OwnedProcesses}; that an owned child ends with a killed owner is shown
 * with real owners in {@code OwnerDeathTest} (bulwark-dr) and {@code LocalProcessProviderTest}.
 */
class OwnedProcessesTest {

  @Test
  void aChildStartedFromAThreadThatEndsKeepsRunningWhileItsOwnerRuns() throws Exception {
    AtomicReference<Process> child = new AtomicReference<>();
    Thread starter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    child.set(
                        OwnedProcesses.startDyingWithOwner(
                            new ProcessBuilder("sleep", "30"), "SIGKILL"));
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
    starter.join();
    try {
      // Linux signals a child when the thread that forked it ends: it must not be this one
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(child.get().isAlive())
                      .as("child after its starting thread ended")
                      .isTrue());
      // setpriv armed the signal and became the program: same pid, no extra process
      assertThat(child.get().info().command())
          .hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));
    } finally {
      child.get().destroyForcibly();
    }
  }

  @Test
  void thePrefixArmsTheNamedSignal() {
    assertThat(OwnedProcesses.deathSignalPrefix("SIGQUIT"))
        .containsExactly(OwnedProcesses.SETPRIV, "--pdeathsig", "SIGQUIT", "--");
  }
}
