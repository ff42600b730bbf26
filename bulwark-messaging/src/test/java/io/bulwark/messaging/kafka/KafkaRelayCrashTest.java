package io.bulwark.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.eventstore.Backoff;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.Redelivery;
import io.bulwark.messaging.cli.KafkaCommand;
import io.bulwark.messaging.postgres.PostgresDeadLetterQueue;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox relayed through a real Kafka broker ({@code bulwark kafka} in a child JVM) that is
 * killed with SIGKILL in the middle of the relay and restarted on the same directory and port:
 * every committed message reaches the consumer, none is applied twice, and each key's messages are
 * applied in the order they were published.
 */
class KafkaRelayCrashTest {

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.migrating("eventstore", "messaging");

  static final String TOPIC = "bulwark.orders";
  static final int MESSAGES = 400;
  static final int KEYS = 10;

  static DataSource dataSource;

  @TempDir Path dir;
  Process broker;

  @BeforeAll
  static void tables() throws Exception {
    dataSource = pg.database().dataSource();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute(
          "create table applied (n bigserial primary key, message_id uuid not null,"
              + " key text not null, seq int not null)");
      st.execute("create table orders (seq int primary key)");
    }
  }

  @AfterEach
  void stopBroker() {
    if (broker != null) {
      broker.destroyForcibly();
    }
  }

  @Test
  void aBrokerKilledMidRelayLosesNothingAndAppliesNothingTwice() throws Exception {
    int port = freePort();
    broker = startBroker(port);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(dataSource);
    List<UUID> published = new ArrayList<>();
    try (KafkaMessageBus bus =
        KafkaMessageBus.of(
            dataSource,
            dlq,
            KafkaSettings.builder("127.0.0.1:" + port).sendTimeout(Duration.ofSeconds(4)).build(),
            BusOptions.builder()
                .pollInterval(Duration.ofMillis(10))
                .redelivery(
                    new Redelivery(5, new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 2)))
                .meterRegistry(registry)
                .build())) {
      bus.subscribe(
          TOPIC,
          "shipping",
          (m, tx) -> {
            try (PreparedStatement st =
                tx.prepareStatement(
                    "insert into applied (message_id, key, seq) values (?, ?, ?)")) {
              st.setObject(1, m.messageId());
              st.setString(2, m.key());
              st.setInt(3, Integer.parseInt(m.payload().replaceAll("\\D", "")));
              st.executeUpdate();
            }
          });
      bus.start();

      publish(bus, 0, MESSAGES / 2, published);
      await().atMost(Duration.ofSeconds(90)).until(() -> applied().size() >= 50);

      broker.destroyForcibly().waitFor(); // SIGKILL: no clean shutdown, no flush
      publish(bus, MESSAGES / 2, MESSAGES, published);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> registry.counter("bulwark.eventstore.outbox.failures").count() > 0);

      broker = startBroker(port);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> applied().size() >= MESSAGES);
      assertThat(outboxSize()).isZero();
    }

    Map<UUID, Integer> applied = applied();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(published);
    assertThat(applied.values()).allMatch(n -> n == 1);
    assertThat(dlq.waiting()).isZero();
    for (Map.Entry<String, List<Integer>> key : seqByKeyInApplyOrder().entrySet()) {
      assertThat(key.getValue()).as("apply order of key %s", key.getKey()).isSorted();
    }
    assertThat(idsInTopic(port)).containsAll(published);
  }

  private void publish(KafkaMessageBus bus, int from, int to, List<UUID> published)
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (int seq = from; seq < to; seq++) {
        try (PreparedStatement st = c.prepareStatement("insert into orders values (?)")) {
          st.setInt(1, seq);
          st.executeUpdate();
        }
        UUID id = bus.publish(c, TOPIC, "order-" + (seq % KEYS), "{\"seq\":" + seq + "}");
        c.commit();
        published.add(id);
      }
    }
  }

  private Process startBroker(int port) throws IOException {
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                KafkaCommand.class.getName(),
                "--port",
                Integer.toString(port),
                "--dir",
                dir.resolve("kafka").toString())
            .redirectError(dir.resolve("broker-stderr.txt").toFile())
            .start();
    String line =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertThat(line).as("the broker's address on stdout").isEqualTo("127.0.0.1:" + port);
    return p;
  }

  private static Map<UUID, Integer> applied() throws Exception {
    Map<UUID, Integer> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select message_id from applied")) {
      while (rs.next()) {
        out.merge(rs.getObject(1, UUID.class), 1, Integer::sum);
      }
    }
    return out;
  }

  private static Map<String, List<Integer>> seqByKeyInApplyOrder() throws Exception {
    Map<String, List<Integer>> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select key, seq from applied order by n")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    return out;
  }

  private static long outboxSize() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from eventstore_outbox")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Set<UUID> idsInTopic(int port) {
    Set<UUID> ids = new HashSet<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers", "127.0.0.1:" + port,
                "group.id", "reconcile",
                "auto.offset.reset", "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (ids.size() < MESSAGES && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          ids.add(KafkaSubscriber.message(r).messageId());
        }
      }
    }
    return ids;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
