package io.bulwark.bench.messaging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.bulwark.eventstore.IdempotentConsumer;
import io.bulwark.kernel.Trees;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.MessageBus;
import io.bulwark.messaging.kafka.KafkaMessageBus;
import io.bulwark.messaging.kafka.KafkaSettings;
import io.bulwark.messaging.kafka.LocalKafkaBroker;
import io.bulwark.messaging.postgres.PostgresDeadLetterQueue;
import io.bulwark.messaging.postgres.PostgresMessageBus;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/**
 * Messages per second through the bus's two transports in one run, on one machine: the PostgreSQL
 * outbox relayed straight to a consumer in this process (the default), and the same outbox relayed
 * to a local Kafka broker (KRaft, in this JVM) by the idempotent producer and read back by a
 * consumer group. The consumer is the same in both: an {@link IdempotentConsumer} whose effect
 * inserts one row, committed with the message id.
 *
 * <ul>
 *   <li>drain: {@code --messages N} (default 5000) committed in the outbox beforehand, in
 *       transactions of 10 over 100 keys; the clock runs from starting the bus until the last
 *       effect commits;
 *   <li>latency at a fixed rate: {@code --rate R} messages/s (default 100) published one per
 *       transaction for {@code --seconds S} (default 10); p50/p99/max from each publishing commit
 *       to its effect's commit.
 * </ul>
 *
 * Transports alternate for {@code --rounds N} (default 2) rounds so load drift hits both. The
 * database is an embedded PostgreSQL with its durable defaults (fsync on, synchronous commit).
 *
 * <p>The bench places no orders: its orders/s column is the drain's messages/s divided by {@code
 * --messages-per-order K} (default {@value #MESSAGES_PER_ORDER}, what one confirmed one-line order
 * of the shop publishes with {@code --kafka}: {@code OrderPlaced}, {@code InventoryReserved},
 * {@code PaymentCharged} and {@code OrderConfirmed} on {@code bulwark.orders}, {@code
 * InventoryReserved} on {@code bulwark.inventory}), and the output says so.
 */
public final class MessagingBench {

  private static final String TOPIC = "bench.orders";
  private static final int KEYS = 100;
  private static final int MESSAGES_PER_ORDER = 5;

  private MessagingBench() {}

  /** Runs the benchmark and prints the table. */
  public static void main(String[] args) throws Exception {
    int messages = 5_000;
    int rate = 100;
    int seconds = 10;
    int rounds = 2;
    int perOrder = MESSAGES_PER_ORDER;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      try {
        switch (args[i]) {
          case "--messages" -> messages = Integer.parseInt(value);
          case "--rate" -> rate = Integer.parseInt(value);
          case "--seconds" -> seconds = Integer.parseInt(value);
          case "--rounds" -> rounds = Integer.parseInt(value);
          case "--messages-per-order" -> perOrder = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      } catch (IllegalArgumentException e) {
        System.err.println(
            e.getMessage()
                + "; use --messages N --rate R --seconds S --rounds N --messages-per-order K");
        System.exit(2);
      }
    }
    if (perOrder < 1) {
      System.err.println("--messages-per-order must be >= 1 but was " + perOrder);
      System.exit(2);
    }
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("bulwark-messaging-bench-");
    try (PostgresServer server = PostgresServer.builder(dir.resolve("pg")).build().start();
        LocalKafkaBroker broker = LocalKafkaBroker.start(dir.resolve("kafka"), 0)) {
      server.createDatabaseIfMissing("bench");
      try (Database db =
          Database.connect(server.jdbcUrl("bench"), PostgresServer.SUPERUSER, "", 20)) {
        db.migrate("eventstore");
        db.migrate("messaging");
        try (Connection c = db.dataSource().getConnection();
            var st = c.createStatement()) {
          st.execute(
              "create table bench_effects (message_id uuid primary key, published_at timestamptz"
                  + " not null, applied_at timestamptz not null default clock_timestamp())");
        }
        System.out.printf(
            Locale.ROOT,
            "messaging bench: %d CPUs, load average %.1f at start; drain %d messages (100 keys,"
                + " 10 per transaction); latency at %d messages/s for %d s; %d alternating"
                + " rounds%n"
                + "orders/s = drain msg/s / %d (messages one confirmed order publishes; the bench"
                + " places no orders)%n%n",
            Runtime.getRuntime().availableProcessors(),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
            messages,
            rate,
            seconds,
            rounds,
            perOrder);
        System.out.printf(
            Locale.ROOT,
            "%-9s %5s %14s %10s %12s %12s %12s%n",
            "transport",
            "round",
            "drain msg/s",
            "orders/s",
            "p50 ms",
            "p99 ms",
            "max ms");
        for (int round = 1; round <= rounds; round++) {
          for (String transport : new String[] {"postgres", "kafka"}) {
            Supplier<MessageBus> bus = () -> bus(transport, db, broker);
            double drain = drain(db, bus, messages);
            Histogram latency = latency(db, bus, rate, seconds);
            System.out.printf(
                Locale.ROOT,
                "%-9s %5d %14.0f %10.0f %12.1f %12.1f %12.1f%n",
                transport,
                round,
                drain,
                drain / perOrder,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0);
          }
        }
      }
    } finally {
      Trees.deleteQuietly(dir);
    }
  }

