package io.bulwark.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction template against a real PostgreSQL: commits, rollbacks, retries, savepoints. */
class PostgresTransactionsTest {

  @TempDir static Path dir;
  static PostgresServer server;
  static Database database;
  static DataSource ds;

  PostgresTransactions tx;
  final List<String> ran = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    server =
        PostgresServer.builder(dir.resolve("pg"))
            .setting("fsync", "off")
            .setting("full_page_writes", "off")
            .build()
            .start();
    server.createDatabaseIfMissing("tx");
    database = Database.connect(server.jdbcUrl("tx"), PostgresServer.SUPERUSER, "", 8);
    ds = database.dataSource();
  }

  @AfterAll
  static void stop() {
    if (database != null) {
      database.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void tables() throws SQLException {
    execute(
        "drop table if exists items, doctors",
        "create table items (id int primary key, note text)",
        "create table doctors (id int primary key, on_call boolean not null)",
        "insert into doctors values (1, true), (2, true)");
    tx =
        PostgresTransactions.builder(ds)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .build();
  }

  @Test
  void commitsTheWorkAndRunsAfterCommitActionsOnlyOnceItIsVisible() {
    int result =
        tx.inTransaction(
            c -> {
              insert(c, 1);
              tx.afterCommit(() -> ran.add("visible=" + exists(1)));
              assertThat(exists(1)).as("not visible to others before the commit").isFalse();
              return 42;
            });

    assertThat(result).isEqualTo(42);
    assertThat(ran).containsExactly("visible=true");
    assertThat(tx.active()).isFalse();
  }

  @Test
  void rollsBackOnAnyFailureKeepsTheExceptionAndNeverRunsAfterCommitActions() {
    IllegalArgumentException domain = new IllegalArgumentException("no such thing");
    assertThatThrownBy(
            () ->
                tx.inTransaction(
                    c -> {
                      insert(c, 1);
                      tx.afterCommit(() -> ran.add("after"));
                      throw domain;
                    }))
        .isSameAs(domain);

    assertThatThrownBy(
            () ->
                tx.inTransaction(
                    c -> {
                      insert(c, 2);
                      tx.afterCommit(() -> ran.add("after"));
                      insert(c, 2);
                      return null;
                    }))
        .isInstanceOfSatisfying(
            DataAccessException.class, e -> assertThat(e.sqlState()).isEqualTo("23505"))
        .hasMessageContaining("SQL state 23505")
        .hasCauseInstanceOf(SQLException.class);

    assertThat(exists(1)).isFalse();
    assertThat(exists(2)).isFalse();
    assertThat(ran).isEmpty();
  }

  @Test
  void retriesASerializationFailureBetweenTwoSerializableTransactions() throws SQLException {
    PostgresTransactions serializable =
        PostgresTransactions.builder(ds)
            .isolation(PostgresTransactions.Isolation.SERIALIZABLE)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .build();
    AtomicInteger attempts = new AtomicInteger();
    List<Throwable> seen = new ArrayList<>();

    // Write skew: each transaction takes a doctor off call if two are on call. Serializable
    // execution must leave one on call; PostgreSQL aborts the second committer with 40001.
    boolean tookOff =
        serializable.inTransaction(
            c -> {
              int attempt = attempts.incrementAndGet();
              tx.afterCommit(() -> ran.add("attempt " + attempt));
              int onCall = onCall(c);
              if (attempt == 1) {
                try (Connection other = ds.getConnection()) {
                  other.setAutoCommit(false);
                  execute(other, "set transaction isolation level serializable");
                  assertThat(onCall(other)).isEqualTo(2);
                  execute(other, "update doctors set on_call = false where id = 2");
                  other.commit();
                }
              }
              if (onCall < 2) {
                return false;
              }
              try {
                execute(c, "update doctors set on_call = false where id = 1");
              } catch (SQLException e) {
                seen.add(e);
                throw e;
              }
              return true;
            });

    assertThat(attempts).hasValue(2);
    assertThat(tookOff).as("the retry sees the other commit").isFalse();
    assertThat(ran).containsExactly("attempt 2");
    try (Connection c = ds.getConnection()) {
      assertThat(onCall(c)).isEqualTo(1);
    }
    if (!seen.isEmpty()) { // else PostgreSQL refused the commit instead of the update
      assertThat(((SQLException) seen.getFirst()).getSQLState()).isEqualTo("40001");
    }
  }

  @Test
  void retriesTheVictimOfADeadlock() throws Exception {
    execute("insert into items values (1, 'a'), (2, 'b')");
    CountDownLatch firstLocked = new CountDownLatch(1);
    CountDownLatch secondLocked = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    List<String> victims = new CopyOnWriteArrayList<>();

    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Void> one =
          CompletableFuture.runAsync(
              () -> lockBoth(1, 2, firstLocked, secondLocked, attempts, victims), threads);
      CompletableFuture<Void> two =
          CompletableFuture.runAsync(
              () -> lockBoth(2, 1, secondLocked, firstLocked, attempts, victims), threads);
      CompletableFuture.allOf(one, two).get(30, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }

    assertThat(attempts).as("both ran once, the deadlock's victim once more").hasValue(3);
    assertThat(ran).hasSize(2);
    assertThat(victims).hasSize(1);
    assertThat(note(1)).isNotEqualTo("a");
    assertThat(note(2)).isNotEqualTo("b");
  }

  private void lockBoth(
      int first,
      int second,
      CountDownLatch mine,
      CountDownLatch theirs,
      AtomicInteger attempts,
      List<String> victims) {
    AtomicInteger own = new AtomicInteger();
    tx.inTransaction(
        c -> {
          attempts.incrementAndGet();
          boolean firstAttempt = own.incrementAndGet() == 1;
          execute(c, "set local deadlock_timeout = '50ms'");
          execute(c, "update items set note = 'by " + first + "' where id = " + first);
          if (firstAttempt) {
            mine.countDown();
            awaitLatch(theirs);
          }
          try {
            execute(c, "update items set note = 'by " + first + "' where id = " + second);
          } catch (SQLException e) {
            if ("40P01".equals(e.getSQLState())) {
              victims.add("transaction locking " + first + " first");
            }
            throw e;
          }
          tx.afterCommit(() -> ran.add("committed " + first));
          return null;
        });
  }

  @Test
  void aSavepointRollbackUndoesOnlyTheNestedWorkAndDropsItsActions() {
    tx.inTransaction(
        c -> {
          insert(c, 1);
          tx.afterCommit(() -> ran.add("outer"));
          assertThatThrownBy(
                  () ->
                      tx.nested(
                          inner -> {
                            insert(inner, 2);
                            tx.afterCommit(() -> ran.add("nested"));
                            insert(inner, 1); // unique violation: the statement fails
                            return null;
                          }))
              .isInstanceOf(DataAccessException.class);
          insert(c, 3); // the transaction is still usable
          String kept =
              tx.nested(
                  inner -> {
                    insert(inner, 4);
                    tx.afterCommit(() -> ran.add("nested kept"));
                    return "kept";
                  });
          assertThat(kept).isEqualTo("kept");
          return null;
        });

    assertThat(List.of(exists(1), exists(2), exists(3), exists(4)))
        .containsExactly(true, false, true, true);
    assertThat(ran).containsExactly("outer", "nested kept");
  }

  @Test
  void nestedWorkWithoutAnOpenTransactionIsATransactionOfItsOwn() {
    assertThatThrownBy(
            () ->
                tx.nested(
                    c -> {
                      insert(c, 1);
                      throw new IllegalStateException("undo");
                    }))
        .hasMessage("undo");
    tx.nested(c -> insert(c, 2));

    assertThat(exists(1)).isFalse();
    assertThat(exists(2)).isTrue();
  }

  @Test
  void callsInsideTheWorkJoinItsTransactionUnlessTheyAskForANewOne() {
    PostgresTransactions other = PostgresTransactions.of(ds); // same database, another instance
    tx.inTransaction(
        c -> {
          int pid = backendPid(c);
          insert(c, 1);
          int joinedPid = other.inTransaction(joined -> backendPid(joined));
          boolean seen = other.read(joined -> exists(joined, 1));
          assertThat(joinedPid).isEqualTo(pid);
          assertThat(seen).as("sees the open changes").isTrue();
          other.inNewTransaction(
              own -> {
                assertThat(backendPid(own)).isNotEqualTo(pid);
                insert(own, 2);
                other.afterCommit(() -> ran.add("own committed: " + exists(2)));
                return null;
              });
          assertThat(ran).containsExactly("own committed: true");
          assertThat(exists(1)).isFalse();
          return null;
        });
    assertThat(exists(1)).isTrue();
  }

  @Test
  void aCaughtFailureOfJoinedWorkDoomsTheTransaction() {
    assertThatThrownBy(
            () ->
                tx.inTransaction(
                    c -> {
                      insert(c, 1);
                      try {
                        tx.inTransaction(
                            joined -> {
                              insert(joined, 2);
                              throw new IllegalStateException("half done");
                            });
                      } catch (IllegalStateException swallowed) {
                        // the caller goes on as if nothing happened
                      }
                      tx.afterCommit(() -> ran.add("after"));
                      return null;
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot commit")
        .cause()
        .hasMessage("half done");

    assertThat(exists(1)).isFalse();
    assertThat(exists(2)).isFalse();
    assertThat(ran).isEmpty();
  }

  @Test
  void joinsATransactionTheCallerOwnsAndHandsItsActionsOver() throws SQLException {
    List<Runnable> handedOver = new ArrayList<>();
    try (Connection owned = ds.getConnection()) {
      owned.setAutoCommit(false);
      int pid = backendPid(owned);
      String result =
          tx.joining(
              owned,
              handedOver::add,
              () -> {
                int joinedPid = tx.inTransaction(c -> backendPid(c));
                assertThat(joinedPid).isEqualTo(pid);
                tx.inTransaction(c -> insert(c, 1));
                tx.afterCommit(() -> ran.add("after the owner's commit"));
                return "done";
              });
      assertThat(result).isEqualTo("done");
      assertThat(ran).as("the owner has not committed yet").isEmpty();
      assertThat(handedOver).hasSize(1);
      assertThat(exists(owned, 1)).isTrue();
      owned.rollback();
    }
    assertThat(exists(1)).as("joining neither commits nor rolls back").isFalse();
    assertThatThrownBy(
            () -> {
              try (Connection auto = ds.getConnection()) {
                tx.joining(auto, null, () -> null);
              }
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoCommit=false");
  }

  @Test
  void givesUpAfterTheConfiguredAttempts() {
    PostgresTransactions thrice =
        PostgresTransactions.builder(ds)
            .attempts(3)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(2))
            .build();
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                thrice.inTransaction(
                    c -> {
                      attempts.incrementAndGet();
                      insert(c, attempts.get());
                      throw new SQLException("could not serialize access", "40001");
                    }))
        .isInstanceOfSatisfying(
            DataAccessException.class, e -> assertThat(e.sqlState()).isEqualTo("40001"))
        .hasMessageContaining("failed 3 times");
    assertThat(attempts).hasValue(3);
    assertThat(List.of(exists(1), exists(2), exists(3))).containsOnly(false);
  }

  @Test
  void anInterruptStopsTheRetries() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try {
      assertThatThrownBy(
              () ->
                  tx.inTransaction(
                      c -> {
                        attempts.incrementAndGet();
                        Thread.currentThread().interrupt();
                        throw new SQLException("deadlock detected", "40P01");
                      }))
          .isInstanceOf(DataAccessException.class);
      assertThat(attempts).hasValue(1);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }

    PostgresTransactions patient =
        PostgresTransactions.builder(ds)
            .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flagKept = new AtomicReference<>();
    Thread worker =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    patient.inTransaction(
                        c -> {
                          throw new SQLException("could not serialize access", "40001");
                        });
                  } catch (RuntimeException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                  }
                });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> worker.getState() == Thread.State.TIMED_WAITING);
    worker.interrupt();
    worker.join(10_000);

    assertThat(thrown.get())
        .hasMessageContaining("interrupted while waiting to retry")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(thrown.get().getSuppressed()).hasSize(1);
    assertThat(flagKept.get()).isTrue();
  }

  @Test
  void singleStatementsBindInstantsCollectionsAndNulls() {
    Instant at = Instant.parse("2026-12-01T10:15:30.123456Z");
    execute("create table if not exists stamped (id int primary key, at timestamptz, note text)");
    execute("truncate stamped");

    assertThat(tx.update("insert into stamped values (?, ?, ?)", 1, at, null)).isEqualTo(1);
    assertThat(tx.update("insert into stamped values (?, ?, ?)", 2, at, "two")).isEqualTo(1);
    Optional<String> note =
        tx.updateFirst(
            "update stamped set note = coalesce(?, note) where id = ? returning note",
            rs -> rs.getString(1),
            null,
            2);
    List<Integer> ids =
        tx.query(
            "select id from stamped where note = any (?) or note is null order by id",
            rs -> rs.getInt(1),
            List.of("two", "three"));
    Optional<Instant> stored =
        tx.queryFirst(
            "select at from stamped where id = ?", rs -> rs.getTimestamp(1).toInstant(), 1);

    assertThat(note).contains("two");
    assertThat(ids).containsExactly(1, 2);
    assertThat(stored).contains(at);
    assertThat(tx.queryFirst("select 1 from stamped where id = ?", rs -> 1, 3)).isEmpty();
    assertThatThrownBy(() -> tx.update("insert into stamped values (?, ?, ?)", 1, at, null))
        .isInstanceOfSatisfying(
            DataAccessException.class, e -> assertThat(e.sqlState()).isEqualTo("23505"));
  }

  @Test
  void afterCommitWithoutATransactionRunsAtOnce() {
    tx.afterCommit(() -> ran.add("now"));
    assertThat(ran).containsExactly("now");
  }

  @Test
  void refusesBadSettings() {
    assertThatThrownBy(() -> PostgresTransactions.builder(ds).attempts(0))
        .hasMessageContaining("attempts");
    assertThatThrownBy(
            () -> PostgresTransactions.builder(ds).backoff(Duration.ofSeconds(2), Duration.ZERO))
        .hasMessageContaining("max");
    assertThatThrownBy(
            () ->
                PostgresTransactions.builder(ds)
                    .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("max must be >= first (PT2S) but was PT1S");
  }

  // ---------------------------------------------------------------- helpers

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other transaction never got its lock");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Void insert(Connection c, int id) throws SQLException {
    execute(c, "insert into items values (" + id + ", null)");
    return null;
  }

  private static boolean exists(int id) {
    try (Connection c = ds.getConnection()) {
      return exists(c, id);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean exists(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select 1 from items where id = " + id)) {
      return rs.next();
    }
  }

  private static String note(int id) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select note from items where id = " + id)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int onCall(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from doctors where on_call")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void execute(String... sql) {
    try (Connection c = ds.getConnection()) {
      for (String s : sql) {
        execute(c, s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
