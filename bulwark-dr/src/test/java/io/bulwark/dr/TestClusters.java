package io.bulwark.dr;

import io.bulwark.dr.internal.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Cluster specs for tests: free ports, a temporary home, fast timings. */
public final class TestClusters {
  private TestClusters() {}

  /**
   * A cluster in {@code home} with a primary {@code pg-a} in zone-a (a sync candidate once it is a
   * standby) and one standby per entry of {@code standbys} ("name:zone:region:sync|async"), plus a
   * three-member local ZooKeeper.
   */
  public static ClusterSpec spec(Path home, FailoverPolicy policy, String... standbys) {
    Ports ports = new Ports();
    List<MemberSpec> members = new ArrayList<>();
    members.add(new MemberSpec("pg-a", "local", "zone-a", true, ports.next(), true));
    for (String s : standbys) {
      String[] p = s.split(":");
      members.add(new MemberSpec(p[0], p[2], p[1], p[3].equals("sync"), ports.next(), false));
    }
    return new ClusterSpec(
        "test",
        home,
        members,
        LocalClusters.localEnsemble(ports, List.of("zone-a", "zone-b", "zone-c")),
        policy,
        Duration.ofMillis(2000),
        Duration.ofMillis(250),
        BackupPolicy.defaults(),
        1);
  }
}
