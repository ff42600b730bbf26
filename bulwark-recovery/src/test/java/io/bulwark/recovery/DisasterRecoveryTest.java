package io.bulwark.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.InstanceStatus;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.http.FleetApi;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.testkit.PostgresExtension;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.PrintWriter;
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
    ClusterSpec spec = TopologyClusters.of(topology, tmp.resolve("db"), Optional.empty());
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
              tmp.resolve("dr"));
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

      // the primary region is lost: nothing there restarts or launches again
      for (String zone : List.of("us-east-1a", "us-east-1b")) {
        stack.provider().failZone(Zone.of(PRIMARY, zone));
      }
      List<InstanceStatus> east =
          stack.group("web").status().instances().stream()
              .filter(i -> i.zone().region().equals(PRIMARY))
              .toList();
      assertThat(east).hasSize(2);
      for (InstanceStatus i : east) {
        ProcessHandle.of(i.pid().orElseThrow()).orElseThrow().destroyForcibly();
      }
      db.killMember(TopologyClusters.PRIMARY);
      db.stopMember(TopologyClusters.PRIMARY);

      Activation activation;
      try (DisasterRecoveryManager manager =
          DisasterRecoveryManager.start(running, ENGINE.database(), Clock.systemUTC())) {
        activation = manager.activate("region-loss-1", Duration.ofMinutes(3));
        Map<String, StepRecord> byState =
            activation.steps().stream()
                .collect(Collectors.toMap(StepRecord::state, Function.identity()));
        assertThat(activation.status())
            .as("%s %s %s", activation.error(), activation.cause(), activation.steps())
            .isEqualTo("SUCCEEDED");
        assertThat(activation.steps()).noneMatch(StepRecord::rollback);
        for (RunbookStep step : manager.runbook().steps()) {
          StepRecord r = byState.get(RunbookAsl.stateName(step));
          assertThat(r).as("step %s in the history", RunbookAsl.stateName(step)).isNotNull();
          assertThat(r.status()).isEqualTo("SUCCEEDED");
          assertThat(r.seconds()).isGreaterThanOrEqualTo(0);
          assertThat(r.detail()).isNotBlank();
        }
        assertThat(byState.get("3 promote-replica").detail()).contains("failed over to dr-1");
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
