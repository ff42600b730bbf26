package io.bulwark.fleet;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** One running instance as its {@link Provider} sees it. Implementations are thread-safe. */
public interface Instance {

  /** Unique id, as in its {@link LaunchSpec}. */
  String id();

  /** Where it runs. */
  Zone zone();

  /** Host the gateway and health checks reach it on. */
  String host();

  /** Port it serves on. */
  int port();

  /** Operating-system process id, when it is a local process. */
  OptionalLong pid();

  /** Whether it is still running (a crashed or stopped instance is not). */
  boolean isAlive();

  /**
   * Asks it to stop (SIGTERM for a process), waits up to {@code grace}, then kills it.
   *
   * @return completes once it has exited
   */
  CompletableFuture<Void> stop(Duration grace);

  /** Kills it at once, without letting it finish anything (SIGKILL for a process). */
  void kill();
}
