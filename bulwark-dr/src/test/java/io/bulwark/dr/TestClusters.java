package io.bulwark.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

  /**
   * Closes {@code db} (an owner) and asserts that nothing of it is left running: no agent, server
   * or ZooKeeper process, and no thread of the owner (its supervisor would restart agents, its
   * backup schedule would connect to the members' ports, which a later cluster may be given).
   */
  public static void closeLeavingNothing(DatabaseCluster db) {
    ClusterSpec spec = db.spec();
    List<Long> pids = new ArrayList<>();
    for (MemberSpec m : spec.members()) {
      db.agentProcess(m.name()).ifPresent(pids::add);
      db.postmasterPid(m.name()).ifPresent(pids::add);
    }
    db.zookeeper()
        .ifPresent(
            z -> spec.zookeeper().members().forEach(n -> z.pid(n.id()).ifPresent(pids::add)));
    assertThat(pids).as("processes of the running cluster").isNotEmpty();

    db.close();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(pids)
                    .as("processes of the cluster in %s after close", spec.home())
                    .noneMatch(
                        pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(Thread::isAlive)
        .extracting(Thread::getName)
        .as("threads of the cluster's owner after close")
        .noneMatch(name -> name.contains(spec.home().toString()));
  }
}
