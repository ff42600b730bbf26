package io.bulwark.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.http.FleetApi;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.kernel.Json;
import io.bulwark.recovery.cli.DrActivateCommand;
import io.bulwark.recovery.cli.DrStatusCommand;
import io.bulwark.recovery.cli.UpState;
import io.bulwark.states.durable.Engine;
import io.bulwark.testkit.PostgresExtension;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A pilot-light topology loses its primary region for real (every instance there and the database
 * primary killed with SIGKILL, the region's zones refusing launches, nothing restarting its
 * processes); the DR manager carries out the runbook and the DR region serves.
 */
class DisasterRecoveryTest {
  private static final String PRIMARY = "us-east-1";
  private static final String DR = "us-west-2";

  @RegisterExtension static final PostgresExtension ENGINE = PostgresExtension.migrating("states");

  @TempDir Path tmp;

  @Test
  void pilotLightRegionLossIsRecoveredInTheDrRegionStepByStep() throws Exception {
    Path file = Path.of(DisasterRecoveryTest.class.getResource("pilot-light-small.yaml").toURI());
    Topology topology = TopologyFile.load(file);
    Path home = tmp.resolve("home");
    Path runDir = UpState.runDir(home, topology.name());
    ClusterSpec spec = TopologyClusters.of(topology, runDir.resolve("db"), Optional.empty());
    try (DatabaseCluster db =
            DatabaseCluster.create(spec).start(new PrintWriter(System.err, true));
        LocalStack stack = LocalStack.start(StackPlan.of(topology, 0, 0));
        FleetApi fleet = FleetApi.start(stack.groups(), 0)) {
      assertThat(stack.awaitReady(Duration.ofSeconds(60))).isTrue();
      RunningTopology running =
          new RunningTopology(
              topology,
              file.toString(),
              stack.url(),
              "http://127.0.0.1:" + stack.gateway().adminPort(),
              fleet.url(),
              Optional.of(spec.home()),
              runDir.resolve("dr"));
      UpState.write(
          home,
          topology.name(),
          running.gatewayUrl(),
          running.adminUrl(),
          running.fleetUrl(),
          file.toString());
      db.awaitStandbys(Duration.ofSeconds(60));
      int primaryPort = port(db, TopologyClusters.PRIMARY);
      int drPort = port(db, "dr-1");
      execute(primaryPort, "create table acknowledged (id int primary key)");
      execute(primaryPort, "insert into acknowledged values (42)");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count(drPort, "select count(*) from acknowledged where id = 42") == 1);

      DrStatus before = DrStatus.read(running);
      assertThat(before.primaryHealthy()).isTrue();
      assertThat(before.dr().ready()).as(before.dr().problems().toString()).isTrue();
      assertThat(before.dr().database()).extracting(m -> m.get("name")).containsExactly("dr-1");
      StringWriter out = new StringWriter();
      assertThat(cli(new DrStatusCommand(), out, "--home", home.toString(), "--json")).isZero();
      JsonNode status = Json.parse(out.toString());
      assertThat(status.path("strategy").asText()).isEqualTo("pilot-light");
      assertThat(status.path("targets").path("rtoSeconds").asLong()).isEqualTo(4 * 3600);
      assertThat(status.path("primary").path("healthy").asBoolean()).isTrue();
      assertThat(status.path("primary").path("pools").get(0).path("healthyTargets").asInt())
          .isEqualTo(2);
      assertThat(status.path("dr").path("ready").asBoolean()).isTrue();
      assertThat(status.path("dr").path("database").get(0).path("streaming").asBoolean()).isTrue();
      assertThat(status.path("dr").path("database").get(0).has("lagBytes")).isTrue();
      StringWriter plan = new StringWriter();
      assertThat(cli(new DrActivateCommand(), plan, "--home", home.toString())).isZero();
      assertThat(plan.toString())
          .contains("nothing changed; run with --approve")
          .contains(" 3. [manager] Promote database replica dr-1 in us-west-2")
          .contains("10. [people]  Communication");
      assertThat(db.status().leader()).contains(TopologyClusters.PRIMARY);
      assertThat(stack.gateway().pools())
          .filteredOn(p -> p.name().equals("primary"))
          .extracting(p -> p.weight())
          .containsExactly(100);

      // a false alarm: the primary region is healthy, so detection fails (after its retry) and
      // the activation rolls back and changes nothing
      try (DisasterRecoveryManager hasty =
          DisasterRecoveryManager.start(
              running, ENGINE.database(), Clock.systemUTC(), Duration.ofSeconds(1))) {
        Activation falseAlarm = hasty.activate("false-alarm", Duration.ofMinutes(1));
        assertThat(falseAlarm.status()).isEqualTo("FAILED");
        assertThat(falseAlarm.error()).contains(RunbookAsl.ROLLED_BACK);
        assertThat(falseAlarm.steps())
            .extracting(StepRecord::state)
            .containsExactly("1 detect", "Roll back 1 detect");
        StepRecord detect = byState(falseAlarm).get("1 detect");
        assertThat(detect.status()).isEqualTo("FAILED");
        assertThat(detect.attempts()).isEqualTo(2);
        assertThat(detect.detail())
            .contains(RunbookAsl.STEP_FAILED)
            .contains("us-east-1 still has healthy targets");
        assertThat(byState(falseAlarm).get("Roll back 1 detect").status()).isEqualTo("SUCCEEDED");
      }
      assertThat(db.status().leader()).contains(TopologyClusters.PRIMARY);

      // the primary region is lost: its zones kill their instances (SIGKILL) and refuse launches,
      // its database primary is killed and nothing restarts it
      List<InstanceStatus> east =
          stack.group("web").status().instances().stream()
              .filter(i -> i.zone().region().equals(PRIMARY))
              .toList();
      assertThat(east).hasSize(2);
      for (String zone : List.of("us-east-1a", "us-east-1b")) {
        stack.provider().failZone(Zone.of(PRIMARY, zone));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  east.stream()
                      .noneMatch(
                          i ->
                              ProcessHandle.of(i.pid().orElseThrow())
                                  .map(ProcessHandle::isAlive)
                                  .orElse(false)));
      db.killMember(TopologyClusters.PRIMARY);
      db.stopMember(TopologyClusters.PRIMARY);

      // a first manager, a process of its own, is killed with SIGKILL while it promotes the
      // replica; a second one takes the activation over once the first one's lease runs out
      String name = "region-loss-1";
      Map<String, StepRecord> whenStopped;
      Process first =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ManagerMain.class.getName(),
                  file.toString(),
                  running.gatewayUrl(),
                  running.adminUrl(),
                  running.fleetUrl(),
                  spec.home().toString(),
                  running.stateDir().toString(),
                  ENGINE.database().jdbcUrl(),
                  name)
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("manager.log").toFile())
              .start();
      String arn = Engine.executionArn(DisasterRecoveryManager.MACHINE, name);
      try (Engine watcher = Engine.builder(ENGINE.database()).workers(0).build()) {
        await()
            .atMost(Duration.ofMinutes(2))
            .ignoreExceptions()
            .until(
                () ->
                    DisasterRecoveryManager.steps(watcher.history(arn)).stream()
                        .anyMatch(r -> r.state().equals("3 promote-replica")));
      } finally {
        first.destroyForcibly().waitFor();
      }
      try (DisasterRecoveryManager second =
          DisasterRecoveryManager.start(running, ENGINE.database(), Clock.systemUTC())) {
        whenStopped = byState(second.activation(name).orElseThrow());
        assertThat(whenStopped).doesNotContainKey("8 verify");

        Activation activation = second.activate(name, Duration.ofMinutes(3));
        Map<String, StepRecord> byState = byState(activation);
        assertThat(activation.status())
            .as("%s %s %s", activation.error(), activation.cause(), activation.steps())
            .isEqualTo("SUCCEEDED");
        assertThat(activation.steps()).noneMatch(StepRecord::rollback);
        for (RunbookStep step : second.runbook().steps()) {
          StepRecord r = byState.get(RunbookAsl.stateName(step));
          assertThat(r).as("step %s in the history", RunbookAsl.stateName(step)).isNotNull();
          assertThat(r.status()).isEqualTo("SUCCEEDED");
          assertThat(r.seconds()).isGreaterThanOrEqualTo(0);
          assertThat(r.detail()).isNotBlank();
        }
        // the steps done before the kill were not carried out again by the second manager
        whenStopped.values().stream()
            .filter(r -> r.status().equals("SUCCEEDED"))
            .forEach(r -> assertThat(byState.get(r.state())).isEqualTo(r));
        for (StepRecord r : activation.steps()) {
          assertThat(r.attempts())
              .as("attempts of %s", r.state())
              .isEqualTo(r.state().equals("3 promote-replica") ? r.attempts() : 1);
        }
        assertThat(byState.get("3 promote-replica").detail()).contains("dr-1");
      }

      HttpResponse<String> hello =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(stack.url() + "/api/v1/hello"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.headers().firstValue("X-Region")).contains(DR);
      assertThat(db.status().leader()).contains("dr-1");
      execute(drPort, "insert into acknowledged values (43)");
      assertThat(count(drPort, "select count(*) from acknowledged")).isEqualTo(2);
      DrStatus after = DrStatus.read(running);
      assertThat(after.primaryHealthy()).isFalse();
      assertThat(after.monitoring()).isPresent();
      assertThat(after.monitoring().get().path("primaryRegion").asText()).isEqualTo(DR);
    }
  }

  private static Map<String, StepRecord> byState(Activation a) {
    return a.steps().stream().collect(Collectors.toMap(StepRecord::state, Function.identity()));
  }

  private static int cli(Object command, StringWriter out, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(System.err, true));
    return cl.execute(args);
  }

  private static int port(DatabaseCluster db, String member) {
    return db.status().member(member).orElseThrow().port();
  }

  private static void execute(int port, String sql) throws SQLException {
    try (Connection c = connect(port);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(int port, String sql) throws SQLException {
    try (Connection c = connect(port);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Connection connect(int port) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=3");
  }
}
