package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BulwarkCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = BulwarkCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void printsTheVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("bulwark ");
  }

  @Test
  void listsEveryCommandInHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("demo")
        .contains("availability")
        .contains("analyze")
        .contains("runbook")
        .contains("states")
        .contains("drill");
  }

  @Test
  void withoutACommandPrintsTheHelpOnStderrAndExitsTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Usage: bulwark").contains("demo");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void availabilityAsksAboutAFractionAndItsHelpHasNoPicocliWarning() {
    assertThat(run("availability", "0.9999")).isEqualTo(2);
    assertThat(err.toString()).contains("did you mean 99.99%?");
    java.io.PrintStream stderr = System.err; // picocli warns there, not on the command's writer
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(run("availability", "--help")).isZero();
    } finally {
      System.setErr(stderr);
    }
    assertThat(out.toString()).contains("99.99%");
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("picocli WARN");
  }

  @Test
  void namesATakenPortWithExitCodeTwoBeforeStartingTheDatabase(@TempDir Path home)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      assertThat(run("demo", "--port", port, "--home", home.toString())).isEqualTo(2);
      assertThat(run("demo", "--ha", "--port", port, "--home", home.toString())).isEqualTo(2);
    }
    assertThat(err.toString())
        .contains("is already in use; choose another with --port (0 = any free port)")
        .doesNotContain("Exception");
    assertThat(home.resolve("demo/pg/postmaster.pid")).doesNotExist();
  }

  @Test
  void dbCommandsNameAMissingClusterAndBadInputWithExitCodeTwo(@TempDir Path home) {
    assertThat(run("db", "status", "--json", "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no database cluster at " + home.resolve("demo/db"));

    io.bulwark.dr.LocalClusters.demo(home.resolve("c")).write();
    assertThat(
            run(
                "db",
                "restore",
                "--cluster",
                home.resolve("c").toString(),
                "--to-time",
                "yesterday",
                "--into",
                home.resolve("r").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--to-time: expected an ISO-8601 time");
    assertThat(
            run(
                "db",
                "restore",
                "--cluster",
                home.resolve("c").toString(),
                "--to-time",
                "2026-01-01T00:00:00Z",
                "--into",
                home.resolve("r").toString(),
                "--region",
                "mars"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no region \"mars\"").contains("regions: local");
    assertThat(run("db", "switchover", "--help")).isZero();
  }

  @Test
  void rejectsAShortAdminPasswordBeforeStartingAnything() {
    assertThat(run("demo", "--admin-password", "short")).isEqualTo(2);
    assertThat(err.toString()).contains("--admin-password must be at least 8 characters");
  }

  @Test
  void rejectsAPaymentRateOutsideZeroToOne() {
    assertThat(run("demo", "--payment-decline-rate", "1.5")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--payment-decline-rate must be between 0 and 1 but was 1.5");
  }

  @Test
  void rejectsUnknownCommandsWithExitCodeTwoAndAHint() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Unmatched argument at index 0: 'frobnicate'")
        .contains("bulwark --help")
        .doesNotContain("Exception");
  }

  @Test
  void rejectsAnOutOfRangePortWithExitCodeTwo() {
    assertThat(run("demo", "--port", "70000")).isEqualTo(2);
    assertThat(err.toString()).contains("--port must be in 0..65535 but was 70000");
  }

  @Test
  void rejectsANonNumericPortWithExitCodeTwo() {
    assertThat(run("demo", "--port", "abc")).isEqualTo(2);
    assertThat(err.toString()).contains("--port").contains("abc");
  }

  @Test
  void rejectsABadIntakeCapacityOrVipHeadroomBeforeStartingAnything(@TempDir Path home) {
    assertThat(run("demo", "--intake-capacity", "0", "--home", home.toString())).isEqualTo(2);
    assertThat(run("serve", "--vip-headroom", "150", "--jdbc-url", "jdbc:postgresql://x/y"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--intake-capacity must be >= 1 but was 0")
        .contains("--vip-headroom must be in 0..100 but was 150")
        .doesNotContain("Exception");
    assertThat(home.resolve("demo/pg/postmaster.pid")).doesNotExist();
  }

  @Test
  void rejectsAReadUrlThatIsNotPostgresWithExitCodeTwo() {
    assertThat(
            run(
                "serve",
                "--jdbc-url",
                "jdbc:postgresql://x/y",
                "--read-jdbc-url",
                "jdbc:mysql://replica/y"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "--read-jdbc-url must start with jdbc:postgresql: but was \"jdbc:mysql://replica/y\"")
        .doesNotContain("Exception");
  }

  @Test
  void rejectsAKafkaAddressThatIsNotHostPortBeforeStartingAnything(@TempDir Path home) {
    assertThat(run("demo", "--kafka", "localhost", "--home", home.toString())).isEqualTo(2);
    assertThat(run("serve", "--kafka", "h:0", "--jdbc-url", "jdbc:postgresql://x/y")).isEqualTo(2);
    assertThat(run("up", "--kafka", "nope", "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "--kafka must be host:port (e.g. 127.0.0.1:9092) with a port in 1..65535,"
                + " but \"localhost\" is not")
        .contains("but \"h:0\" is not")
        .contains("but \"nope\" is not")
        .doesNotContain("Exception");
    assertThat(home.resolve("demo/pg/postmaster.pid")).doesNotExist();
  }

  @Test
  void theKafkaAndDlqCommandsRefuseBadInputWithExitCodeTwoAndAnUnreachableServerWithOne()
      throws Exception {
    assertThat(run("kafka", "--port", "70000")).isEqualTo(2);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(run("kafka", "--port", Integer.toString(taken.getLocalPort()))).isEqualTo(2);
    }
    assertThat(run("dlq", "replay", "not-a-uuid")).isEqualTo(2);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThat(run("dlq", "list", "--url", "http://127.0.0.1:" + closedPort)).isEqualTo(1);
    assertThat(err.toString())
        .contains("--port must be in 0..65535 but was 70000")
        .contains("is in use; choose another with --port (0 = any free port)")
        .contains("ID must be a dead letter's UUID but was \"not-a-uuid\"")
        .contains("cannot reach http://127.0.0.1:" + closedPort)
        .doesNotContain("Exception:");
  }

  @Test
  void rejectsAMalformedStepFunctionsKeyOrRegionWithExitCodeTwo() {
    assertThat(run("demo", "--aws-access-key", "no-secret-here")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--aws-access-key must be ID:SECRET")
        .doesNotContain("Exception");
    assertThat(run("demo", "--aws-region", "Mars")).isEqualTo(2);
    assertThat(err.toString()).contains("--aws-region").contains("Mars");
  }
}
