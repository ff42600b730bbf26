package io.bulwark.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child processes that end when this process ends, even when it is killed with SIGKILL or crashes:
 * the kernel sends each one a chosen signal when its parent dies ({@code setpriv --pdeathsig}, from
 * util-linux, armed on the child itself before it runs its program).
 *
 * <p>Linux's "parent" here is the thread that started the child, not the process: a child started
 * from a pool or request thread would be signalled when that thread ends. So every owned child is
 * started from one platform thread that lives as long as this JVM; an owner may start, stop and
 * restart children from any thread.
 *
 * <p>Only the child itself is armed: a program that forks grandchildren must end them itself.
 */
public final class OwnedProcesses {
  /** Where util-linux installs {@code setpriv}. */
  public static final String SETPRIV = "/usr/bin/setpriv";

  private static final System.Logger log = System.getLogger(OwnedProcesses.class.getName());
  private static final AtomicBoolean warnedUnarmed = new AtomicBoolean();

  private OwnedProcesses() {}

  /** Whether children can be armed here ({@link #SETPRIV} is installed). */
  public static boolean available() {
    return Files.isExecutable(Path.of(SETPRIV));
  }

  /**
   * The arguments to put before a program so that it receives {@code signal} (a name such as {@code
   * SIGKILL}) when the thread that started it ends; start it with {@link #start}.
   *
   * @throws IllegalStateException when {@link #SETPRIV} is missing
   */
  public static List<String> deathSignalPrefix(String signal) {
    if (!available()) {
      throw new IllegalStateException(
          "a child that dies with its owner needs " + SETPRIV + " (util-linux), which is missing");
    }
    return List.of(SETPRIV, "--pdeathsig", Objects.requireNonNull(signal, "signal"), "--");
  }

  /**
   * Starts {@code pb} as it is from the owner thread that lives as long as this JVM, so that a
   * death signal armed in its command (see {@link #deathSignalPrefix}) fires only when this process
   * ends.
   */
  public static Process start(ProcessBuilder pb) throws IOException {
    try {
      return Launcher.THREAD.submit(pb::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot start " + String.join(" ", pb.command()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + String.join(" ", pb.command()), e);
    }
  }

  /**
   * Starts {@code pb} so that its program receives {@code signal} when this process ends, however
   * it ends. Where {@link #SETPRIV} is missing it starts {@code pb} unarmed and logs a warning
   * once.
   */
  public static Process startDyingWithOwner(ProcessBuilder pb, String signal) throws IOException {
    if (!available()) {
      if (warnedUnarmed.compareAndSet(false, true)) {
        log.log(
            System.Logger.Level.WARNING,
            SETPRIV
                + " (util-linux) is missing: child processes outlive this process when it is"
                + " killed");
      }
      return pb.start();
    }
    List<String> cmd = new ArrayList<>(deathSignalPrefix(signal));
    cmd.addAll(pb.command());
    List<String> original = pb.command();
    pb.command(cmd);
    try {
      return start(pb);
    } finally {
      pb.command(original);
    }
  }

  private static final class Launcher {
    static final ExecutorService THREAD =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("process-owner").daemon().factory());
  }
}