  private static MessageBus bus(String transport, Database db, LocalKafkaBroker broker) {
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(db.dataSource());
    BusOptions options = BusOptions.builder().pollInterval(Duration.ofMillis(5)).build();
    MessageBus bus =
        transport.equals("postgres")
            ? PostgresMessageBus.of(db.dataSource(), dlq, options)
            : KafkaMessageBus.of(
                db.dataSource(), dlq, KafkaSettings.of(broker.bootstrapServers()), options);
    bus.subscribe(
        TOPIC,
        "bench-" + transport,
        (m, tx) -> {
          try (PreparedStatement st =
              tx.prepareStatement(
                  "insert into bench_effects (message_id, published_at) values (?, ?)")) {
            st.setObject(1, m.messageId());
            st.setTimestamp(2, Timestamp.from(m.createdAt()));
            st.executeUpdate();
          }
        });
    return bus;
  }

  /** Messages/s from starting the bus on a full outbox until the last effect commits. */
  @SuppressWarnings("try") // the bus only has to run while the loop waits
  private static double drain(Database db, Supplier<MessageBus> bus, int messages)
      throws Exception {
    reset(db);
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "insert into eventstore_outbox (message_id, topic, key, payload) values (?, ?, ?,"
                    + " ?)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < messages; i++) {
        st.setObject(1, UUID.randomUUID());
        st.setString(2, TOPIC);
        st.setString(3, "order-" + (i % KEYS));
        st.setString(4, "{\"n\":" + i + "}");
        st.addBatch();
        if (i % 10 == 9) {
          st.executeBatch();
          c.commit();
        }
      }
      st.executeBatch();
      c.commit();
    }
    long start = System.nanoTime();
    try (MessageBus b = bus.get().start()) {
      while (applied(db) < messages) {
        Thread.sleep(20);
      }
      long nanos = System.nanoTime() - start;
      return messages / (nanos / 1e9);
    }
  }

  /** Publish-commit to effect-commit latency, in microseconds, at {@code rate} messages/s. */
  private static Histogram latency(Database db, Supplier<MessageBus> bus, int rate, int seconds)
      throws Exception {
    reset(db);
    int total = rate * seconds;
    try (MessageBus b = bus.get().start()) {
      Thread.sleep(1000); // consumers join their group
      long intervalNanos = 1_000_000_000L / rate;
      long start = System.nanoTime();
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        for (int i = 0; i < total; i++) {
          long due = start + i * intervalNanos;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          b.publish(c, TOPIC, "order-" + (i % KEYS), "{\"n\":" + i + "}");
          c.commit();
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (applied(db) < total && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
    Histogram h = new Histogram(600_000_000L, 3);
    try (Connection c = db.dataSource().getConnection();
        var st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select extract(epoch from (applied_at - published_at)) * 1000000"
                    + " from bench_effects")) {
      while (rs.next()) {
        h.recordValue(Math.max(0, Math.min(600_000_000L, rs.getLong(1))));
      }
    }
    return h;
  }

  private static long applied(Database db) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from bench_effects")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void reset(Database db) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        var st = c.createStatement()) {
      st.execute(
          "truncate bench_effects, eventstore_outbox, eventstore_processed_messages,"
              + " messaging_dead_letters");
    }
  }
}
