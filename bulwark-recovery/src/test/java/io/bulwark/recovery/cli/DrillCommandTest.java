package io.bulwark.recovery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.kernel.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code bulwark drill} says to input it cannot drill; nothing is started for any of it. */
class DrillCommandTest {
  @TempDir Path home;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new DrillCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static String pilotLight() throws Exception {
    return Path.of(
            DrillCommandTest.class
                .getResource("/io/bulwark/recovery/pilot-light-small.yaml")
                .toURI())
        .toString();
  }

  @Test
  void anUnknownDisasterIsBadInputNamingTheOnesThatExist() throws Exception {
    assertThat(run(pilotLight(), "--disaster", "meteor", "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--disaster must be one of [region-loss], got \"meteor\"");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aDisasterNotBuiltYetIsRefusedNamingWhatABuiltOne() throws Exception {
    assertThat(run(pilotLight(), "--disaster", "zone-loss", "--home", home.toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--disaster zone-loss is not built yet; a drill can inject: [region-loss]");
  }

  @Test
  void missingFileDisasterOrApprovalAreBadInput() throws Exception {
    assertThat(run("--disaster", "region-loss")).isEqualTo(2);
    assertThat(err.toString()).contains("FILE is needed");
    assertThat(run(pilotLight())).isEqualTo(2);
    assertThat(err.toString()).contains("--disaster is needed: region-loss");
    assertThat(run(home.resolve("nope.yaml").toString(), "--disaster", "region-loss")).isEqualTo(2);
    assertThat(err.toString()).contains("no topology file " + home.resolve("nope.yaml"));
    assertThat(run(pilotLight(), "--disaster", "region-loss", "--approve", "manual")).isEqualTo(2);
    assertThat(err.toString()).contains("--approve must be auto");
    assertThat(run(pilotLight(), "--disaster", "region-loss", "--orders-per-second", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--orders-per-second must be > 0");
  }

  @Test
  void aTopologyWithoutADrSectionOrDatabaseIsBadInput() throws Exception {
    Path noDr = home.resolve("no-dr.yaml");
    Files.writeString(
        noDr,
        """
        name: no-dr
        profile: local
        regions:
          - {name: home, role: primary, zones: [a]}
        services:
          - name: web
            instances: {min: 1, max: 1, desired: 1}
        """);
    assertThat(run(noDr.toString(), "--disaster", "region-loss", "--home", home.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains(noDr + ": no dr section");
    Path noDb = home.resolve("no-db.yaml");
    Files.writeString(
        noDb,
        Files.readString(Path.of(pilotLight()))
            .replaceAll("(?s)database:.*?\\n\\ntraffic:", "traffic:"));
    assertThat(run(noDb.toString(), "--disaster", "region-loss", "--home", home.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no database section");
    assertThat(Files.exists(home.resolve("drill"))).isFalse();
  }

  @Test
  void aBackupAndRestoreTopologyIsRefusedAsTheManagerCannotRestoreYet() throws Exception {
    Path multiAz = Path.of("..", "examples", "multi-az.yaml").toAbsolutePath().normalize();
    assertThat(run(multiAz.toString(), "--disaster", "region-loss", "--home", home.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot restore a backup yet");
  }

  @Test
  void historyWithoutDrillsSaysHowToRunOne() {
    CommandLine cl = new CommandLine(new DrillCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("history", "--home", home.toString())).isZero();
    assertThat(out.toString()).contains("no drill recorded");
    out.getBuffer().setLength(0);
    assertThat(cl.execute("history", "--home", home.toString(), "--json")).isZero();
    assertThat(Json.parse(out.toString()).path("drills").isArray()).isTrue();
    assertThat(Json.parse(out.toString()).path("drills")).isEmpty();
  }
}
