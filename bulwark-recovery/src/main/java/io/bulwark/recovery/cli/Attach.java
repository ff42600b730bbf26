package io.bulwark.recovery.cli;

import io.bulwark.fleet.cli.RunState;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.recovery.RunningTopology;
import io.bulwark.topology.InvalidTopologyException;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the running {@code bulwark up} a {@code bulwark dr} command acts on, from the run state it
 * leaves in {@code <home>/run/<topology>/up.json}: the one named by topology name, or the only one
 * running.
 *
 * @param running the topology and how to reach it
 * @param state its run state
 */
record Attach(RunningTopology running, RunState state) {

  /**
   * The running topology called {@code name} (any, when null) under {@code home} (null: the
   * default).
   *
   * @throws RecoveryException.NotPossible when none runs, several run and none is named, or its
   *     topology file cannot be read
   */
  static Attach find(String name, Path home) {
    Path root = RunState.runRoot(home);
    List<Path> live =
        RunState.all(root).stream()
            .filter(d -> RunState.read(d).flatMap(RunState::process).isPresent())
            .filter(d -> name == null || d.getFileName().toString().equals(name))
            .toList();
    if (live.isEmpty()) {
      throw new RecoveryException.NotPossible(
          "no running topology"
              + (name == null ? "" : " called " + name)
              + " under "
              + root
              + ": start one with `bulwark up FILE`");
    }
    if (live.size() > 1) {
      throw new RecoveryException.NotPossible(
          "several topologies run under "
              + root
              + " ("
              + String.join(", ", live.stream().map(d -> d.getFileName().toString()).toList())
              + "); name one with --name");
    }
    Path dir = live.get(0);
    RunState state = RunState.read(dir).orElseThrow();
    if (state.file().startsWith("builtin:")) {
      throw new RecoveryException.NotPossible(
          state.name()
              + " is the built-in topology, which has no dr section; run `bulwark up FILE` with a"
              + " topology that has one (examples/pilot-light.yaml)");
    }
    Topology topology;
    try {
      topology = TopologyFile.load(Path.of(state.file()));
    } catch (InvalidTopologyException e) {
      throw new RecoveryException.NotPossible(
          state.file() + " no longer loads: " + e.errors().get(0));
    } catch (RuntimeException e) {
      throw new RecoveryException.NotPossible(
          "cannot read " + state.file() + ": " + e.getMessage());
    }
    Path db = dir.resolve("db");
    return new Attach(
        new RunningTopology(
            topology,
            state.file(),
            state.url(),
            state.adminUrl(),
            state.fleetUrl(),
            Files.isRegularFile(db.resolve("cluster.json")) ? Optional.of(db) : Optional.empty(),
            dir.resolve("dr")),
        state);
  }
}
