package io.bulwark.recovery;

import io.bulwark.postgres.Database;
import io.bulwark.topology.TopologyFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A DR manager in a process of its own, for {@link DisasterRecoveryTest} to kill with SIGKILL in
 * the middle of an activation. Args: topology file, gateway URL, admin URL, fleet URL, database
 * cluster home, state directory, engine JDBC URL, activation name.
 */
public final class ManagerMain {
  private ManagerMain() {}

  /** Runs the activation until it ends (or the process is killed). */
  public static void main(String[] args) throws Exception {
    RunningTopology running =
        new RunningTopology(
            TopologyFile.load(Path.of(args[0])),
            args[0],
            args[1],
            args[2],
            args[3],
            Optional.of(Path.of(args[4])),
            Path.of(args[5]));
    try (Database db = Database.connect(args[6], "postgres", "", 4);
        DisasterRecoveryManager manager =
            DisasterRecoveryManager.start(running, db, Clock.systemUTC())) {
      manager.activate(args[7], Duration.ofMinutes(3));
    }
  }
}
