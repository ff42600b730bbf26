package io.bulwark.bench.eventstore;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.eventstore.ExpectedVersion;
import io.bulwark.eventstore.NewEvent;
import io.bulwark.eventstore.PostgresEventStore;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Trees;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/**
 * Event-store append throughput and latency against a plain-SQL baseline, in one run, on an
 * embedded PostgreSQL started here with its durable defaults ({@code fsync=on}, {@code
 * synchronous_commit=on}).
 *
 * <p>Baseline: each writer runs {@code INSERT} of the same rows into a table created {@code LIKE
 * eventstore_events INCLUDING ALL} (same columns, defaults and indexes), then {@code COMMIT}; one
 * row per transaction for single appends, one JDBC batch of N rows (rewritten into one multi-row
 * insert) per transaction for batches. Both sides borrow a pooled connection per transaction from
 * the same HikariCP pool, and baseline and store alternate in rounds so load drift hits both. Event
 * store: {@link PostgresEventStore#append} with an exact expected version (so the version check,
 * stream row and event rows are all written) of 1 or N events. Each writer uses its own streams, so
 * there are no conflicts. For each writer count (1, 4, 16) and batch size (1, 10) it prints events
 * per second, p50 and p99 latency per call (including the commit), and ratios: event store /
 * baseline with the same batch, and event store batch / baseline single rows (what batching buys
 * over committing each event on its own).
 *
 * <p>Options: {@code --seconds N} per contender and cell (default 4), {@code --batch N} (default
 * 10), {@code --writers 1,4,16} (the default).
 */
public final class EventStoreBench {

  private static final int STREAMS_PER_WRITER = 50;
  private static final String DATA = "{\"orderId\":\"o-1\",\"sku\":\"apple\",\"quantity\":3}";

  private EventStoreBench() {}

  /** Runs the benchmark and prints the table. */
  public static void main(String[] args) throws Exception {
    int seconds = 4;
    int batch = 10;
    int[] writers = {1, 4, 16};
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      try {
        switch (args[i]) {
          case "--seconds" -> seconds = Integer.parseInt(value);
          case "--batch" -> batch = Integer.parseInt(value);
          case "--writers" ->
              writers = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage() + "; use --seconds N --batch N --writers 1,4,16");
        System.exit(2);
      }
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("bulwark-es-bench-");
    try (PostgresServer server = PostgresServer.builder(dir.resolve("data")).build().start()) {
      server.createDatabaseIfMissing("bench");
      try (Database db =
          Database.connect(server.jdbcUrl("bench"), PostgresServer.SUPERUSER, "", 20)) {
        db.migrate("eventstore");
        new EventStoreBench.Run(db, Duration.ofSeconds(seconds), batch).all(writers);
      }
    } finally {
      Trees.deleteQuietly(dir);
    }
  }

  /** What one contender did in one cell, summed over rounds. */
  private static final class Sample {
    final Histogram latency = new Histogram(60_000_000_000L, 3);
    long events;
    long nanos;

    double eventsPerSecond() {
      return events / (nanos / 1e9);
    }

    double p50Millis() {
      return latency.getValueAtPercentile(50) / 1e6;
    }

    double p99Millis() {
      return latency.getValueAtPercentile(99) / 1e6;
    }
  }

  private static final class Run {
    /** Baseline and store alternate this many times per cell, so load drift hits both alike. */
    private static final int ROUNDS = 4;

    private static final Duration WARMUP = Duration.ofMillis(500);

    private final Database db;
    private final Duration measure;
    private final int batch;
    private final PostgresEventStore store;

    Run(Database db, Duration measure, int batch) {
      this.db = db;
      this.measure = measure;
      this.batch = batch;
      this.store = PostgresEventStore.builder(db.dataSource()).build();
    }

