package io.bulwark.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster owner killed with SIGKILL leaves nothing running: its ZooKeeper members and agents die
 * with it, and the agents' PostgreSQL servers with them.
 */
class OwnerDeathTest {

  @TempDir Path dir;

  @Test
  void everyProcessOfAnOwnerKilledWithSigkillEndsWithIt() throws Exception {
    Path log = dir.resolve("owner.log");
    Process owner =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                OwnerMain.class.getName(),
                dir.resolve("cluster").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    List<ProcessHandle> descendants = List.of();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("the owner exited; see " + log, () -> !owner.isAlive())
          .until(() -> Files.readString(log).contains(OwnerMain.READY));
      descendants = owner.descendants().toList();
      // three ZooKeeper members and the agent; below the agent its postmaster and backends
      assertThat(owner.children().toList()).as("the owner's children").hasSize(4);
      assertThat(descendants).as("the owner's descendants").hasSizeGreaterThan(5);

      owner.destroyForcibly();
      assertThat(owner.waitFor(10, TimeUnit.SECONDS)).as("owner killed").isTrue();

      List<ProcessHandle> all = descendants;
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(all)
                      .as("processes of the owner still running after it was killed")
                      .filteredOn(ProcessHandle::isAlive)
                      .extracting(OwnerDeathTest::describe)
                      .isEmpty());
    } finally {
      owner.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** The pid and program of {@code h}, with the main class of a JVM (its class path is long). */
  static String describe(ProcessHandle h) {
    String program = h.info().command().orElse("?");
    String main =
        h.info().arguments().stream()
            .flatMap(java.util.Arrays::stream)
            .filter(a -> !a.startsWith("-") && a.contains(".") && !a.contains("/"))
            .findFirst()
            .orElse("");
    return (h.pid() + " " + program + " " + main).strip();
  }
}
