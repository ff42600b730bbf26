package io.bulwark.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.recovery.internal.RunbookTasks;
import io.bulwark.states.StateMachine;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import io.bulwark.topology.runbook.StepKind;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The machine the DR manager runs for each example topology with a DR replica: valid States
 * Language, every step the manager claims carried out by an executor of its own.
 */
class ActivationMachineTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void everyExampleWithAReplicaGivesAValidMachineWhoseAutomatedStepsHaveExecutors()
      throws Exception {
    for (String example :
        new String[] {"pilot-light.yaml", "warm-standby.yaml", "active-active.yaml"}) {
      Path file = EXAMPLES.resolve(example);
      Topology topology = TopologyFile.load(file);
      RunningTopology running = notRunning(topology, file);
      Runbook runbook = DisasterRecoveryManager.runbook(running, Clock.systemUTC());
      JsonNode machine = RunbookAsl.automated(runbook);
      assertThat(StateMachine.validate(machine)).as(example).isEmpty();
      RunbookTasks tasks =
          new RunbookTasks(null, topology, runbook, Clock.systemUTC(), Path.of("unused"), null);
      for (RunbookStep step : runbook.steps()) {
        JsonNode state = machine.path("States").path(RunbookAsl.stateName(step));
        assertThat(state.path("Resource").asText())
            .as("%s %s", example, step.kind())
            .isEqualTo(
                step.kind().automated() ? RunbookAsl.EXECUTE_STEP : RunbookAsl.HAND_OVER_STEP);
        assertThat(machine.path("States").has(RunbookAsl.rollbackName(step))).isTrue();
      }
    }
    RunbookTasks any =
        new RunbookTasks(null, null, null, Clock.systemUTC(), Path.of("unused"), null);
    assertThat(Arrays.stream(StepKind.values()).filter(StepKind::automated))
        .allMatch(any::executes);
  }

  @Test
  void aBackupAndRestoreTopologyIsRefusedNamingTheManualWay() throws Exception {
    Path file = EXAMPLES.resolve("multi-az.yaml");
    Topology topology = TopologyFile.load(file);
    RunningTopology running = notRunning(topology, file);
    assertThatThrownBy(() -> DisasterRecoveryManager.runbook(running, Clock.systemUTC()))
        .isInstanceOf(RecoveryException.NotPossible.class)
        .hasMessageContaining(file + ": the DR manager cannot restore a backup yet")
        .hasMessageContaining("bulwark runbook " + file);
  }

  /** {@code topology} from {@code file} as if it ran, at addresses nothing answers on. */
  static RunningTopology notRunning(Topology topology, Path file) {
    return new RunningTopology(
        topology,
        file.toString(),
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
        Optional.empty(),
        Path.of("unused"));
  }
}
