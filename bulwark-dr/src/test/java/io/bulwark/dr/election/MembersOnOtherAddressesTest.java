package io.bulwark.dr.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.BackupPolicy;
import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.LocalClusters;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.TestClusters;
import io.bulwark.dr.backup.Backups;
import io.bulwark.dr.cluster.ServerProbe;
import io.bulwark.dr.internal.Ports;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole cluster (agents, ZooKeeper) whose members are on addresses other than 127.0.0.1: Linux
 * routes all of 127.0.0.0/8 to the loopback, so 127.0.0.2 and 127.0.0.3 stand for two hosts, and a
 * member addressed at 127.0.0.1 anywhere would not be found.
 */
class MembersOnOtherAddressesTest {

  @TempDir Path home;

  @Test
  void electsStreamsSwitchesOverAndRejoinsAtEachMembersOwnAddress() throws Exception {
    Ports ports = new Ports();
    ClusterSpec spec =
        new ClusterSpec(
            "hosts",
            home,
            List.of(
                new MemberSpec("pg-a", "local", "zone-a", true, "127.0.0.2", ports.next(), true),
                new MemberSpec("pg-b", "local", "zone-b", true, "127.0.0.3", ports.next(), false)),
            LocalClusters.localEnsemble(ports, List.of("zone-a", "zone-b", "zone-c")),
            FailoverPolicy.defaults(),
            Duration.ofMillis(2000),
            Duration.ofMillis(250),
            BackupPolicy.defaults(),
            1);
    try (DatabaseCluster db =
        DatabaseCluster.create(spec).start(new PrintWriter(System.err, true))) {
      db.awaitStandbys(Duration.ofSeconds(90));
      ClusterStatus s = db.status();
      assertThat(s.leader()).contains("pg-a");
      assertThat(s.members())
          .extracting(ClusterStatus.Member::name, ClusterStatus.Member::host)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("pg-a", "127.0.0.2"),
              org.assertj.core.groups.Tuple.tuple("pg-b", "127.0.0.3"));
      assertThat(s.member("pg-b").orElseThrow().streaming()).isTrue();

      String url = db.jdbcUrl("postgres");
      exec(url, "create table t (id int primary key)");
      exec(url, "insert into t values (1)");

      // the owner's first base backup connects to the primary at 127.0.0.2
      Backups backups = new Backups(spec, Clock.systemUTC());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> backups.list("local").stream().anyMatch(b -> b.member().equals("pg-a")));

      db.switchover("pg-b", false);
      assertThat(db.status().leader()).contains("pg-b");
      // the same client URL finds the new primary at 127.0.0.3
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                exec(url, "insert into t values (2)");
                return true;
              });
      // the old primary re-clones from 127.0.0.3 and streams from it on the new timeline
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                ClusterStatus now = db.status();
                assertThat(now.member("pg-a").orElseThrow().streaming()).isTrue();
                assertThat(now.member("pg-a").orElseThrow().timeline()).hasValue(2);
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> count(spec.requireMember("pg-a")) == 2);

      TestClusters.closeLeavingNothing(db);
    }
  }

  private static void exec(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      c.createStatement().execute(sql);
    }
  }

  private static long count(MemberSpec m) throws Exception {
    try (Connection c = ServerProbe.connect(m);
        ResultSet rs = c.createStatement().executeQuery("select count(*) from t")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
