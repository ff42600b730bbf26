package io.bulwark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.states.StateMachine;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.RunbookAsl;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The failback machine of each example topology with a DR replica: valid States Language, the
 * reverse of its activation, every step retried once and then stopping the failback.
 */
class FailbackMachineTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void everyExampleWithAReplicaGivesAValidFailbackBackToItsPrimaryRegion() throws Exception {
    for (String example :
        new String[] {"pilot-light.yaml", "warm-standby.yaml", "active-active.yaml"}) {
      Path file = EXAMPLES.resolve(example);
      Topology topology = TopologyFile.load(file);
      RunningTopology running = ActivationMachineTest.notRunning(topology, file);
      FailbackPlan plan = FailbackPlan.of(running, Clock.systemUTC());
      assertThat(plan.to()).as(example).isEqualTo(plan.activation().fromRegion());
      assertThat(plan.from()).as(example).isEqualTo(plan.activation().toRegion());
      assertThat(plan.steps())
          .extracting(FailbackPlan.Step::name)
          .containsExactlyElementsOf(FailbackPlan.STEP_NAMES);
      assertThat(plan.steps().get(3).action())
          .contains("Switch the database over to primary in " + plan.to());

      JsonNode machine = FailbackMachine.of(plan);
      assertThat(StateMachine.validate(machine)).as(example).isEmpty();
      assertThat(machine.path("StartAt").asText()).isEqualTo("1 check-region");
      for (FailbackPlan.Step step : plan.steps()) {
        JsonNode state = machine.path("States").path(step.stateName());
        assertThat(state.path("Resource").asText()).isEqualTo(FailbackMachine.STEP);
        assertThat(state.path("Retry").get(0).path("ErrorEquals").get(0).asText())
            .isEqualTo(RunbookAsl.STEP_FAILED);
        assertThat(state.path("Catch").get(0).path("Next").asText())
            .isEqualTo(FailbackMachine.STOPPED);
      }
      assertThat(machine.path("States").path(FailbackMachine.STOPPED).path("Error").asText())
          .isEqualTo(FailbackMachine.FAILED);
    }
  }
}
