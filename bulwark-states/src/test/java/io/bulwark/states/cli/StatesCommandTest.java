package io.bulwark.states.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatesCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = new CommandLine(new StatesCommand());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void runsAPassMachineAndPrintsOneJsonObject() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"ResultPath\":\"$.r\","
                + "\"Result\":1,\"End\":true}}}");
    Path in = file("i.json", "{\"x\":2}");
    assertThat(run("run", "--definition", def.toString(), "--input", in.toString())).isZero();
    assertThat(out.toString().trim())
        .isEqualTo("{\"status\":\"SUCCEEDED\",\"output\":{\"x\":2,\"r\":1}}");
  }

  @Test
  void defaultsInputToEmptyObjectAndFailsTaskWithoutMock() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"r\","
                + "\"End\":true}}}");
    assertThat(run("run", "--definition", def.toString())).isZero();
    assertThat(out.toString()).contains("\"status\":\"FAILED\",\"error\":\"States.TaskFailed\"");
  }

  @Test
  void aRealWaitCountsOnceAgainstTheExecutionsTimeoutSeconds() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"TimeoutSeconds\":2,\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\","
                + "\"Seconds\":1,\"Next\":\"Done\"},\"Done\":{\"Type\":\"Succeed\"}}}");
    Path in = file("i.json", "{\"x\":1}");
    assertThat(run("run", "--definition", def.toString(), "--input", in.toString())).isZero();
    assertThat(out.toString().trim()).isEqualTo("{\"status\":\"SUCCEEDED\",\"output\":{\"x\":1}}");
  }

  @Test
  void usesMockedResponsesPerAttemptAndReallyWaitsBetweenRetries() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"r\","
                + "\"Retry\":[{\"ErrorEquals\":[\"States.ALL\"],\"IntervalSeconds\":1,"
                + "\"MaxAttempts\":1}],\"End\":true}}}");
    Path mocks =
        file(
            "m.json",
            "{\"StateMachines\":{\"M\":{\"TestCases\":{\"Flaky\":{\"T\":\"FlakyT\"}}}},"
                + "\"MockedResponses\":{\"FlakyT\":{\"0\":{\"Throw\":{\"Error\":\"E\","
                + "\"Cause\":\"c\"}},\"1-2\":{\"Return\":{\"ok\":true}}}}}");
    long start = System.nanoTime();
    int code =
        run(
            "run",
            "--definition",
            def.toString(),
            "--mock-config",
            mocks.toString(),
            "--test-case",
            "Flaky");
    assertThat(code).isZero();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(out.toString().trim())
        .isEqualTo("{\"status\":\"SUCCEEDED\",\"output\":{\"ok\":true}}");
  }

  @Test
  void reportsEveryValidationErrorWithItsPath() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"StartAt\":\"Nope\",\"States\":{\"A\":{\"Type\":\"Pass\"},"
                + "\"B\":{\"Type\":\"Bogus\",\"End\":true}}}");
    assertThat(run("validate", def.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("$.StartAt: no state named 'Nope'")
        .contains("$.States.A: must have Next or End: true")
        .contains("$.States.B.Type: must be one of");
    assertThat(run("run", "--definition", def.toString())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void validatesTheOrderSaga() throws IOException {
    Path def =
        file(
            "saga.json",
            new String(
                getClass()
                    .getResourceAsStream("/io/bulwark/states/order-saga.asl.json")
                    .readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
    assertThat(run("validate", def.toString())).isZero();
  }

  @Test
  void runsAJsonataMachineWithVariablesAndMockedTask() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
                + "\"Resource\":\"r\",\"Arguments\":{\"id\":\"{% $states.input.id %}\"},"
                + "\"Assign\":{\"price\":\"{% $states.result.price %}\"},\"Next\":\"D\"},"
                + "\"D\":{\"Type\":\"Pass\",\"Output\":{\"total\":\"{% $price * 2 %}\"},\"End\":true}}}");
    Path in = file("i.json", "{\"id\":7}");
    Path mocks =
        file(
            "m.json",
            "{\"StateMachines\":{\"M\":{\"TestCases\":{\"Ok\":{\"T\":\"Price\"}}}},"
                + "\"MockedResponses\":{\"Price\":{\"0\":{\"Return\":{\"price\":21}}}}}");
    int code =
        run(
            "run",
            "--definition",
            def.toString(),
            "--input",
            in.toString(),
            "--mock-config",
            mocks.toString(),
            "--test-case",
            "Ok");
    assertThat(code).isZero();
    assertThat(out.toString().trim())
        .isEqualTo("{\"status\":\"SUCCEEDED\",\"output\":{\"total\":42}}");
  }

  @Test
  void picksTheNamedStateMachineAndFailsStatesWithoutAMockedResponse() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"r\","
                + "\"Next\":\"B\"},\"B\":{\"Type\":\"Task\",\"Resource\":\"r\",\"End\":true}}}");
    Path mocks =
        file(
            "m.json",
            "{\"StateMachines\":{\"One\":{\"TestCases\":{\"T\":{}}},"
                + "\"Two\":{\"TestCases\":{\"T\":{\"A\":\"Ok\"}}}},"
                + "\"MockedResponses\":{\"Ok\":{\"0\":{\"Return\":1}}}}");
    assertThat(
            run(
                "run",
                "--definition",
                def.toString(),
                "--mock-config",
                mocks.toString(),
                "--test-case",
                "T"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("pass --state-machine");
    int code =
        run(
            "run",
            "--definition",
            def.toString(),
            "--mock-config",
            mocks.toString(),
            "--state-machine",
            "Two",
            "--test-case",
            "T");
    assertThat(code).isZero();
    assertThat(out.toString().trim())
        .isEqualTo(
            "{\"status\":\"FAILED\",\"error\":\"States.TaskFailed\","
                + "\"cause\":\"No mocked response for state 'B'\"}");
  }

  @Test
  void rejectsJsonPathFieldsInJsonataStatesWithExitTwo() throws IOException {
    Path def =
        file(
            "d.json",
            "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"P\",\"States\":{\"P\":{"
                + "\"Type\":\"Pass\",\"Parameters\":{},\"End\":true}}}");
    assertThat(run("run", "--definition", def.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "$.States.P.Parameters: field is not supported in a state whose QueryLanguage is"
                + " JSONata");
    assertThat(out.toString()).isEmpty();
  }
}
