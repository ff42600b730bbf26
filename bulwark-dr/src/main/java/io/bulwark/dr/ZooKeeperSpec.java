package io.bulwark.dr;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the coordination store is: either an ensemble Bulwark runs itself on this machine (one
 * member per zone, fixed ports) or an existing ensemble given by its connect string.
 *
 * @param external a connect string {@code host:port,...} of an existing ensemble, when used
 * @param members the local ensemble's members (empty with {@code external})
 */
public record ZooKeeperSpec(Optional<String> external, List<Node> members) {

  public ZooKeeperSpec {
    Objects.requireNonNull(external, "external");
    members = List.copyOf(members);
    if (external.isEmpty() && members.isEmpty()) {
      throw new IllegalArgumentException("zookeeper needs an external connect string or members");
    }
  }

  /**
   * One local ZooKeeper server.
   *
   * @param id its {@code myid}, 1..255
   * @param zone the zone it stands for
   * @param clientPort port clients connect to
   * @param quorumPort port followers talk to the leader on
   * @param electionPort port for leader election
   */
  public record Node(int id, String zone, int clientPort, int quorumPort, int electionPort) {}

  /** The connect string clients use. */
  public String connectString() {
    return external.orElseGet(
        () -> String.join(",", members.stream().map(m -> "127.0.0.1:" + m.clientPort()).toList()));
  }
}
