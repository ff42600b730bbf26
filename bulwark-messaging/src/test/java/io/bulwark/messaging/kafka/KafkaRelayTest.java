package io.bulwark.messaging.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.eventstore.Backoff;
import io.bulwark.eventstore.Outbox;
import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.eventstore.OutboxRelay;
import io.bulwark.messaging.BusOptions;
import io.bulwark.messaging.Redelivery;
import io.bulwark.messaging.cli.KafkaCommand;
import io.bulwark.messaging.internal.Subscriptions;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox relayed through a real Kafka broker ({@code bulwark kafka} in a child JVM): a relay
 * round goes out as a batch in a few produce requests, and a broker killed with SIGKILL in the
 * middle of the relay (or of one batch) and restarted on the same directory and port loses nothing:
 * every committed message reaches the consumer, none is applied twice, and each key's messages are
 * applied in the order they were published.
 */
class KafkaRelayTest {

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

  @BeforeEach
  void emptyTables() throws Exception {
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute(
          "truncate applied, orders, eventstore_outbox, eventstore_processed_messages,"
              + " messaging_dead_letters");
    }
    KillBrokerMidBatch.reset();
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
      bus.subscribe(TOPIC, "shipping", KafkaRelayTest::apply);
      bus.start();

      publish(bus::publish, 0, MESSAGES / 2, published);
      await().atMost(Duration.ofSeconds(90)).until(() -> applied().size() >= 50);