    void all(int[] writerCounts) throws Exception {
      try (Connection c = db.dataSource().getConnection();
          var st = c.createStatement()) {
        st.execute("create table bench_baseline (like eventstore_events including all)");
        System.out.printf(
            Locale.ROOT,
            "PostgreSQL %s, fsync=%s, synchronous_commit=%s, %d CPUs, %d s per contender and"
                + " cell (%d alternating rounds)%n%n",
            setting(c, "server_version"),
            setting(c, "fsync"),
            setting(c, "synchronous_commit"),
            Runtime.getRuntime().availableProcessors(),
            measure.toSeconds(),
            ROUNDS);
      }
      // Warm the JIT, the pool and the server's caches before anything is recorded.
      for (int round = 0; round < ROUNDS; round++) {
        measure(4, 1, false, -1 - round, new Sample());
        measure(4, 1, true, -1 - round, new Sample());
      }
      System.out.println(
          "| writers | events/append | baseline ev/s | p50 ms | p99 ms | event store ev/s | p50 ms"
              + " | p99 ms | store / baseline | store / baseline 1-row |");
      System.out.println("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
      for (int writers : writerCounts) {
        Sample baselineSingle = null;
        for (int size : new int[] {1, batch}) {
          Sample baseline = new Sample();
          Sample eventStore = new Sample();
          for (int round = 0; round < ROUNDS; round++) {
            measure(writers, size, false, round, baseline);
            measure(writers, size, true, round, eventStore);
          }
          if (size == 1) {
            baselineSingle = baseline;
          }
          System.out.printf(
              Locale.ROOT,
              "| %d | %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2fx | %.2fx |%n",
              writers,
              size,
              baseline.eventsPerSecond(),
              baseline.p50Millis(),
              baseline.p99Millis(),
              eventStore.eventsPerSecond(),
              eventStore.p50Millis(),
              eventStore.p99Millis(),
              eventStore.eventsPerSecond() / baseline.eventsPerSecond(),
              eventStore.eventsPerSecond() / baselineSingle.eventsPerSecond());
        }
      }
    }

    private void measure(int writers, int size, boolean eventStore, int round, Sample into)
        throws Exception {
      Duration slice = measure.dividedBy(ROUNDS);
      Instant recordFrom = Instant.now().plus(WARMUP);
      Instant end = recordFrom.plus(slice);
      List<Histogram> histograms = new ArrayList<>();
      long[] events = new long[writers];
      CountDownLatch done = new CountDownLatch(writers);
      List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      String tag = (eventStore ? "es" : "base") + "-" + writers + "-" + size + "-" + round + "-";
      for (int w = 0; w < writers; w++) {
        Histogram h = new Histogram(60_000_000_000L, 3);
        histograms.add(h);
        int writer = w;
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    long[] versions = new long[STREAMS_PER_WRITER];
                    for (long i = 0; ; i++) {
                      Instant now = Instant.now();
                      if (!now.isBefore(end)) {
                        break;
                      }
                      int s = (int) (i % STREAMS_PER_WRITER);
                      String stream = tag + writer + "-" + s;
                      long t0 = System.nanoTime();
                      if (eventStore) {
                        appendEvents(stream, versions[s], size);
                      } else {
                        insertRows(stream, versions[s], size);
                      }
                      long nanos = System.nanoTime() - t0;
                      versions[s] += size;
                      if (!now.isBefore(recordFrom)) {
                        h.recordValue(nanos);
                        events[writer] += size;
                      }
                    }
                  } catch (Throwable t) {
                    errors.add(t);
                  } finally {
                    done.countDown();
                  }
                });
      }
      done.await();
      if (!errors.isEmpty()) {
        throw new IllegalStateException("a writer failed", errors.getFirst());
      }
      histograms.forEach(into.latency::add);
      for (long e : events) {
        into.events += e;
      }
      into.nanos += slice.toNanos();
    }

    private void appendEvents(String stream, long version, int size) {
      List<NewEvent> events = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        events.add(NewEvent.builder("ItemAdded").json(DATA).correlationId("bench").build());
      }
      store.append(stream, ExpectedVersion.exactly(version), events);
    }

    /** Borrows a pooled connection per transaction, exactly like the store's own appends. */
    private void insertRows(String stream, long version, int size) throws SQLException {
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        insertRows(c, stream, version, size);
        c.commit();
      }
    }

    private static void insertRows(Connection c, String stream, long version, int size)
        throws SQLException {
      try (PreparedStatement st =
          c.prepareStatement(
              "insert into bench_baseline (event_id, stream, version, type, schema_version, data,"
                  + " correlation_id, causation_id, recorded_at)"
                  + " values (?, ?, ?, ?, 1, ?::json, ?, null, ?)")) {
        Timestamp now = Timestamp.from(Instant.now());
        for (int k = 0; k < size; k++) {
          st.setObject(1, Ids.newId());
          st.setString(2, stream);
          st.setLong(3, version + k + 1);
          st.setString(4, "ItemAdded");
          st.setString(5, DATA);
          st.setString(6, "bench");
          st.setTimestamp(7, now);
          if (size == 1) {
            st.executeUpdate();
          } else {
            st.addBatch();
          }
        }
        if (size > 1) {
          st.executeBatch();
        }
      }
    }

    private static String setting(Connection c, String name) throws SQLException {
      try (PreparedStatement st = c.prepareStatement("select current_setting(?)")) {
        st.setString(1, name);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    }
  }
}
