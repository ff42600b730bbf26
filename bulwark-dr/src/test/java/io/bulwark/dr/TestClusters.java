package io.bulwark.dr;

import io.bulwark.dr.internal.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Cluster specs for tests: free ports, a temporary home, fast timings. */
public final class TestClusters {
  private TestClusters() {}

  /**
   * A cluster in {@code home} with a primary {@code pg-a} in zone-a and one standby per entry of
   * {@code standbys} ("name:zone:region:sync|async"), plus a three-member local ZooKeeper.
   */
  public static ClusterSpec spec(Path home, FailoverPolicy policy, String... standbys) {
    Ports ports = new Ports();
    List<MemberSpec> members = new ArrayList<>();
    members.add(new MemberSpec("pg-a", "local", "zone-a", false, ports.next(), true));
    for (String s : standbys) {
      String[] p = s.split(":");
      members.add(new MemberSpec(p[0], p[2], p[1], p[3].equals("sync"), ports.next(), false));
    }
    List<ZooKeeperSpec.Node> zk = new ArrayList<>();
    String[] zones = {"zone-a", "zone-b", "zone-c"};
    for (int i = 1; i <= 3; i++) {
      zk.add(new ZooKeeperSpec.Node(i, zones[i - 1], ports.next(), ports.next(), ports.next()));
    }
    return new ClusterSpec(
        "test",
        home,
        members,
        new ZooKeeperSpec(Optional.empty(), zk),
        policy,
        Duration.ofMillis(2000),
        Duration.ofMillis(250),
        BackupPolicy.defaults(),
        1);
  }
}
