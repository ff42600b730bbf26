package io.bulwark.diagnose.chaos;

import io.bulwark.diagnose.ChangeEvent;
import io.bulwark.diagnose.ChangeLog;
import io.bulwark.diagnose.DiagnoseException;
import io.bulwark.diagnose.Fault;
import io.bulwark.kernel.Ids;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection inside a server process, for operators rehearsing a diagnosis: every injection is
 * bounded in time ({@value #MAX_MINUTES} minutes at most), undone when stopped, when it expires and
 * when the server stops, and recorded in the {@link ChangeLog} as a change event.
 *
 * <ul>
 *   <li>{@code cpu-hog} on the process: one thread per core spinning on the CPU;
 *   <li>{@code gc-pressure} on the process: one thread allocating short-lived 64 KiB arrays as fast
 *       as it can;
 *   <li>{@code memory-leak} on the process: 20 MiB/s kept on the heap, up to a third of the maximum
 *       heap (at most 512 MiB), released at the end;
 *   <li>{@code pool-exhaustion} on the process: every connection of its pool taken and held idle in
 *       a transaction, so its requests wait for one;
 *   <li>{@code disk-fill} on the process: a file of {@value #DISK_FILL_MAX_MIB} MiB, never more
 *       than a quarter of the free space, allocated in its own directory at once ({@code
 *       fallocate}; written when that is missing) and deleted at the end (the free space the
 *       process sees drops; nothing outside its directory is touched);
 *   <li>{@code dependency-down} on the payment network: its simulator answers every call with 503
 *       for the duration ({@code POST /outage}), and is told to recover at the end;
 *   <li>{@code slow-query} on the database: a transaction holding an {@code ACCESS EXCLUSIVE} lock
 *       on the lock table while a reader waits for it, so statements on that table (the shop's
 *       catalog, in a shop process) queue behind the lock.
 * </ul>
 */
public final class Chaos implements AutoCloseable {

  /** The longest injection allowed. */
  public static final int MAX_MINUTES = 10;

  private static final Logger log = LoggerFactory.getLogger(Chaos.class);
  private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final int KEPT = 100;

  /** The most a disk-fill writes, MiB. */
  public static final int DISK_FILL_MAX_MIB = 2048;

  private static final int FILL_CHUNK = 8 << 20;

  private final String processComponent;
  private final String databaseComponent;
  private final String dependencyComponent;
  private final Supplier<Optional<URI>> dependency;
  private final DataSource dataSource;
  private final String lockTable;
  private final Path directory;
  private final Clock clock;
  private final ChangeLog changes;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("bulwark-chaos-timer").unstarted(r));
  private final Map<String, Active> active = new LinkedHashMap<>();
  private final List<Injection> ended = new ArrayList<>();

  /**
   * Chaos for the process named {@code processComponent}, its database named {@code
   * databaseComponent} (reached through {@code dataSource}), whose slow-query fault locks {@code
   * lockTable}, and the dependency named {@code dependencyComponent}: a payment simulator at the
   * URL {@code dependency} gives when asked (empty: none, so no dependency-down). A disk-fill
   * writes under {@code directory} (the process's own state directory).
   *
   * @throws IllegalArgumentException when {@code lockTable} is not a plain lower-case table name
   */
  public Chaos(
      String processComponent,
      String databaseComponent,
      String dependencyComponent,
      Supplier<Optional<URI>> dependency,
      DataSource dataSource,
      String lockTable,
      Path directory,
      Clock clock,
      ChangeLog changes) {
    if (!TABLE.matcher(lockTable).matches()) {
      throw new IllegalArgumentException(
          "lockTable must match " + TABLE.pattern() + " but was \"" + lockTable + "\"");
    }
    this.processComponent = processComponent;
    this.databaseComponent = databaseComponent;
    this.dependencyComponent = dependencyComponent;
    this.dependency = dependency;
    this.dataSource = dataSource;
    this.lockTable = lockTable;
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = clock;
    this.changes = changes;
  }

  /** The faults this server can inject, with the component each targets. */
  public Map<Fault, String> supported() {
    Map<Fault, String> m = new LinkedHashMap<>();
    m.put(Fault.CPU_HOG, processComponent);
    m.put(Fault.GC_PRESSURE, processComponent);
    m.put(Fault.MEMORY_LEAK, processComponent);
    m.put(Fault.POOL_EXHAUSTION, processComponent);
    m.put(Fault.DISK_FILL, processComponent);
    m.put(Fault.SLOW_QUERY, databaseComponent);
    if (dependency.get().isPresent()) {
      m.put(Fault.DEPENDENCY_DOWN, dependencyComponent);
    }
    return m;
  }

  /**
   * Injects {@code fault} into {@code target} for {@code duration}.
   *
   * @throws DiagnoseException.InvalidInput for a fault this server cannot inject, a target that
   *     fault cannot run against, or a duration outside 1 s..10 min
   * @throws DiagnoseException.AlreadyInjected when that fault already runs on that target
   * @throws DiagnoseException.InjectionFailed when the database refused the slow-query lock
   */
  public synchronized Injection inject(String fault, String target, Duration duration) {
    Fault f =
        Fault.of(fault)
            .orElseThrow(
                () ->
                    new DiagnoseException.InvalidInput(
                        "$.fault", "fault must be one of " + Fault.names() + " but was " + fault));
    String component = supported().get(f);
    if (component == null) {
      throw new DiagnoseException.InvalidInput(
          "$.fault",
          "fault "
              + fault
              + " cannot be injected by this server yet; it can inject "
              + String.join(", ", supported().keySet().stream().map(Fault::slug).toList()));
    }
    if (!component.equals(target)) {
      throw new DiagnoseException.InvalidInput(
          "$.target", "fault " + fault + " runs on target " + component + " but was " + target);
    }
    if (duration.compareTo(Duration.ofSeconds(1)) < 0
        || duration.compareTo(Duration.ofMinutes(MAX_MINUTES)) > 0) {
      throw new DiagnoseException.InvalidInput(
          "$.duration", "duration must be between 1s and " + MAX_MINUTES + "m but was " + duration);
    }
    for (Active a : active.values()) {
      if (a.injection.fault() == f && a.injection.target().equals(target)) {
        throw new DiagnoseException.AlreadyInjected(
            fault + " already runs on " + target + " as " + a.injection.id());
      }
    }
    Instant now = clock.instant();
    String id = "chaos-" + Ids.newId(clock);
    Running running =
        switch (f) {
          case CPU_HOG -> spin(id);
          case GC_PRESSURE -> garbage(id);
          case MEMORY_LEAK -> leak(id);
          case SLOW_QUERY -> lock(id);
          case POOL_EXHAUSTION -> hold(id);
          case DISK_FILL -> fill(id);
          case DEPENDENCY_DOWN -> outage(dependency.get().orElseThrow(), duration);
          default -> throw new IllegalStateException("not injectable: " + f);
        };
    Injection injection =
        new Injection(
            id,
            f,
            target,
            now,
            now.plus(duration),
            running.description,
            Injection.Status.ACTIVE,
            Optional.empty());
    ScheduledFuture<?> expiry =
        timers.schedule(
            () -> end(id, Injection.Status.EXPIRED), duration.toMillis(), TimeUnit.MILLISECONDS);
    active.put(id, new Active(injection, running, expiry));
    changes.record(change(injection));
    log.warn("chaos: injected {} on {} until {} ({})", f, target, injection.until(), id);
    return injection;
  }

  /** Every injection still running, then the recently ended ones, newest last. */
  public synchronized List<Injection> list() {
    List<Injection> all = new ArrayList<>(ended);
    active.values().forEach(a -> all.add(a.injection));
    return all;
  }

  /**
   * Stops injection {@code id}; stopping one that already ended returns it as it ended.
   *
   * @throws DiagnoseException.NotFound when no injection has that id
   */
  public Injection stop(String id) {
    Optional<Injection> stopped = end(id, Injection.Status.STOPPED);
    if (stopped.isPresent()) {
      return stopped.get();
    }
    synchronized (this) {
      return ended.stream()
          .filter(i -> i.id().equals(id))
          .findFirst()
          .orElseThrow(() -> new DiagnoseException.NotFound("no chaos injection " + id));
    }
  }

  /** Stops every running injection; returns them. */
  public List<Injection> stopAll() {
    List<String> ids;
    synchronized (this) {
      ids = List.copyOf(active.keySet());
    }
    return ids.stream().flatMap(id -> end(id, Injection.Status.STOPPED).stream()).toList();
  }

  private Optional<Injection> end(String id, Injection.Status status) {
    Active a;
    synchronized (this) {
      a = active.remove(id);
      if (a == null) {
        return Optional.empty();
      }
    }
    a.expiry.cancel(false);
    a.running.undo();
    Injection done = a.injection.ended(status, clock.instant());
    synchronized (this) {
      ended.add(done);
      while (ended.size() > KEPT) {
        ended.removeFirst();
      }
    }
    changes.record(change(done));
    log.warn(
        "chaos: {} {} on {} ({})", status.name().toLowerCase(), done.fault(), done.target(), id);
    return Optional.of(done);
  }

  private static ChangeEvent change(Injection i) {
    return new ChangeEvent(
        i.id(),
        ChangeEvent.Kind.CHAOS,
        i.target(),
        i.startedAt(),
        Optional.of(i.endedAt().orElse(i.until())),
        "chaos " + i.fault().slug() + ": " + i.description());
  }

  @Override
  public void close() {
    stopAll();
    timers.shutdownNow();
  }

  private Running spin(String id) {
    int cores = Runtime.getRuntime().availableProcessors();
    Running r = new Running(cores + " thread(s) spinning, one per core");
    for (int t = 0; t < cores; t++) {
      r.thread(
          id + "-" + t,
          () -> {
            double x = 1;
            while (!r.stopped) {
              for (int i = 0; i < 100_000; i++) {
                x = Math.sqrt(x + i);
              }
            }
            r.sink = x;
          });
    }
    return r;
  }

  private Running garbage(String id) {
    Running r = new Running("one thread allocating short-lived 64 KiB arrays as fast as it can");
    r.thread(
        id,
        () -> {
          byte[][] slots = new byte[16][];
          int i = 0;
          while (!r.stopped) {
            slots[i++ & 15] = new byte[64 * 1024];
          }
          r.sink = slots.length;
        });
    return r;
  }

  private Running leak(String id) {
    long cap = Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 3);
    Running r =
        new Running(
            "20 MiB/s kept on the heap, up to " + (cap >> 20) + " MiB, released at the end");
    List<byte[]> kept = new ArrayList<>();
    long step = 32 * 64 * 1024; // 2 MiB every 100 ms on the chaos timer, up to the cap
    ScheduledFuture<?> growing =
        timers.scheduleAtFixedRate(
            () -> {
              synchronized (kept) {
                if ((long) kept.size() * 64 * 1024 + step <= cap) {
                  for (int i = 0; i < 32; i++) {
                    kept.add(new byte[64 * 1024]);
                  }
                }
              }
            },
            0,
            100,
            TimeUnit.MILLISECONDS);
    r.onUndo(() -> growing.cancel(false));
    r.onUndo(
        () -> {
          synchronized (kept) {
            kept.clear();
          }
        });
    return r;
  }

  private Running lock(String id) {
    Running r =
        new Running(
            "a transaction holds an ACCESS EXCLUSIVE lock on "
                + lockTable
                + "; statements on it wait");
    Connection holder;
    try {
      holder = dataSource.getConnection();
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SET LOCAL application_name = 'bulwark-chaos'");
        s.execute("LOCK TABLE " + lockTable + " IN ACCESS EXCLUSIVE MODE");
      }
    } catch (SQLException e) {
      throw new DiagnoseException.InjectionFailed(
          "could not lock " + lockTable + ": " + e.getMessage(), e);
    }
    Statement[] waiting = new Statement[1];
    r.thread(
        id,
        () -> {
          while (!r.stopped) {
            try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
              synchronized (waiting) {
                waiting[0] = s;
              }
              s.executeQuery("SELECT count(*) FROM " + lockTable).close();
            } catch (SQLException e) {
              if (!r.stopped) {
                log.debug("chaos reader: {}", e.getMessage());
              }
            }
          }
        });
    r.onUndo(
        () -> {
          try {
            holder.rollback();
            holder.close();
          } catch (SQLException e) {
            log.warn("chaos: releasing the lock on {} failed: {}", lockTable, e.getMessage());
          }
          synchronized (waiting) {
            if (waiting[0] != null) {
              try {
                waiting[0].cancel();
              } catch (SQLException e) {
                log.debug("chaos reader cancel: {}", e.getMessage());
              }
            }
          }
        });
    return r;
  }

  private Running hold(String id) {
    Running r = new Running("every connection of the pool held idle in a transaction");
    List<Connection> held = new ArrayList<>();
    r.thread(
        id,
        () -> {
          while (!r.stopped) {
            try {
              Connection c = dataSource.getConnection();
              c.setAutoCommit(false);
              try (Statement s = c.createStatement()) {
                s.execute("SELECT 1 /* bulwark chaos pool-exhaustion */");
              }
              synchronized (held) {
                if (r.stopped) {
                  c.close();
                  return;
                }
                held.add(c);
              }
            } catch (SQLException e) {
              // the pool is empty (its timeout passed): keep asking, as a stuck caller would
              log.debug("chaos pool holder: {}", e.getMessage());
            }
          }
        });
    r.onUndo(
        () -> {
          synchronized (held) {
            for (Connection c : held) {
              try {
                c.rollback();
                c.close();
              } catch (SQLException e) {
                log.warn("chaos: returning a held connection failed: {}", e.getMessage());
              }
            }
            held.clear();
          }
        });
    return r;
  }

  private Running fill(String id) {
    Path chaos = directory.resolve("chaos");
    long bound;
    try {
      Files.createDirectories(chaos);
      bound =
          Math.min((long) DISK_FILL_MAX_MIB << 20, Files.getFileStore(chaos).getUsableSpace() / 4);
    } catch (IOException e) {
      throw new DiagnoseException.InjectionFailed(
          "cannot write under " + chaos + ": " + e.getMessage(), e);
    }
    Path file = chaos.resolve(id + ".fill");
    boolean allocated = fallocate(file, bound);
    Running r =
        new Running(
            (allocated ? "a file allocated under " : "a file written under ")
                + chaos
                + ", "
                + (bound >> 20)
                + " MiB, deleted at the end");
    if (!allocated) {
      r.thread(id, () -> write(file, bound, r));
    }
    r.afterThreads(
        () -> {
          try {
            Files.deleteIfExists(file);
          } catch (IOException e) {
            log.warn("chaos: could not delete {}: {}", file, e.getMessage());
          }
        });
    return r;
  }

  /**
   * Reserves {@code bytes} for {@code file} at once with {@code fallocate(1)}, as Chaos Mesh's disk
   * fill does: the blocks are taken without writing them, so the fault costs no CPU or I/O that
   * would look like another fault. False when there is no {@code fallocate} or the file system does
   * not support it.
   */
  private static boolean fallocate(Path file, long bytes) {
    try {
      Process p =
          new ProcessBuilder("fallocate", "-l", Long.toString(bytes), file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return true;
      }
      p.destroyForcibly();
    } catch (IOException e) {
      log.debug("chaos: no fallocate: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("chaos: {}: {}", file, e.getMessage());
    }
    return false;
  }

  /** Writes {@code bound} bytes of noise to {@code file} as fast as the disk takes them. */
  private static void write(Path file, long bound, Running r) {
    ByteBuffer chunk = ByteBuffer.allocateDirect(FILL_CHUNK);
    // not zeros: a file system that compresses or dedups must still spend the space
    new Random(1).ints(FILL_CHUNK / 4).forEach(chunk::putInt);
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      while (!r.stopped && written + FILL_CHUNK <= bound) {
        chunk.clear();
        while (chunk.hasRemaining()) {
          written += out.write(chunk);
        }
      }
    } catch (IOException e) {
      log.warn("chaos: disk-fill stopped writing {}: {}", file, e.getMessage());
    }
  }

  private Running outage(URI simulator, Duration duration) {
    Running r = new Running("the payment network at " + simulator + " answers every call with 503");
    outage(simulator, Math.max(1, (duration.toMillis() + 999) / 1000));
    r.onUndo(
        () -> {
          try {
            outage(simulator, 0);
          } catch (DiagnoseException e) {
            // it recovers by itself when the outage it was given ends
            log.warn("chaos: ending the payment network's outage failed: {}", e.getMessage());
          }
        });
    return r;
  }

  /** Tells the simulator at {@code simulator} to be down for {@code seconds} (0: up again). */
  private static void outage(URI simulator, long seconds) {
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(simulator.resolve("/outage"))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\":" + seconds + "}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new DiagnoseException.InjectionFailed(
            "the payment network at " + simulator + " answered " + r.statusCode(), null);
      }
    } catch (IOException e) {
      throw new DiagnoseException.InjectionFailed(
          "cannot reach the payment network at " + simulator + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiagnoseException.InjectionFailed("interrupted", e);
    }
  }

  private record Active(Injection injection, Running running, ScheduledFuture<?> expiry) {}

  /** An injection's workers and how to undo it. */
  private static final class Running {
    final String description;
    final List<Thread> threads = new ArrayList<>();
    final List<Runnable> undo = new ArrayList<>();
    final List<Runnable> afterThreads = new ArrayList<>();
    volatile boolean stopped;
    volatile Object sink;

    Running(String description) {
      this.description = description;
    }

    void thread(String id, Runnable body) {
      threads.add(Thread.ofPlatform().daemon().name("bulwark-" + id).start(body));
    }

    void onUndo(Runnable action) {
      undo.add(action);
    }

    /** Runs {@code action} when undone, once the workers have stopped. */
    void afterThreads(Runnable action) {
      afterThreads.add(action);
    }

    void undo() {
      stopped = true;
      undo.forEach(Runnable::run);
      for (Thread t : threads) {
        t.interrupt();
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      afterThreads.forEach(Runnable::run);
    }
  }
}
