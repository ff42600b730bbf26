package io.bulwark.dr.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.FailoverPolicy;
import io.bulwark.dr.TestClusters;
import io.bulwark.dr.ZooKeeperSpec;
import io.bulwark.testkit.TaggedWriter;
import io.bulwark.traffic.Fault;
import io.bulwark.traffic.FaultProxy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionTest {

  @TempDir Path home;

  @Test
  void aPrimaryCutOffFromZooKeeperStopsWritingBeforeTheStandbyIsPromoted() throws Exception {
    ClusterSpec spec = TestClusters.spec(home, FailoverPolicy.defaults(), "pg-b:zone-b:local:sync");
    List<FaultProxy> links = new ArrayList<>();
    for (ZooKeeperSpec.Node n : spec.zookeeper().members()) {
      links.add(FaultProxy.start(0, "127.0.0.1", n.clientPort()));
    }
    DatabaseCluster db = DatabaseCluster.create(spec);
    db.routeZooKeeper(
        "pg-a", String.join(",", links.stream().map(l -> "127.0.0.1:" + l.port()).toList()));
    try (db;
        TaggedWriter toA = writer(spec, "pg-a", 1, db.start(new PrintWriter(System.err, true)));
        TaggedWriter toB = writer(spec, "pg-b", 1_000_000, db)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> db.status().member("pg-b").orElseThrow().sync());
      await().atMost(Duration.ofSeconds(30)).until(() -> toA.acksBy("pg-a") >= 30);

      long cut = System.nanoTime();
      links.forEach(l -> l.add(Fault.Timeout.hang()));

      await().atMost(Duration.ofSeconds(60)).until(() -> toB.acksBy("pg-b") >= 30);
      links.forEach(FaultProxy::clear);

      List<TaggedWriter.Ack> a = toA.acks();
      List<TaggedWriter.Ack> b = toB.acks();
      long lastA = a.stream().mapToLong(TaggedWriter.Ack::ackedNanos).max().orElseThrow();
      long firstB = b.stream().mapToLong(TaggedWriter.Ack::sentNanos).min().orElseThrow();
      // no overlap: the old primary's last commit returned before the new one's first write began
      assertThat(lastA).isLessThan(firstB);
      // and it stopped taking writes within its session timeout of losing the store
      assertThat(Duration.ofNanos(lastA - cut)).isLessThan(spec.sessionTimeout());
      assertThat(a).allMatch(x -> x.member().equals("pg-a"));
      assertThat(b).allMatch(x -> x.member().equals("pg-b"));

      Set<Long> stored = TaggedWriter.storedIds(spec.requireMember("pg-b").port());
      assertThat(stored)
          .containsAll(Stream.concat(a.stream(), b.stream()).map(TaggedWriter.Ack::id).toList());
    } finally {
      links.forEach(FaultProxy::close);
    }
  }

  private static TaggedWriter writer(
      ClusterSpec spec, String member, long firstId, DatabaseCluster db) throws Exception {
    String url =
        "jdbc:postgresql://127.0.0.1:"
            + spec.requireMember(member).port()
            + "/postgres?connectTimeout=2&socketTimeout=10";
    if (member.equals("pg-a")) {
      TaggedWriter.createTable(url);
    }
    return TaggedWriter.start(url, port -> FailoverTest.memberOf(spec, port), firstId);
  }
}
