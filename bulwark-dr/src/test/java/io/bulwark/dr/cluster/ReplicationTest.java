package io.bulwark.dr.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.BackupPolicy;
import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.LocalClusters;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.TestClusters;
import io.bulwark.dr.internal.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationTest {

  @TempDir Path home;

  @Test
  void clonedStandbyStreamsSynchronouslyAndTakesOverOnPromotion() throws Exception {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync");
    try (MemberServer a = new MemberServer(spec, spec.requireMember("pg-a"), false);
        MemberServer b = new MemberServer(spec, spec.requireMember("pg-b"), false)) {
      a.initialisePrimary();
      exec(a, "create table t (id int primary key)");
      b.cloneFrom(a.member());
      b.start();
      a.setSynchronousStandbys(List.of("pg-b"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> a.state().replication().stream().anyMatch(s -> s.syncState().equals("quorum")));

      exec(a, "insert into t values (1)");
      // the commit returned only after pg-b flushed it; replay follows within moments
      await().atMost(Duration.ofSeconds(10)).until(() -> count(b) == 1);
      ServerState standby = b.state();
      assertThat(standby.inRecovery()).isTrue();
      assertThat(standby.streaming()).isTrue();
      assertThat(standby.timeline()).isEqualTo(1);

      a.stopImmediately();
      b.promote(List.of(), Duration.ofSeconds(30));
      exec(b, "insert into t values (2)");
      assertThat(count(b)).isEqualTo(2);
      assertThat(b.state().inRecovery()).isFalse();
      assertThat(b.state().timeline()).isEqualTo(2);
    }
  }

  @Test
  void aPrimaryOnAnotherAddressIsClonedStreamedFromAndFoundByClientsThere() throws Exception {
    // Linux routes all of 127.0.0.0/8 to the loopback: 127.0.0.2 is a second address of this
    // machine, so nothing reaches the primary at 127.0.0.1 where the old code looked for it
    Ports ports = new Ports();
    ClusterSpec spec =
        new ClusterSpec(
            "test",
            home,
            List.of(
                new MemberSpec("pg-a", "local", "zone-a", true, "127.0.0.2", ports.next(), true),
                new MemberSpec("pg-b", "local", "zone-b", true, ports.next(), false)),
            LocalClusters.localEnsemble(ports, List.of("zone-a", "zone-b", "zone-c")),
            FailoverPolicy.defaults(),
            Duration.ofMillis(2000),
            Duration.ofMillis(250),
            BackupPolicy.defaults(),
            1);
    MemberSpec aSpec = spec.requireMember("pg-a");
    try (MemberServer a = new MemberServer(spec, aSpec, false);
        MemberServer b = new MemberServer(spec, spec.requireMember("pg-b"), false)) {
      a.initialisePrimary();
      // it listens on its own address only
      assertThatThrownBy(
              () ->
                  DriverManager.getConnection(
                          "jdbc:postgresql://127.0.0.1:"
                              + aSpec.port()
                              + "/postgres?connectTimeout=2",
                          "postgres",
                          "")
                      .close())
          .isInstanceOf(SQLException.class);
      exec(a, "create table t (id int primary key)");
      b.cloneFrom(aSpec); // the online backup connects to 127.0.0.2
      assertThat(ServerConfig.read(b.dataDir()).get("primary_conninfo"))
          .startsWith("host=127.0.0.2 port=" + aSpec.port() + " ");
      assertThat(b.following()).contains("pg-a");
      assertThat(Files.readString(b.dataDir().resolve("pg_hba.conf")))
          .as("the members' hosts may connect, for replication too")
          .contains("host replication all 127.0.0.2/32 trust")
          .contains("host all all 127.0.0.2/32 trust");
      b.start();
      a.setSynchronousStandbys(List.of("pg-b"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> a.state().replication().stream().anyMatch(s -> s.syncState().equals("quorum")));

      // the cluster's client URL finds the primary at its address and writes there
      try (Connection c = DriverManager.getConnection(spec.jdbcUrl("postgres"), "postgres", "")) {
        c.createStatement().execute("insert into t values (1)");
        assertThat(ServerProbe.read(c).inRecovery()).isFalse();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> count(b) == 1);
      assertThat(b.state().streaming()).isTrue();
    }
  }

  static void exec(MemberServer m, String sql) throws Exception {
    try (Connection c = ServerProbe.connect(m.member())) {
      c.createStatement().execute(sql);
    }
  }

  static long count(MemberServer m) throws Exception {
    try (Connection c = ServerProbe.connect(m.member());
        var rs = c.createStatement().executeQuery("select count(*) from t")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
