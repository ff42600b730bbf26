package io.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.testkit.TestPostgres;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Many concurrent writers with random expected versions, batch sizes and rollbacks; a reader tails
 * the whole log while they write. Afterwards every acknowledged append is readable exactly once, in
 * order, per stream and in the whole log; nothing rejected or rolled back appears; and the tailing
 * reader saw exactly the same sequence as a reader that starts after the fact.
 */
class ConcurrentAppendProperties {

  private static final AtomicInteger TRIES = new AtomicInteger();
  private static Database database;
  private static PostgresEventStore store;

  /**
   * One writer operation. {@code expectation}: 0 any, 1 no stream, 2 current, 3 a guess. {@code
   * mode}: 0 append in a caller's transaction and roll back, 1-2 append in a caller's transaction
   * that took its id first and stays open for a few more statements, then commit (commits out of
   * position order), else a plain append.
   */
  record Op(int stream, int expectation, int guess, int batch, int mode) {}

  @BeforeContainer
  static void createDatabase() {
    String name = "t_concurrent_append_" + ProcessHandle.current().pid();
    PostgresServer server = TestPostgres.server();
    server.createDatabaseIfMissing(name);
    database = Database.connect(server.jdbcUrl(name), PostgresServer.SUPERUSER, "", 20);
    database.migrate("eventstore");
    store = PostgresEventStore.builder(database.dataSource()).build();
  }

  @AfterContainer
  static void closeDatabase() {
    database.close();
  }

  @Property(tries = 12)
  void everyAcknowledgedAppendIsReadableExactlyOnceInOrderAndNothingElseAppears(
      @ForAll("plans") List<List<Op>> writers) throws Exception {
    String prefix = "p" + TRIES.incrementAndGet() + "-";
    LogPosition start = head();
    ConcurrentLinkedQueue<AppendResult> acknowledged = new ConcurrentLinkedQueue<>();
    Set<UUID> discarded = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<RecordedEvent> tailed = new ArrayList<>();
    Thread tail =
        Thread.ofPlatform()
            .start(
                () -> {
                  LogPosition at = start;
                  boolean last = false;
                  while (true) {
                    boolean finalPass = !writing.get();
                    List<RecordedEvent> page = store.readAll(at, 7);
                    tailed.addAll(page);
                    if (!page.isEmpty()) {
                      at = page.getLast().logPosition();
                    } else if (last) {
                      return;
                    } else {
                      last = finalPass;
                      Thread.onSpinWait();
                    }
                  }
                });

    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (List<Op> ops : writers) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                      for (Op op : ops) {
                        run(prefix, op, acknowledged, discarded);
                      }
                    } catch (Throwable t) {
                      errors.add(t);
                    }
                  }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    writing.set(false);
    tail.join();
    assertThat(errors).isEmpty();

    Map<String, List<RecordedEvent>> byStream =
        acknowledged.stream()
            .flatMap(r -> r.events().stream())
            .collect(Collectors.groupingBy(RecordedEvent::stream));
    for (var entry : byStream.entrySet()) {
      List<RecordedEvent> expected =
          entry.getValue().stream()
              .sorted(java.util.Comparator.comparingLong(RecordedEvent::version))
              .toList();
      assertThat(store.readStream(entry.getKey(), 1, 10_000))
          .as("stream %s holds exactly its acknowledged events in version order", entry.getKey())
          .containsExactlyElementsOf(expected);
      assertThat(expected)
          .extracting(RecordedEvent::version)
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, expected.size()).boxed().toList());
    }

    List<RecordedEvent> all = ownEvents(readAllAfter(start), prefix);
    Set<UUID> acknowledgedIds =
        acknowledged.stream()
            .flatMap(r -> r.events().stream())
            .map(RecordedEvent::eventId)
            .collect(Collectors.toSet());
    assertThat(all).extracting(RecordedEvent::eventId).doesNotHaveDuplicates();
    assertThat(ids(all)).isEqualTo(acknowledgedIds).doesNotContainAnyElementsOf(discarded);
    for (var entry :
        all.stream().collect(Collectors.groupingBy(RecordedEvent::stream)).entrySet()) {
      assertThat(entry.getValue())
          .as("readAll keeps the order of stream %s", entry.getKey())
          .isSortedAccordingTo(java.util.Comparator.comparingLong(RecordedEvent::version));
    }
    assertThat(ownEvents(tailed, prefix))
        .as("a reader tailing during the writes saw the same log, without gaps")
        .containsExactlyElementsOf(all);
  }

  private static void run(
      String prefix, Op op, Collection<AppendResult> acknowledged, Set<UUID> discarded)
      throws Exception {
    String stream = prefix + op.stream();
    ExpectedVersion expected =
        switch (op.expectation()) {
          case 0 -> ExpectedVersion.ANY;
          case 1 -> ExpectedVersion.NO_STREAM;
          case 2 -> ExpectedVersion.exactly(store.streamVersion(stream));
          default -> ExpectedVersion.exactly(op.guess());
        };
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < op.batch(); i++) {
      events.add(NewEvent.of("Written", Map.of("i", i)));
    }
    try {
      if (op.mode() == 0) {
        try (Connection c = database.dataSource().getConnection()) {
          c.setAutoCommit(false);
          store.append(c, stream, expected, events);
          c.rollback();
        }
        events.forEach(e -> discarded.add(e.eventId()));
      } else if (op.mode() <= 2) {
        try (Connection c = database.dataSource().getConnection()) {
          c.setAutoCommit(false);
          try (var st = c.createStatement()) {
            // Take a transaction id before appending, as a caller writing its own state would.
            st.execute("select pg_current_xact_id()");
            AppendResult result = store.append(c, stream, expected, events);
            for (int i = 0; i < 3; i++) {
              store.streamVersion(prefix + i);
            }
            c.commit();
            acknowledged.add(result);
          } catch (WrongExpectedVersionException | ConcurrentAppendException e) {
            c.rollback();
            throw e;
          }
        }
      } else {
        acknowledged.add(store.append(stream, expected, events));
      }
    } catch (WrongExpectedVersionException | ConcurrentAppendException e) {
      events.forEach(ev -> discarded.add(ev.eventId()));
    }
  }

  @Provide
  Arbitrary<List<List<Op>>> plans() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 9))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(25).list().ofMinSize(2).ofMaxSize(8);
  }

  private static LogPosition head() {
    List<RecordedEvent> all = readAllAfter(LogPosition.START);
    return all.isEmpty() ? LogPosition.START : all.getLast().logPosition();
  }

  private static List<RecordedEvent> readAllAfter(LogPosition start) {
    List<RecordedEvent> all = new ArrayList<>();
    for (List<RecordedEvent> page = store.readAll(start, 500);
        !page.isEmpty();
        page = store.readAll(page.getLast().logPosition(), 500)) {
      all.addAll(page);
    }
    return all;
  }

  private static List<RecordedEvent> ownEvents(List<RecordedEvent> events, String prefix) {
    return events.stream().filter(e -> e.stream().startsWith(prefix)).toList();
  }

  private static Set<UUID> ids(List<RecordedEvent> events) {
    return events.stream()
        .map(RecordedEvent::eventId)
        .collect(Collectors.toCollection(HashSet::new));
  }
}
