package io.bulwark.diagnose.collect;

import com.sun.management.GcInfo;
import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.bulwark.diagnose.Observation;
import io.bulwark.diagnose.Signals;
import io.bulwark.diagnose.internal.Remedies;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the server process it runs in and its PostgreSQL database.
 *
 * <p>Process: CPU in cores (from the JVM's process CPU time), threads running Java code, resident
 * memory and open files (from {@code /proc/self} where there is one), heap in use and the live set
 * after the latest collection, share of time in GC pauses, allocation rate, the connection pool's
 * usage and waiters (its Micrometer meters), HTTP requests, mean latency and 5xx per second (the
 * server's {@code http.server.requests} timer, the meter {@code /metrics} exports), and free disk
 * space where its state lives. Database, over its own JDBC connection (so a full pool does not
 * blind it): statements running, sessions waiting for a lock and how long the longest statement has
 * run ({@code pg_stat_activity}, {@code pg_blocking_pids}); a statement running over a second is
 * also recorded with its text, backend pid and blockers. Rates are over the interval since the
 * previous sample. Not thread-safe: one recorder thread calls it.
 */
public final class ServerSampler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServerSampler.class);

  private static final String ACTIVITY =
      """
      SELECT pid, extract(epoch FROM clock_timestamp() - query_start) AS seconds,
             coalesce(wait_event_type, '') || coalesce(':' || wait_event, '') AS wait,
             pg_blocking_pids(pid) AS blocked_by, left(query, 500) AS query
        FROM pg_stat_activity
       WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()
         AND backend_type = 'client backend'
       ORDER BY query_start
      """;

  /**
   * The counter of calls to the dependency, tagged {@code outcome} ({@code success}, {@code error},
   * {@code rejected}), that the shop keeps for its payment network.
   */
  public static final String DEPENDENCY_CALLS = "bulwark.payment.gateway.calls";

  private final String component;
  private final String databaseComponent;
  private final String dependencyComponent;
  private final MeterRegistry registry;
  private final Path dir;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Clock clock;
  private final OperatingSystemMXBean os =
      ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
  private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());

  private Connection connection;
  private Previous previous;
  private long probeGcMillis;
  private Map<Long, Long> threadCpu = new HashMap<>();

  /**
   * A sampler of this process, named {@code component}, keeping its state in {@code dir}, of the
   * database at {@code jdbcUrl}, named {@code databaseComponent}, and of the dependency whose calls
   * {@value #DEPENDENCY_CALLS} counts, named {@code dependencyComponent}.
   */
  public ServerSampler(
      String component,
      String databaseComponent,
      String dependencyComponent,
      MeterRegistry registry,
      Path dir,
      String jdbcUrl,
      String user,
      String password,
      Clock clock) {
    this.component = component;
    this.databaseComponent = databaseComponent;
    this.dependencyComponent = dependencyComponent;
    this.registry = registry;
    this.dir = dir;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.clock = clock;
  }

  /** Takes one sample; the first one has no rates. */
  public Sample sample() {
    Instant at = clock.instant();
    long wall = System.nanoTime();
    Map<String, Double> process = new LinkedHashMap<>();
    List<Observation> observations = new ArrayList<>();
    Counters now = counters();
    double busy = busyThreads(previous == null ? 0 : (wall - previous.wall) / 1e9);
    if (previous != null) {
      process.put(Signals.BUSY_THREADS, busy);
      double seconds = (wall - previous.wall) / 1e9;
      if (seconds > 0) {
        process.put(Signals.CPU, (now.cpuNanos - previous.counters.cpuNanos) / 1e9 / seconds);
        process.put(Signals.GC_PAUSE, (now.gcMillis - previous.counters.gcMillis) / 1e3 / seconds);
        process.put(Signals.ALLOCATION, (now.allocated - previous.counters.allocated) / seconds);
        long requests = now.httpCount - previous.counters.httpCount;
        process.put(Signals.HTTP_RATE, requests / seconds);
        process.put(Signals.HTTP_ERRORS, (now.httpErrors - previous.counters.httpErrors) / seconds);
        if (requests > 0) {
          process.put(
              Signals.HTTP_LATENCY, (now.httpSeconds - previous.counters.httpSeconds) / requests);
        }
      }
    }
    Double dependencyRate = null;
    if (previous != null
        && now.dependencyFailures >= 0
        && previous.counters.dependencyFailures >= 0
        && wall > previous.wall) {
      dependencyRate =
          (now.dependencyFailures - previous.counters.dependencyFailures)
              / ((wall - previous.wall) / 1e9);
    }
    previous = new Previous(wall, now);
    process.put(
        Signals.HEAP_USED,
        (double) ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    liveHeap()
        .ifPresent(
            latest -> {
              process.put(Signals.HEAP_LIVE, latest.bytes);
              process.put(Signals.HEAP_LIVE_AGE, latest.ageSeconds);
            });
    procSelf(process);
    pool(process);
    try {
      process.put(Signals.DISK_FREE, (double) Files.getFileStore(dir).getUsableSpace());
    } catch (IOException e) {
      log.debug("no disk figures for {}: {}", dir, e.getMessage());
    }
    Map<String, Map<String, Double>> values = new HashMap<>();
    values.put(component, process);
    if (dependencyRate != null) {
      values.put(dependencyComponent, Map.of(Signals.DEPENDENCY_ERRORS, dependencyRate));
    }
    Map<String, Double> db = database(at, observations);
    if (!db.isEmpty()) {
      values.put(databaseComponent, db);
    }
    return new Sample(at, values, observations);
  }

  /** The observation naming this process, for solutions' commands. */
  public Observation processObservation() {
    return new Observation(
        clock.instant(),
        component,
        Remedies.PROCESS,
        Remedies.process(ProcessHandle.current().pid(), dir.toString()));
  }

  /**
   * Runs one full garbage collection ({@link System#gc()}) so that the next sample's live set is
   * current; its pause is left out of {@link Signals#GC_PAUSE} (the diagnosis asked for it, the
   * application did not cause it). Call it on the thread that samples.
   *
   * @return the milliseconds the collection took, or -1 when the JVM ignored the request ({@code
   *     -XX:+DisableExplicitGC})
   */
  public long collect() {
    long before = gcMillis();
    long count = gcCount();
    System.gc();
    long took = gcMillis() - before;
    probeGcMillis += took;
    return gcCount() == count ? -1 : took;
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, bean.getCollectionCount());
    }
    return n;
  }

  private static long gcMillis() {
    long gc = 0;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      // concurrent cycles run beside the application; only pauses stop it
      if (!bean.getName().contains("Concurrent") && bean.getCollectionTime() > 0) {
        gc += bean.getCollectionTime();
      }
    }
    return gc;
  }

  private Counters counters() {
    long gc = gcMillis() - probeGcMillis;
    long count = 0;
    double seconds = 0;
    long errors = 0;
    for (Timer t : registry.find("http.server.requests").timers()) {
      count += t.count();
      seconds += t.totalTime(java.util.concurrent.TimeUnit.SECONDS);
      String status = t.getId().getTag("status");
      if (status != null && status.startsWith("5")) {
        errors += t.count();
      }
    }
    long failed = 0;
    boolean dependency = false;
    for (io.micrometer.core.instrument.Counter c : registry.find(DEPENDENCY_CALLS).counters()) {
      dependency = true;
      if (!"success".equals(c.getId().getTag("outcome"))) {
        failed += (long) c.count();
      }
    }
    return new Counters(
        os.getProcessCpuTime(),
        gc,
        threads.getTotalThreadAllocatedBytes(),
        count,
        seconds,
        errors,
        dependency ? failed : -1);
  }

  /**
   * Threads other than this one whose CPU time grew by at least 5% of the {@code seconds} since the
   * previous sample; remembers every thread's CPU time for the next.
   */
  private double busyThreads(double seconds) {
    long self = Thread.currentThread().threadId();
    long[] ids = threads.getAllThreadIds();
    long[] cpu = threads.getThreadCpuTime(ids);
    Map<Long, Long> now = new HashMap<>();
    int busy = 0;
    for (int i = 0; i < ids.length; i++) {
      if (cpu[i] < 0 || ids[i] == self) {
        continue;
      }
      now.put(ids[i], cpu[i]);
      long before = threadCpu.getOrDefault(ids[i], cpu[i]);
      if (seconds > 0 && (cpu[i] - before) / 1e9 >= 0.05 * seconds) {
        busy++;
      }
    }
    threadCpu = now;
    return busy;
  }

  /**
   * Heap in use right after the latest collection, summed over the heap pools, and how long ago
   * that collection ended.
   */
  private java.util.Optional<LiveSet> liveHeap() {
    GcInfo latest = null;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof com.sun.management.GarbageCollectorMXBean sun
          && !bean.getName().contains("Concurrent")) {
        GcInfo info = sun.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
    }
    if (latest == null) {
      return java.util.Optional.empty();
    }
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : latest.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    double age =
        Math.max(0, ManagementFactory.getRuntimeMXBean().getUptime() - latest.getEndTime()) / 1e3;
    return java.util.Optional.of(new LiveSet(used, age));
  }

  private record LiveSet(double bytes, double ageSeconds) {}

  private static void procSelf(Map<String, Double> out) {
    Path self = Path.of("/proc/self");
    if (!Files.isDirectory(self)) {
      return;
    }
    try (Stream<String> lines = Files.lines(self.resolve("status"))) {
      lines
          .filter(l -> l.startsWith("VmRSS:"))
          .findFirst()
          .ifPresent(
              l ->
                  out.put(
                      Signals.RSS, Double.parseDouble(l.replaceAll("[^0-9]", "")) * 1024)); // kB
    } catch (IOException | NumberFormatException e) {
      log.debug("no /proc/self/status: {}", e.getMessage());
    }
    try (Stream<Path> fds = Files.list(self.resolve("fd"))) {
      out.put(Signals.OPEN_FILES, (double) fds.count());
    } catch (IOException e) {
      log.debug("no /proc/self/fd: {}", e.getMessage());
    }
  }

  private void pool(Map<String, Double> out) {
    double active = sum("hikaricp.connections.active");
    double max = sum("hikaricp.connections.max");
    if (max > 0) {
      out.put(Signals.POOL_USAGE, active / max);
      out.put(Signals.POOL_PENDING, sum("hikaricp.connections.pending"));
    }
  }

  private double sum(String gauge) {
    return registry.find(gauge).gauges().stream().mapToDouble(Gauge::value).sum();
  }

  private Map<String, Double> database(Instant at, List<Observation> observations) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (jdbcUrl == null) {
      return out;
    }
    try {
      if (connection == null || connection.isClosed()) {
        connection = DriverManager.getConnection(jdbcUrl, user, password);
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
          s.execute("SET application_name = 'bulwark-diagnose'");
          s.execute("SET statement_timeout = '2s'");
        }
      }
      int active = 0;
      int waiting = 0;
      double longest = 0;
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery(ACTIVITY)) {
        boolean first = true;
        while (rs.next()) {
          active++;
          String wait = rs.getString("wait");
          if (wait.startsWith("Lock")) {
            waiting++;
          }
          if (first) {
            first = false;
            longest = rs.getDouble("seconds");
            if (longest >= 1) {
              observations.add(
                  new Observation(
                      at,
                      databaseComponent,
                      Remedies.LONGEST_QUERY,
                      Map.of(
                          "pid", Integer.toString(rs.getInt("pid")),
                          "seconds", String.format(Locale.ROOT, "%.1f", longest),
                          "waitEvent", wait.isEmpty() ? "none" : wait,
                          "blockedBy", pids(rs.getArray("blocked_by")),
                          "query", rs.getString("query").strip().replaceAll("\\s+", " "))));
            }
          }
        }
      }
      out.put(Signals.ACTIVE_QUERIES, (double) active);
      out.put(Signals.LOCK_WAITERS, (double) waiting);
      out.put(Signals.LONGEST_QUERY, longest);
    } catch (SQLException e) {
      log.debug("database sample failed: {}", e.getMessage());
      closeConnection();
    }
    return out;
  }

  private static String pids(Array array) throws SQLException {
    if (array == null) {
      return "";
    }
    Object[] values = (Object[]) array.getArray();
    return Stream.of(values).map(String::valueOf).collect(Collectors.joining(","));
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing the sampler's connection: {}", e.getMessage());
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    closeConnection();
  }

  private record Counters(
      long cpuNanos,
      long gcMillis,
      long allocated,
      long httpCount,
      double httpSeconds,
      long httpErrors,
      long dependencyFailures) {}

  private record Previous(long wall, Counters counters) {}
}
