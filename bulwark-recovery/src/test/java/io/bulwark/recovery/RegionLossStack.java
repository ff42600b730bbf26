package io.bulwark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.Zone;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.recovery.cli.UpState;
import io.bulwark.recovery.drill.DrillStack;
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
  final RunningTopology running;
  private final DrillStack drill;

  private RegionLossStack(Path file, Topology topology, Path home, DrillStack drill) {
    this.file = file;
    this.topology = topology;
    this.home = home;
    this.drill = drill;
    this.spec = drill.database().spec();
    this.db = drill.database();
    this.stack = drill.stack();
    this.running = drill.running();
  }

  /**
   * Starts the stack (as a drill starts it, in the run directory {@code bulwark up} would use under
   * {@code home}) and writes the run state; returns once every group and standby is ready.
   */
  static RegionLossStack start(Path home) throws Exception {
    Path file = Path.of(RegionLossStack.class.getResource("pilot-light-small.yaml").toURI());
    Topology topology = TopologyFile.load(file);
    DrillStack drill =
        DrillStack.start(
            topology,
            file.toString(),
            UpState.runDir(home, topology.name()),
            Duration.ofSeconds(60),
            new PrintWriter(System.err, true));
    try {
      RunningTopology running = drill.running();
      UpState.write(
          home,
          topology.name(),
          running.gatewayUrl(),
          running.adminUrl(),
          running.fleetUrl(),
          file.toString());
      return new RegionLossStack(file, topology, home, drill);
    } catch (Exception | AssertionError e) {
      drill.close();
      throw e;
    }
  }

  /**
   * The primary region is lost ({@link DrillStack#loseRegion}): its zones kill their instances
   * (SIGKILL) and refuse launches, its database primary is killed and nothing restarts it.
   */
  void losePrimaryRegion() {
    assertThat(drill.loseRegion(PRIMARY))
        .contains("database member " + TopologyClusters.PRIMARY)
        .anyMatch(k -> k.startsWith("instance web-"));
    assertThat(stack.group("web").status().instances())
        .noneMatch(
            i ->
                i.zone().region().equals(PRIMARY)
                    && i.pid().isPresent()
                    && ProcessHandle.of(i.pid().getAsLong())
                        .map(ProcessHandle::isAlive)
                        .orElse(false));
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
    drill.close();
  }
}
