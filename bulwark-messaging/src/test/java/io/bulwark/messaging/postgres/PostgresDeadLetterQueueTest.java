package io.bulwark.messaging.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.eventstore.OutboxMessage;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.MessagingException;
import io.bulwark.testkit.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresDeadLetterQueueTest {

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.migrating("eventstore", "messaging");

  DataSource dataSource;
  SimpleMeterRegistry registry;
  PostgresDeadLetterQueue queue;

  @BeforeEach
  void freshQueue() throws Exception {
    dataSource = pg.database().dataSource();
    try (Connection c = dataSource.getConnection();
        var st = c.createStatement()) {
      st.execute("delete from messaging_dead_letters");
    }
    registry = new SimpleMeterRegistry();
    queue = PostgresDeadLetterQueue.of(dataSource, Clock.systemUTC(), registry);
  }

  @Test
  void keepsAFailureOncePerConsumerAndMessageWithItsPayloadErrorAndAttempts() {
    OutboxMessage m = message("{\"order\":1}");
    Failure f = Failure.ofMessage("shipping", m, new IllegalStateException("carrier down"), 5);

    assertThat(queue.add(f)).isTrue();
    assertThat(queue.add(f)).isFalse();
    assertThat(queue.add(Failure.ofMessage("billing", m, new RuntimeException("x"), 5))).isTrue();

    List<DeadLetter> dead = queue.list(DeadLetter.Status.DEAD, 10);
    assertThat(dead).hasSize(2);
    DeadLetter shipping =
        dead.stream().filter(d -> d.consumer().equals("shipping")).findFirst().orElseThrow();
    assertThat(shipping.messageId()).isEqualTo(m.messageId().toString());
    assertThat(shipping.payload()).isEqualTo("{\"order\":1}");
    assertThat(shipping.error()).isEqualTo("IllegalStateException: carrier down");
    assertThat(shipping.attempts()).isEqualTo(5);
    assertThat(shipping.topic()).isEqualTo("bulwark.orders");
    assertThat(shipping.key()).isEqualTo("order-1");
    assertThat(shipping.source()).isEqualTo("message");
    assertThat(shipping.status()).isEqualTo(DeadLetter.Status.DEAD);
    assertThat(shipping.resolvedAt()).isNull();
    assertThat(queue.find(shipping.id())).contains(shipping);
    assertThat(queue.waiting()).isEqualTo(2);
    assertThat(registry.counter("bulwark.dlq.dead.lettered").count()).isEqualTo(2);
    assertThat(registry.get("bulwark.dlq.messages").gauge().value()).isEqualTo(2);
  }

  @Test
  void replayingOneLetterTwiceOrFromManyThreadsAtOnceAppliesItOnce() throws Exception {
    UUID id = deadLetter("shipping");
    AtomicInteger effects = new AtomicInteger();
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    queue.onReplay(
        "shipping",
        letter -> {
          // an idempotent effect: applied once per message id
          boolean first = seen.add(letter.messageId());
          if (first) {
            effects.incrementAndGet();
          }
          return first;
        });
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<DeadLetterQueue.Replayed>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return queue.replay(id);
              }));
    }
    go.countDown();
    int appliedNow = 0;
    for (Future<DeadLetterQueue.Replayed> r : results) {
      DeadLetterQueue.Replayed replayed = r.get();
      assertThat(replayed.letter().status()).isEqualTo(DeadLetter.Status.REPLAYED);
      appliedNow += replayed.applied() ? 1 : 0;
    }
    pool.shutdown();

    assertThat(appliedNow).isEqualTo(1);
    assertThat(effects).hasValue(1);
    assertThat(queue.replay(id).applied()).isFalse();
    assertThat(effects).hasValue(1);
    assertThat(queue.waiting()).isZero();
    assertThat(registry.counter("bulwark.dlq.replayed").count()).isEqualTo(1);
    assertThat(queue.find(id).orElseThrow().resolvedAt()).isNotNull();
  }

  @Test
  void aReplayWhoseEffectFailsAgainLeavesTheLetterWithOneMoreAttemptAndTheNewError() {
    UUID id = deadLetter("shipping");
    queue.onReplay(
        "shipping",
        letter -> {
          throw new IllegalStateException("still down");
        });

    assertThatThrownBy(() -> queue.replay(id))
        .isInstanceOf(MessagingException.ReplayFailed.class)
        .hasMessageContaining("attempt 6")
        .hasMessageContaining("still down")
        .hasCauseInstanceOf(IllegalStateException.class);
    DeadLetter letter = queue.find(id).orElseThrow();
    assertThat(letter.status()).isEqualTo(DeadLetter.Status.DEAD);
    assertThat(letter.attempts()).isEqualTo(6);
    assertThat(letter.error()).isEqualTo("IllegalStateException: still down");
  }

  @Test
  void discardsOnceRefusesToReplayADiscardedLetterAndToDiscardAReplayedOne() {
    UUID discarded = deadLetter("shipping");
    UUID replayed = deadLetter("shipping");
    queue.onReplay("shipping", letter -> true);

    assertThat(queue.discard(discarded).status()).isEqualTo(DeadLetter.Status.DISCARDED);
    assertThat(queue.discard(discarded).status()).isEqualTo(DeadLetter.Status.DISCARDED);
    assertThat(registry.counter("bulwark.dlq.discarded").count()).isEqualTo(1);
    assertThatThrownBy(() -> queue.replay(discarded))
        .isInstanceOf(MessagingException.AlreadyResolved.class)
        .hasMessageContaining("was discarded at");

    queue.replay(replayed);
    assertThatThrownBy(() -> queue.discard(replayed))
        .isInstanceOf(MessagingException.AlreadyResolved.class)
        .hasMessageContaining("was replayed at");
    assertThat(queue.list(null, 10)).hasSize(2);
    assertThat(queue.list(DeadLetter.Status.DISCARDED, 10))
        .extracting(DeadLetter::id)
        .containsExactly(discarded);
  }

  @Test
  void saysWhatIsMissingForAnUnknownLetterOrAConsumerNotRunningHere() {
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> queue.replay(unknown))
        .isInstanceOf(MessagingException.NotFound.class)
        .hasMessage("no dead letter " + unknown);
    assertThatThrownBy(() -> queue.discard(unknown))
        .isInstanceOf(MessagingException.NotFound.class);
    UUID id = deadLetter("analytics");
    assertThatThrownBy(() -> queue.replay(id))
        .isInstanceOf(MessagingException.NoConsumer.class)
        .hasMessageContaining("no consumer \"analytics\" runs in this process");
    assertThat(queue.find(id).orElseThrow().status()).isEqualTo(DeadLetter.Status.DEAD);
    assertThatThrownBy(() -> queue.list(null, 0))
        .isInstanceOf(MessagingException.InvalidInput.class)
        .hasMessage("limit must be in 1..1000 but was 0");
  }

  @Test
  void aTaskFailureAddedOnTheCallersTransactionExistsOnlyIfItCommits() throws Exception {
    Failure task =
        Failure.ofTask(
            "order-saga",
            "ProcessPayment",
            "token-1",
            "{\"orderId\":\"o-1\"}",
            new RuntimeException("PaymentFailedError"),
            3,
            Instant.parse("2026-11-27T06:00:00Z"));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      assertThat(queue.add(c, task)).isTrue();
      c.rollback();
      assertThat(queue.waiting()).isZero();
      assertThat(queue.add(c, task)).isTrue();
      c.commit();
    }
    DeadLetter letter = queue.list(DeadLetter.Status.DEAD, 1).getFirst();
    assertThat(letter.source()).isEqualTo("task");
    assertThat(letter.consumer()).isEqualTo("order-saga");
    assertThat(letter.topic()).isEqualTo("ProcessPayment");
    assertThat(letter.messageId()).isEqualTo("token-1");
    assertThat(letter.createdAt()).isEqualTo(Instant.parse("2026-11-27T06:00:00Z"));
  }

  @Test
  void aSourceReplayerTakesLettersOfThatSourceWhoseConsumerHasNoReplayerOfItsOwn() {
    queue.add(
        Failure.ofTask(
            "fulfil",
            "Ship",
            "arn#run-0",
            "{}",
            new IllegalStateException("down"),
            3,
            Instant.now()));
    UUID task = queue.list(null, 10).getFirst().id();
    UUID message = deadLetter("billing");
    List<String> replayedBy = new ArrayList<>();
    queue.onReplayOfSource(
        Failure.TASK,
        letter -> {
          replayedBy.add("tasks:" + letter.consumer());
          return true;
        });

    assertThat(queue.replay(task).applied()).isTrue();
    assertThat(replayedBy).containsExactly("tasks:fulfil");
    // a message letter is not the task source's
    assertThatThrownBy(() -> queue.replay(message))
        .isInstanceOf(MessagingException.NoConsumer.class);
    // a consumer's own replayer comes first
    queue.add(
        Failure.ofTask(
            "refund",
            "Pay",
            "arn#run-0",
            "{}",
            new IllegalStateException("down"),
            1,
            Instant.now()));
    UUID own =
        queue.list(DeadLetter.Status.DEAD, 10).stream()
            .filter(d -> d.consumer().equals("refund"))
            .findFirst()
            .orElseThrow()
            .id();
    queue.onReplay(
        "refund",
        letter -> {
          replayedBy.add("own:" + letter.consumer());
          return true;
        });
    assertThat(queue.replay(own).applied()).isTrue();
    assertThat(replayedBy).containsExactly("tasks:fulfil", "own:refund");
  }

  private UUID deadLetter(String consumer) {
    OutboxMessage m = message("{}");
    queue.add(Failure.ofMessage(consumer, m, new IllegalStateException("down"), 5));
    return queue.list(null, 1000).stream()
        .filter(d -> d.messageId().equals(m.messageId().toString()))
        .findFirst()
        .orElseThrow()
        .id();
  }

  private static OutboxMessage message(String payload) {
    return new OutboxMessage(
        UUID.randomUUID(), "bulwark.orders", "order-1", payload, Instant.now(), 4);
  }
}
