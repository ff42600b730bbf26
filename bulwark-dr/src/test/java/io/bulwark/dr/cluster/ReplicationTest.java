package io.bulwark.dr.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.TestClusters;
import java.nio.file.Path;
import java.sql.Connection;
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

  static void exec(MemberServer m, String sql) throws Exception {
    try (Connection c = ServerProbe.connect(m.member().port())) {
      c.createStatement().execute(sql);
    }
  }

  static long count(MemberServer m) throws Exception {
    try (Connection c = ServerProbe.connect(m.member().port());
        var rs = c.createStatement().executeQuery("select count(*) from t")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
