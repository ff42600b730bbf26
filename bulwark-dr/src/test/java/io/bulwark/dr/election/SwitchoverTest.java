package io.bulwark.dr.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.DbException;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.ReplicationMeters;
import io.bulwark.dr.TestClusters;
import io.bulwark.testkit.TaggedWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** One cluster (sync pg-b in zone-b, async pg-c in zone-c) for the planned operations. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchoverTest {

  private ClusterSpec spec;
  private DatabaseCluster db;

  @BeforeAll
  void start(@TempDir Path home) throws Exception {
    spec =
        TestClusters.spec(
            home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync", "pg-c:zone-c:local:async");
    db = DatabaseCluster.create(spec).start(new PrintWriter(System.err, true));
    TaggedWriter.createTable(db.jdbcUrl("postgres"));
  }

  @AfterAll
  void stop() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  @Order(1)
  void aStandbyThatFallsBehindShowsItsLagInStatusAndMetrics() throws Exception {
    int portC = spec.requireMember("pg-c").port();
    // lag in seconds compares commit times: pg-c must have replayed a commit since it started
    // (the table's creation may have reached it in its clone instead), or its lag is unknown
    try (Connection c = DriverManager.getConnection(db.jdbcUrl("postgres"), "postgres", "")) {
      c.createStatement().execute("insert into writes (id, port) values (999999, 0)");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> replayedACommit(portC));
    exec(portC, "select pg_wal_replay_pause()");
    PGSimpleDataSource primary = new PGSimpleDataSource();
    primary.setUrl(db.jdbcUrl("postgres"));
    primary.setUser("postgres");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ReplicationMeters meters = ReplicationMeters.start(primary, registry)) {
      try (Connection c = primary.getConnection()) {
        c.createStatement()
            .execute(
                "insert into writes (id, port) select g, 0"
                    + " from generate_series(1000000, 1040000) g"); // ~3 MB of WAL
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                ClusterStatus.Member m = db.status().member("pg-c").orElseThrow();
                assertThat(m.lagBytes().orElse(0)).isGreaterThan(spec.policy().maxLagBytes());
                assertThat(m.lagSeconds().orElse(0)).isGreaterThan(0);
                assertThat(m.sync()).isFalse();
                assertThat(db.status().member("pg-b").orElseThrow().lagBytes()).hasValue(0);
              });
      meters.refresh();
      assertThat(registry.get("bulwark.db.replica.lag.bytes").tag("member", "pg-c").gauge().value())
          .isGreaterThan(10_000);
      assertThat(registry.get("bulwark.db.replica.sync").tag("member", "pg-b").gauge().value())
          .isEqualTo(1);

      // a switchover to the lagging async standby needs --force
      assertThatThrownBy(() -> db.switchover("pg-c", false))
          .isInstanceOf(DbException.BadRequest.class)
          .hasMessageContaining("asynchronous standby")
          .hasMessageContaining("pg-b (sync)");
      assertThatThrownBy(() -> db.switchover("pg-x", false))
          .isInstanceOf(DbException.BadRequest.class)
          .hasMessageContaining("no member \"pg-x\"")
          .hasMessageContaining("pg-a, pg-b, pg-c");
    } finally {
      exec(portC, "select pg_wal_replay_resume()");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> db.status().member("pg-c").orElseThrow().lagBytes().orElse(-1) == 0);
  }

  @Test
  @Order(2)
  void aSwitchoverUnderLoadLosesNothing() throws Exception {
    String url = db.jdbcUrl("postgres");
    TaggedWriter writer =
        TaggedWriter.start(url, port -> FailoverTest.memberOf(spec, port), 10_000);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.acksBy("pg-a") >= 30);
      db.switchover("pg-b", false);
      assertThat(db.status().leader()).contains("pg-b");
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.acksBy("pg-b") >= 30);
    } finally {
      writer.close();
    }
    Set<Long> stored = TaggedWriter.storedIds(spec.requireMember("pg-b").port());
    assertThat(stored).containsAll(writer.acks().stream().map(TaggedWriter.Ack::id).toList());
    // the old primary and the async standby follow the new primary
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              ClusterStatus s = db.status();
              assertThat(s.member("pg-a").orElseThrow().streaming()).isTrue();
              assertThat(s.member("pg-c").orElseThrow().streaming()).isTrue();
              assertThat(s.member("pg-a").orElseThrow().timeline()).hasValue(2);
            });
  }

  private static boolean replayedACommit(int port) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        var rs = c.createStatement().executeQuery("select pg_last_xact_replay_timestamp()")) {
      rs.next();
      return rs.getTimestamp(1) != null;
    }
  }

  private static void exec(int port, String sql) throws Exception {
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
      c.createStatement().execute(sql);
    }
  }
}
