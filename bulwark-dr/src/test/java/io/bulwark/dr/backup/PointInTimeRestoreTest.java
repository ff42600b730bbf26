package io.bulwark.dr.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DbException;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.TestClusters;
import io.bulwark.dr.cluster.MemberServer;
import io.bulwark.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointInTimeRestoreTest {

  @TempDir Path home;

  @Test
  void restoresExactlyToAMomentBetweenTwoKnownWrites() throws Exception {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults());
    try (MemberServer primary = new MemberServer(spec, spec.requireMember("pg-a"), false)) {
      primary.initialisePrimary();
      String url = "jdbc:postgresql://127.0.0.1:" + primary.member().port() + "/postgres";
      Instant between;
      try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
        c.createStatement()
            .execute(
                "create table t (id int primary key, at timestamptz default clock_timestamp())");
        c.createStatement().execute("insert into t (id) values (1)");
        Backups backups = new Backups(spec, Clock.systemUTC());
        BaseBackup base = backups.take(primary.member());
        assertThat(backups.list("local")).containsExactly(base);
        c.createStatement().execute("insert into t (id) values (2)");
        between = instant(c, "select clock_timestamp()");
        // the next commit is strictly later than the target
        await().until(() -> instant(c, "select clock_timestamp()").isAfter(between));
        c.createStatement().execute("insert into t (id) values (3)");
        assertThat(instant(c, "select at from t where id = 3")).isAfter(between);
        // the segment holding the three commits is archived once the server switches away from it
        String needed = text(c, "select pg_walfile_name(pg_switch_wal())");
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> Files.exists(spec.walArchive("local").resolve(needed)));
      }

      Path into = home.resolve("restored");
      PointInTimeRestore.Result r =
          new PointInTimeRestore(spec, Clock.systemUTC()).restore("local", between, into);
      assertThat(r.timeline()).isEqualTo(2);
      try (PostgresServer restored = PostgresServer.builder(into).build().start();
          Connection c = restored.connect("postgres");
          var rs = c.createStatement().executeQuery("select id from t order by id")) {
        List<Integer> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getInt(1));
        }
        assertThat(ids).containsExactly(1, 2);
      }
      assertThatThrownBy(
              () -> new PointInTimeRestore(spec, Clock.systemUTC()).restore("local", between, into))
          .isInstanceOf(DbException.BadRequest.class)
          .hasMessageContaining("not empty");
      assertThatThrownBy(
              () ->
                  new PointInTimeRestore(spec, Clock.systemUTC())
                      .restore("local", Instant.parse("2000-01-01T00:00:00Z"), home.resolve("old")))
          .isInstanceOf(DbException.BadRequest.class)
          .hasMessageContaining("no base backup in region local finished before 2000-01-01");
    }
  }

  private static Instant instant(Connection c, String sql) throws Exception {
    try (var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      Timestamp t = rs.getTimestamp(1);
      return t.toInstant();
    }
  }

  private static String text(Connection c, String sql) throws Exception {
    try (var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
