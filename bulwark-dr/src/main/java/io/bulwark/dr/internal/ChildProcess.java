package io.bulwark.dr.internal;

import io.bulwark.kernel.OwnedProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JVM child process on this JVM's class path (a ZooKeeper server, a member agent), with its
 * output appended to a log file and its pid in a pid file, so that a later Bulwark process can find
 * (and stop) it. Started to die with its owner, it ends with this process, even when this process
 * is killed with SIGKILL (see {@link OwnedProcesses}).
 */
public final class ChildProcess {

  private final Path pidFile;
  private final Process process;

  private ChildProcess(Path pidFile, Process process) {
    this.pidFile = pidFile;
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with {@code args}; {@code logbackConfig} configures its logging. Stops
   * a process still named in {@code pidFile} first (left by a crashed run). With {@code
   * dieWithOwner} the kernel kills it (SIGKILL) when this process ends, however it ends; without,
   * it outlives this process (for a command that starts a process it hands over).
   */
  public static ChildProcess start(
      String mainClass,
      List<String> args,
      String maxHeap,
      Path logFile,
      Path pidFile,
      Path logbackConfig,
      boolean dieWithOwner) {
    stopStale(pidFile);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-Dlogback.configurationFile=" + logbackConfig);
    cmd.add("-Dzookeeper.admin.enableServer=false");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    try {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(pidFile.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE);
      // SIGKILL, as a crash: the owner is gone, so nothing would wait for a clean stop
      Process p = dieWithOwner ? OwnedProcesses.startDyingWithOwner(pb, "SIGKILL") : pb.start();
      Files.writeString(pidFile, Long.toString(p.pid()));
      return new ChildProcess(pidFile, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  /** The pid. */
  public long pid() {
    return process.pid();
  }

  /** Whether it runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM, then SIGKILL after {@code graceSeconds}; waits for the exit. */
  public void stop(int graceSeconds) {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // a stale pid file is handled at the next start
    }
  }

  /** SIGKILL, as a crash; waits for the exit. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The live Java process named in {@code pidFile}, if any. */
  public static Optional<ProcessHandle> running(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void stopStale(Path pidFile) {
    running(pidFile)
        .ifPresent(
            h -> {
              h.destroy();
              try {
                h.onExit().get(20, TimeUnit.SECONDS);
              } catch (Exception e) {
                h.destroyForcibly();
              }
            });
  }

  /** Writes the logging configuration children use: INFO, quiet ZooKeeper and Curator. */
  public static Path writeLogbackConfig(Path file) {
    String xml =
        """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %-5level %logger{0} - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.apache.zookeeper" level="WARN"/>
          <logger name="org.apache.curator" level="WARN"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """;
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, xml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