      broker.destroyForcibly().waitFor(); // SIGKILL: no clean shutdown, no flush
      publish(bus::publish, MESSAGES / 2, MESSAGES, published);
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
    Set<UUID> inTopic = new HashSet<>();
    for (ConsumerRecord<String, String> r : recordsInTopic(port, MESSAGES)) {
      inTopic.add(KafkaSubscriber.message(r).messageId());
    }
    assertThat(inTopic).containsAll(published);
  }

  @Test
  void sendsAWholeRelayRoundInAFewProduceRequestsKeepingEachKeysOrder() throws Exception {
    int port = freePort();
    broker = startBroker(port);
    KafkaSettings settings = KafkaSettings.of("127.0.0.1:" + port);
    createTopic(settings);
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(dataSource);
    try (KafkaOutboxSink sink = new KafkaOutboxSink(settings, dlq, Redelivery.defaults())) {
      OutboxRelay relay = OutboxRelay.builder(dataSource, sink).batchSize(MESSAGES).build();
      List<UUID> published = new ArrayList<>();
      publish(Outbox::enqueue, 0, 1, published);
      assertThat(relay.relayOnce()).as("warm-up: metadata, producer id, connection").isEqualTo(1);
      double recordsBefore = sink.producerMetric("record-send-total");
      double requestsBefore = sink.producerMetric("request-total");

      publish(Outbox::enqueue, 1, MESSAGES + 1, published);
      assertThat(relay.relayOnce()).isEqualTo(MESSAGES);

      double records = sink.producerMetric("record-send-total") - recordsBefore;
      double requests = sink.producerMetric("request-total") - requestsBefore;
      assertThat(records).isEqualTo(MESSAGES);
      // One message per round trip would take at least one request per record.
      assertThat(requests)
          .as("requests for %s records", MESSAGES)
          .isLessThanOrEqualTo(MESSAGES / 20);
      assertThat(outboxSize()).isZero();

      Map<String, List<Integer>> seqByKey = new HashMap<>();
      Set<UUID> ids = new HashSet<>();
      for (ConsumerRecord<String, String> r : recordsInTopic(port, MESSAGES + 1)) {
        ids.add(KafkaSubscriber.message(r).messageId());
        seqByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq(r.value()));
      }
      assertThat(ids).containsExactlyInAnyOrderElementsOf(published);
      assertThat(seqByKey).hasSize(KEYS);
      seqByKey.forEach((key, seqs) -> assertThat(seqs).as("order of key %s", key).isSorted());
    }
  }

  @Test
  void aBrokerKilledInTheMiddleOfABatchLosesNothingAndAppliesNothingTwice() throws Exception {
    int port = freePort();
    broker = startBroker(port);
    KafkaSettings settings =
        KafkaSettings.builder("127.0.0.1:" + port).sendTimeout(Duration.ofSeconds(4)).build();
    createTopic(settings);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PostgresDeadLetterQueue dlq = PostgresDeadLetterQueue.of(dataSource);
    Redelivery redelivery =
        new Redelivery(5, new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 2));
    Subscriptions subscriptions = new Subscriptions(dataSource, dlq, redelivery, registry);
    subscriptions.add(TOPIC, "shipping", KafkaRelayTest::apply);
    subscriptions.freeze();
    List<UUID> published = new ArrayList<>();
    publish(Outbox::enqueue, 0, MESSAGES, published);
    // The relay's first round is all MESSAGES; at its 100th send, once the broker has
    // acknowledged some of the records before it, the broker is killed.
    KillBrokerMidBatch.arm(MESSAGES / 2, () -> broker.destroyForcibly().waitFor());

    try (KafkaSubscriber consumer =
            new KafkaSubscriber(settings, "shipping", Set.of(TOPIC), subscriptions);
        KafkaOutboxSink sink =
            new KafkaOutboxSink(
                settings,
                dlq,
                redelivery,
                Map.of("interceptor.classes", KillBrokerMidBatch.class.getName()));
        OutboxRelay relay =
            OutboxRelay.builder(dataSource, sink)
                .batchSize(MESSAGES)
                .pollInterval(Duration.ofMillis(10))
                .backoff(redelivery.backoff())
                .meterRegistry(registry)
                .build()) {
      consumer.start();
      relay.start();
      await().atMost(Duration.ofSeconds(60)).until(KillBrokerMidBatch::fired);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> registry.counter("bulwark.eventstore.outbox.failures").count() > 0);
      assertThat(outboxSize()).as("nothing past the failure is marked relayed").isPositive();

      broker = startBroker(port);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> applied().size() >= MESSAGES && outboxSize() == 0);
    }

    assertThat(KillBrokerMidBatch.acknowledgedBeforeKill())
        .as("records of the batch acknowledged before the kill")
        .isBetween(1, MESSAGES / 2 - 1);
    Map<UUID, Integer> applied = applied();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(published);
    assertThat(applied.values()).allMatch(n -> n == 1);
    assertThat(dlq.waiting()).isZero();
    for (Map.Entry<String, List<Integer>> key : seqByKeyInApplyOrder().entrySet()) {
      assertThat(key.getValue()).as("apply order of key %s", key.getKey()).isSorted();
    }
    Set<UUID> inTopic = new HashSet<>();
    for (ConsumerRecord<String, String> r : recordsInTopic(port, MESSAGES)) {
      inTopic.add(KafkaSubscriber.message(r).messageId());
    }
    assertThat(inTopic).containsAll(published);
  }

  /**
   * Kills the broker from inside the producer's {@code send} of the relay's {@code killAt}th
   * record, after the broker acknowledged at least one earlier record: a kill in the middle of a
   * batch, whatever the machine's speed.
   */
  public static final class KillBrokerMidBatch implements ProducerInterceptor<String, String> {
    private static final AtomicInteger sends = new AtomicInteger();
    private static final AtomicInteger acks = new AtomicInteger();
    private static volatile CountDownLatch firstAck = new CountDownLatch(1);
    private static volatile int killAt = Integer.MAX_VALUE;
    private static volatile Callable<?> kill;
    private static volatile int acknowledgedBeforeKill = -1;

    /** Kafka instantiates it. */
    public KillBrokerMidBatch() {}

    static void arm(int at, Callable<?> killer) {
      killAt = at;
      kill = killer;
    }

    static void reset() {
      sends.set(0);
      acks.set(0);
      firstAck = new CountDownLatch(1);
      killAt = Integer.MAX_VALUE;
      kill = null;
      acknowledgedBeforeKill = -1;
    }

    static boolean fired() {
      return acknowledgedBeforeKill >= 0;
    }

    static int acknowledgedBeforeKill() {
      return acknowledgedBeforeKill;
    }

    @Override
    public ProducerRecord<String, String> onSend(ProducerRecord<String, String> record) {
      if (sends.incrementAndGet() == killAt && kill != null) {
        try {
          assertThat(firstAck.await(30, TimeUnit.SECONDS)).as("an acknowledgement").isTrue();
          acknowledgedBeforeKill = acks.get();
          kill.call();
        } catch (Exception e) {
          throw new IllegalStateException("cannot kill the broker mid-batch", e);
        }
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
      if (exception == null) {
        acks.incrementAndGet();
        firstAck.countDown();
      }
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  private static void apply(OutboxMessage m, Connection tx) throws SQLException {
    try (PreparedStatement st =
        tx.prepareStatement("insert into applied (message_id, key, seq) values (?, ?, ?)")) {
      st.setObject(1, m.messageId());
      st.setString(2, m.key());
      st.setInt(3, seq(m.payload()));
      st.executeUpdate();
    }
  }

  private static int seq(String payload) {
    return Integer.parseInt(payload.replaceAll("\\D", ""));
  }

  /**
   * Enqueues one message on the caller's transaction: {@code Outbox::enqueue} or a bus's publish.
   */
  @FunctionalInterface
  interface Publisher {
    UUID publish(Connection transaction, String topic, String key, String payload);
  }

  private static void createTopic(KafkaSettings settings) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", settings.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void publish(Publisher publisher, int from, int to, List<UUID> published)
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      for (int seq = from; seq < to; seq++) {
        try (PreparedStatement st = c.prepareStatement("insert into orders values (?)")) {
          st.setInt(1, seq);
          st.executeUpdate();
        }
        UUID id = publisher.publish(c, TOPIC, "order-" + (seq % KEYS), "{\"seq\":" + seq + "}");
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

  /** The topic's records, in partition order, once {@code distinct} message ids were read. */
  private static List<ConsumerRecord<String, String>> recordsInTopic(int port, int distinct) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
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
      while (ids.size() < distinct && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          records.add(r);
          ids.add(KafkaSubscriber.message(r).messageId());
        }
      }
    }
    return records;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }
}
