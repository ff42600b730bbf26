package io.bulwark.fleet.local;

import io.bulwark.fleet.Instance;
import io.bulwark.fleet.LaunchException;
import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.Provider;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.ZoneUnavailableException;
import io.bulwark.kernel.OwnedProcesses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs each instance as a child process on this machine, on its own free port on 127.0.0.1, with a
 * {@link ProcessCommand} per service (the built-in instance by default). Output goes to {@code
 * logDir/<id>.log} when a log directory is given, else nowhere.
 *
 * <p>Zones are simulated: {@link #failZone} kills every instance in a zone at once (SIGKILL) and
 * refuses launches there until {@link #restoreZone}. {@link #close()} kills whatever still runs.
 * Every instance gets SIGTERM when this process ends, even when it is killed with SIGKILL (see
 * {@link OwnedProcesses}); processes an instance forks itself are its own to end.
 */
public final class LocalProcessProvider implements Provider {
  private static final String HOST = "127.0.0.1";

  private final Map<String, ProcessCommand> commands;
  private final ProcessCommand defaultCommand;
  private final Optional<Path> logDir;
  private final Set<LocalInstance> running = ConcurrentHashMap.newKeySet();
  private final Set<Zone> failedZones = ConcurrentHashMap.newKeySet();

  private LocalProcessProvider(
      ProcessCommand defaultCommand, Map<String, ProcessCommand> commands, Optional<Path> logDir) {
    this.defaultCommand = defaultCommand;
    this.commands = Map.copyOf(commands);
    this.logDir = logDir;
  }

  /** Runs {@code command} for every service, discarding output. */
  public static LocalProcessProvider of(ProcessCommand command) {
    return new LocalProcessProvider(
        Objects.requireNonNull(command, "command"), Map.of(), Optional.empty());
  }

  /**
   * Runs {@code commands.get(service)} for a service, else {@code defaultCommand}; writes each
   * instance's output to {@code logDir} when present.
   */
  public static LocalProcessProvider of(
      ProcessCommand defaultCommand, Map<String, ProcessCommand> commands, Optional<Path> logDir) {
    return new LocalProcessProvider(
        Objects.requireNonNull(defaultCommand, "defaultCommand"),
        Objects.requireNonNull(commands, "commands"),
        Objects.requireNonNull(logDir, "logDir"));
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    if (failedZones.contains(spec.zone())) {
      throw new ZoneUnavailableException(spec.zone());
    }
    ProcessCommand command = commands.getOrDefault(spec.service(), defaultCommand);
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder(command.render(spec, port));
    pb.environment().putAll(command.renderEnvironment(spec, port));
    pb.redirectErrorStream(true);
    if (logDir.isPresent()) {
      try {
        Files.createDirectories(logDir.get());
      } catch (IOException e) {
        throw new LaunchException("cannot create log directory " + logDir.get(), e);
      }
      pb.redirectOutput(
          ProcessBuilder.Redirect.appendTo(
              logDir.get().resolve(spec.instanceId() + ".log").toFile()));
    } else {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    if (!command.watchesStdin()) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process process;
    try {
      // SIGTERM when this process dies, however it dies: an instance stops as it would on a scale
      // down, and none outlives its owner (for commands that do not watch stdin too)
      process = OwnedProcesses.startDyingWithOwner(pb, "SIGTERM");
    } catch (IOException e) {
      throw new LaunchException(
          "cannot start " + spec.instanceId() + ": " + String.join(" ", pb.command()), e);
    }
    LocalInstance instance =
        new LocalInstance(
            spec.instanceId(),
            spec.zone(),
            port,
            process,
            command.watchesStdin() ? process.getOutputStream() : null);
    running.add(instance);
    process.onExit().thenRun(() -> running.remove(instance));
    // The zone may have failed while the process started: failZone kills what is in `running`
    // once the zone is marked, so either it saw this instance or this check sees the mark. Without
    // it an instance launched as its zone was lost survived the loss (and a group counted it).
    if (failedZones.contains(spec.zone())) {
      instance.kill();
      throw new ZoneUnavailableException(spec.zone());
    }
    return instance;
  }

  /** Kills every instance in {@code zone} at once and refuses launches there until restored. */
  public void failZone(Zone zone) {
    failedZones.add(Objects.requireNonNull(zone, "zone"));
    for (LocalInstance i : List.copyOf(running)) {
      if (i.zone().equals(zone)) {
        i.kill();
      }
    }
  }

  /** Lets {@code zone} take instances again. */
  public void restoreZone(Zone zone) {
    failedZones.remove(zone);
  }

  /** Instances whose process still runs. */
  public List<Instance> running() {
    return List.copyOf(running);
  }

  /** Kills every instance still running and waits briefly for them to exit. */
  @Override
  public void close() {
    for (LocalInstance i : List.copyOf(running)) {
      i.kill();
    }
    for (LocalInstance i : List.copyOf(running)) {
      try {
        i.process.onExit().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new LaunchException("no free port on " + HOST, e);
    }
  }

  private static final class LocalInstance implements Instance {
    private final String id;
    private final Zone zone;
    private final int port;
    private final Process process;
    private final OutputStream stdin;

    LocalInstance(String id, Zone zone, int port, Process process, OutputStream stdin) {
      this.id = id;
      this.zone = zone;
      this.port = port;
      this.process = process;
      this.stdin = stdin;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Zone zone() {
      return zone;
    }

    @Override
    public String host() {
      return HOST;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.of(process.pid());
    }

    @Override
    public boolean isAlive() {
      return process.isAlive();
    }

    @Override
    public CompletableFuture<Void> stop(Duration grace) {
      if (!process.isAlive()) {
        closeStdin();
        return CompletableFuture.completedFuture(null);
      }
      process.destroy();
      return process
          .onExit()
          .orTimeout(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS)
          .handle(
              (p, e) -> {
                if (e != null) {
                  process.descendants().forEach(ProcessHandle::destroyForcibly);
                  process.destroyForcibly();
                }
                closeStdin();
                return null;
              });
    }

    @Override
    public void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }

    private void closeStdin() {
      if (stdin != null) {
        try {
          stdin.close();
        } catch (IOException e) {
          // The pipe is gone with the process.
        }
      }
    }

    @Override
    public String toString() {
      return id + "@" + zone + ":" + port + " pid " + process.pid();
    }
  }
}
