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
import io.bulwark.recovery.cli.UpState;
import io.bulwark.topology.Region;
import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The pilot-light test topology ({@code pilot-light-small.yaml}) running in this JVM as {@code
 * bulwark up} would run it: its database cluster, its instance groups behind the gateway, the fleet
 * API, and the run state the {@code dr} commands attach to; with the region loss and return the DR
 * tests inflict on it.
 */
final class RegionLossStack implements AutoCloseable {
  static final String PRIMARY = "us-east-1";
  static final String DR = "us-west-2";

  final Path file;
  final Topology topology;
  final Path home;
  final ClusterSpec spec;
  final DatabaseCluster db;
  final LocalStack stack;
  final FleetApi fleet;
  final RunningTopology running;

  private RegionLossStack(
      Path file,
      Topology topology,
      Path home,
      ClusterSpec spec,
      DatabaseCluster db,
      LocalStack stack,
      FleetApi fleet,
      RunningTopology running) {
    this.file = file;
    this.topology = topology;
    this.home = home;
    this.spec = spec;
    this.db = db;
    this.stack = stack;
    this.fleet = fleet;
    this.running = running;
  }

  /** Starts the stack with its state under {@code home}; returns once every standby streams. */
  static RegionLossStack start(Path home) throws Exception {
    Path file = Path.of(RegionLossStack.class.getResource("pilot-light-small.yaml").toURI());
    Topology topology = TopologyFile.load(file);
    Path runDir = UpState.runDir(home, topology.name());
    ClusterSpec spec = TopologyClusters.of(topology, runDir.resolve("db"), Optional.empty());
    DatabaseCluster db = DatabaseCluster.create(spec).start(new PrintWriter(System.err, true));
    LocalStack stack = null;
    FleetApi fleet = null;
    try {
      stack = LocalStack.start(StackPlan.of(topology, 0, 0));
      fleet = FleetApi.start(stack.groups(), 0);
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
      return new RegionLossStack(file, topology, home, spec, db, stack, fleet, running);
    } catch (Exception | AssertionError e) {
      if (fleet != null) {
        fleet.close();
      }
      if (stack != null) {
        stack.close();
      }
      db.close();
      throw e;
    }
  }

  /**
   * The primary region is lost: its zones kill their instances (SIGKILL) and refuse launches, its
   * database primary is killed and nothing restarts it.
   */
  void losePrimaryRegion() {
    List<InstanceStatus> east =
        stack.group("web").status().instances().stream()
            .filter(i -> i.zone().region().equals(PRIMARY))
            .toList();
    assertThat(east).isNotEmpty();
    primaryZones().forEach(z -> stack.provider().failZone(z));
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
  }

  /**
   * The primary region comes back: its zones take launches again and its database member's machine
   * boots (the owner starts its agent, which finds another primary and rejoins it).
   */
  void restorePrimaryRegion() {
    primaryZones().forEach(z -> stack.provider().restoreZone(z));
    db.startMember(TopologyClusters.PRIMARY);
  }

  private List<Zone> primaryZones() {
    Region region = topology.region(PRIMARY).orElseThrow();
    return region.zones().stream().map(z -> Zone.of(PRIMARY, z)).toList();
  }

  /** {@code GET path} through the gateway. */
  HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(stack.url() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  int port(String member) {
    return spec.requireMember(member).port();
  }

  static void execute(int port, String sql) throws SQLException {
    try (Connection c = connect(port);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static long count(int port, String sql) throws SQLException {
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

  @Override
  public void close() {
    fleet.close();
    stack.close();
    db.close();
  }
}
