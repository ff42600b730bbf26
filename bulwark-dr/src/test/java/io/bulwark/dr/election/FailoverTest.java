package io.bulwark.dr.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.TestClusters;
import io.bulwark.testkit.TaggedWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverTest {

  @TempDir Path home;

  @Test
  void killingThePrimaryPromotesTheSyncStandbyWithoutLosingAnAcknowledgedWrite() throws Exception {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync");
    try (DatabaseCluster db =
        DatabaseCluster.create(spec).start(new PrintWriter(System.err, true))) {
      assertThat(db.status().leader()).contains("pg-a");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> db.status().member("pg-b").orElseThrow().sync());
      String url = db.jdbcUrl("postgres");
      TaggedWriter.createTable(url);
      TaggedWriter writer = TaggedWriter.start(url, port -> memberOf(spec, port), 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.acksBy("pg-a") >= 50);

      db.killMember("pg-a");

      await().atMost(Duration.ofSeconds(60)).until(() -> writer.acksBy("pg-b") >= 50);
      writer.close();
      // pg-b takes writes from its promotion on, and publishes its lease as ready just after
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(db.status().leader()).contains("pg-b"));

      Set<Long> stored = TaggedWriter.storedIds(spec.requireMember("pg-b").port());
      assertThat(stored).containsAll(writer.acks().stream().map(TaggedWriter.Ack::id).toList());

      // the old primary comes back (restarted by the owner) as a standby of the new timeline
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                ClusterStatus.Member a = db.status().member("pg-a").orElseThrow();
                assertThat(a.role()).isEqualTo("standby");
                assertThat(a.streaming()).isTrue();
                assertThat(a.timeline()).hasValue(2);
              });

      TestClusters.closeLeavingNothing(db);
    }
  }

  static String memberOf(ClusterSpec spec, int port) {
    return spec.members().stream()
        .filter(m -> m.port() == port)
        .map(MemberSpec::name)
        .findFirst()
        .orElse("port-" + port);
  }
}
