package io.bulwark.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read pool against a real PostgreSQL without standbys: where its reads say they ran, that its
 * own pool refuses writes, and which failures it does not retry. Reads on a real standby, and the
 * fallback when it stops, are in bulwark-commerce's {@code ReplicaReadsTest}.
 */
class ReadPoolTest {

  @TempDir static Path dir;
  static PostgresServer server;
  static Database primary;

  @BeforeAll
  static void start() {
    server = PostgresServer.builder(dir.resolve("pg")).setting("fsync", "off").build().start();
    server.createDatabaseIfMissing("reads");
    primary = Database.connect(server.jdbcUrl("reads"), PostgresServer.SUPERUSER, "", 4);
  }

  @AfterAll
  static void stop() {
    if (primary != null) {
      primary.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void readsOnThePrimarysPoolSayPrimaryWithoutAskingAndLeaveThatPoolOpen() {
    try (ReadPool reads = ReadPool.onPrimary(primary)) {
      ReadPool.Result<Integer> r =
          reads.read(c -> one(c.createStatement().executeQuery("select 7")));
      assertThat(r).isEqualTo(new ReadPool.Result<>(7, ReadPool.Source.PRIMARY));
      assertThat(reads.separate()).isFalse();
      assertThat(reads.lagSeconds()).isZero();
    }
    assertThat(primary.reachable()).as("the primary's pool belongs to its owner").isTrue();
  }

  @Test
  void aSeparatePoolOnAPrimaryFindsItIsOneAndRefusesWrites() {
    try (ReadPool reads =
        ReadPool.separate(
            Database.connectReadOnly(
                server.jdbcUrl("reads"), PostgresServer.SUPERUSER, "", 2, null),
            Duration.ofMillis(100))) {
      ReadPool.Result<Integer> r =
          reads.read(c -> one(c.createStatement().executeQuery("select 8")));
      assertThat(r).isEqualTo(new ReadPool.Result<>(8, ReadPool.Source.PRIMARY));
      assertThat(reads.database().pool().getPoolName()).isEqualTo("bulwark-read");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                assertThat(reads.sampledSource()).isEqualTo(ReadPool.Source.PRIMARY);
                assertThat(reads.lagSeconds()).isZero();
              });

      // a read-only connection, and a failure that is not about availability is not retried
      AtomicInteger attempts = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  reads.read(
                      c -> {
                        attempts.incrementAndGet();
                        return c.createStatement().execute("create table t (id int)");
                      }))
          .isInstanceOf(DataAccessException.class)
          .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("25006"))
          .hasMessageContaining("read on pool bulwark-read failed");
      assertThat(attempts).as("a write refused as read-only is not retried").hasValue(1);
    }
  }

  @Test
  void refusesASampleIntervalThatIsNotPositive() {
    Database pool =
        Database.connectReadOnly(server.jdbcUrl("reads"), PostgresServer.SUPERUSER, "", 1, null);
    try {
      assertThatThrownBy(() -> ReadPool.separate(pool, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sampleInterval must be positive but was PT0S");
    } finally {
      pool.close();
    }
  }

  private static int one(ResultSet rs) throws java.sql.SQLException {
    rs.next();
    return rs.getInt(1);
  }
}
