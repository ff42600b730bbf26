package io.bulwark.recovery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code bulwark dr status|activate} say when there is nothing they can act on. */
class DrCommandsTest {
  @TempDir Path home;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void statusWithoutARunningTopologyIsBadInputNamingWhereItLooked() {
    assertThat(run(new DrStatusCommand(), "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("no running topology under " + home.resolve("run"))
        .contains("bulwark up FILE");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void activateWithoutARunningTopologyIsBadInput() {
    assertThat(run(new DrActivateCommand(), "--home", home.toString(), "--approve")).isEqualTo(2);
    assertThat(err.toString()).contains("no running topology");
  }

  @Test
  void aStateLeftByAStoppedUpDoesNotCount() throws Exception {
    Path dir = UpState.write(home, "gone", "http://127.0.0.1:1", "http://127.0.0.1:2", "x", "f");
    String state = Files.readString(dir.resolve("up.json"));
    Files.writeString(
        dir.resolve("up.json"), state.replaceAll("\"pid\":\\d+", "\"pid\":999999999"));
    assertThat(run(new DrStatusCommand(), "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no running topology");
  }

  @Test
  void aTopologyWithoutADrSectionIsBadInputNamingTheSection() throws Exception {
    Path file = home.resolve("no-dr.yaml");
    Files.writeString(
        file,
        """
        name: no-dr
        profile: local
        regions:
          - {name: home, role: primary, zones: [a]}
        services:
          - name: web
            instances: {min: 1, max: 1, desired: 1}
        """);
    UpState.write(
        home,
        "no-dr",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
        file.toString());
    assertThat(run(new DrStatusCommand(), "--home", home.toString(), "--json")).isEqualTo(2);
    assertThat(err.toString()).contains(file + ": no dr section");
    assertThat(run(new DrActivateCommand(), "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no dr section, so there is nothing to activate");
    assertThat(run(new DrFailbackCommand(), "--home", home.toString(), "--approve")).isEqualTo(2);
    assertThat(err.toString()).contains(file + ": no dr section");
  }

  @Test
  void failbackWithoutARunningTopologyOrWithABadTimeoutIsBadInput() {
    assertThat(run(new DrFailbackCommand(), "--home", home.toString(), "--approve")).isEqualTo(2);
    assertThat(err.toString()).contains("no running topology");
    assertThat(run(new DrFailbackCommand(), "--home", home.toString(), "--timeout", "soon"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--timeout");
  }

  @Test
  void theBuiltInTopologyHasNoDrSection() throws Exception {
    UpState.write(
        home,
        "local-demo",
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
        "http://127.0.0.1:3",
        "builtin:local-demo");
    assertThat(run(new DrActivateCommand(), "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("built-in topology, which has no dr section");
  }
}
