package io.bulwark.diagnose;

/**
 * The metric names the samplers record and the diagnosis reads. Rates are per second over the
 * interval between two samples.
 */
public final class Signals {

  /** CPU used by the process, in cores (1.0 = one core busy). */
  public static final String CPU = "process.cpu.cores";

  /**
   * Threads (other than the sampler's) that ran on a CPU for at least 5% of the interval: how many
   * threads are busy, which a machine busy with other work does not hide as it hides {@link #CPU}.
   */
  public static final String BUSY_THREADS = "jvm.threads.busy";

  /** Resident set size of the process, bytes. */
  public static final String RSS = "process.rss.bytes";

  /** Open file descriptors of the process. */
  public static final String OPEN_FILES = "process.open.files";

  /** Heap in use after the latest garbage collection (the live set), bytes. */
  public static final String HEAP_LIVE = "jvm.heap.live.bytes";

  /**
   * Seconds since the latest garbage collection ended: how old the {@link #HEAP_LIVE} reading is. A
   * live set older than the symptom says nothing about it (a large young generation can go minutes
   * without a collection).
   */
  public static final String HEAP_LIVE_AGE = "jvm.heap.live.age.seconds";

  /** Heap in use now, bytes. */
  public static final String HEAP_USED = "jvm.heap.used.bytes";

  /** Seconds spent in GC pauses per second. */
  public static final String GC_PAUSE = "jvm.gc.pause.ratio";

  /** Bytes allocated on the heap per second. */
  public static final String ALLOCATION = "jvm.gc.allocated.bytes.rate";

  /** Share of the connection pool in use, 0..1. */
  public static final String POOL_USAGE = "pool.usage";

  /** Threads waiting for a pool connection. */
  public static final String POOL_PENDING = "pool.pending";

  /** HTTP requests answered per second. */
  public static final String HTTP_RATE = "http.requests.rate";

  /** Mean HTTP response time over the interval, seconds. */
  public static final String HTTP_LATENCY = "http.latency.seconds";

  /** HTTP 5xx answers per second. */
  public static final String HTTP_ERRORS = "http.errors.rate";

  /** Failed calls to a dependency per second. */
  public static final String DEPENDENCY_ERRORS = "dependency.errors.rate";

  /** Usable space left on the file system of the component's state directory, bytes. */
  public static final String DISK_FREE = "disk.free.bytes";

  /** Seconds the longest-running active statement has been running. */
  public static final String LONGEST_QUERY = "pg.query.longest.seconds";

  /** Statements running now. */
  public static final String ACTIVE_QUERIES = "pg.queries.active";

  /** Sessions waiting for a lock. */
  public static final String LOCK_WAITERS = "pg.locks.waiting";

  private Signals() {}
}
