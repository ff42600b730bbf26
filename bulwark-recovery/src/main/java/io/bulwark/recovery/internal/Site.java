package io.bulwark.recovery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.kernel.AdminApi;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.recovery.RunningTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The running topology as the DR manager reaches it: the gateway's admin API, the fleet API, the
 * database cluster's own API and its members over JDBC. Every call is real (HTTP, ZooKeeper,
 * PostgreSQL); one that does not answer fails with {@link RecoveryException.Unreachable}.
 */
public final class Site implements AutoCloseable {

  /** Whether a database member takes writes. */
  public enum Writes {
    /** It answers and is a read-write primary. */
    TAKES_WRITES,
    /** It answers but refuses writes: in recovery (a standby) or read-only. */
    REFUSES,
    /** It does not answer. */
    UNREACHABLE
  }

  private final RunningTopology running;
  private DatabaseCluster cluster;

  /** The site of {@code running}. */
  public Site(RunningTopology running) {
    this.running = running;
  }

  /** What it runs. */
  public RunningTopology running() {
    return running;
  }

  /** {@code GET /admin/pools}: every pool with its weight and targets. */
  public JsonNode pools() {
    return call(running.adminUrl(), "GET", "/admin/pools", null, "the gateway's admin API")
        .path("pools");
  }

  /** The pool called {@code name}, or a missing node. */
  public JsonNode pool(String name) {
    for (JsonNode p : pools()) {
      if (p.path("name").asText().equals(name)) {
        return p;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** Targets of {@code pool} that passed their last health check and take requests. */
  public static int healthyTargets(JsonNode pool) {
    int n = 0;
    for (JsonNode t : pool.path("targets")) {
      if (t.path("healthy").asBoolean() && t.path("state").asText().equals("SERVING")) {
        n++;
      }
    }
    return n;
  }

  /** {@code PUT /admin/pools/{pool}/weight}. */
  public void setWeight(String pool, int weight) {
    call(
        running.adminUrl(),
        "PUT",
        "/admin/pools/" + pool + "/weight",
        Map.of("weight", weight),
        "the gateway's admin API");
  }

  /** {@code GET /fleet/groups}: every instance group with its instances. */
  public JsonNode groups() {
    return call(running.fleetUrl(), "GET", "/fleet/groups", null, "the fleet API").path("groups");
  }

  /** {@code PUT /fleet/groups/{group}/desired}. */
  public void setDesired(String group, int desired) {
    call(
        running.fleetUrl(),
        "PUT",
        "/fleet/groups/" + group + "/desired",
        Map.of("desired", desired),
        "the fleet API");
  }

  /** Per group: its instances in {@code region} that are in service and healthy. */
  public Map<String, Integer> healthyInRegion(String region) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode g : groups()) {
      int n = 0;
      for (JsonNode i : g.path("instances")) {
        if (i.path("zone").path("region").asText().equals(region)
            && i.path("state").asText().equals("IN_SERVICE")
            && i.path("healthy").asBoolean()) {
          n++;
        }
      }
      out.put(g.path("name").asText(), n);
    }
    return out;
  }

  /** The desired count of each group. */
  public Map<String, Integer> desired() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode g : groups()) {
      out.put(g.path("name").asText(), g.path("desired").asInt());
    }
    return out;
  }

  /** The database cluster, when the topology's database runs. */
  public synchronized Optional<DatabaseCluster> database() {
    if (cluster == null && running.databaseHome().isPresent()) {
      try {
        cluster = DatabaseCluster.open(running.databaseHome().get());
      } catch (RuntimeException e) {
        throw new RecoveryException.Unreachable(
            "cannot open the database cluster in "
                + running.databaseHome().get()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return Optional.ofNullable(cluster);
  }

  /** The cluster's status as its agents published it. */
  public ClusterStatus databaseStatus() {
    DatabaseCluster db =
        database()
            .orElseThrow(
                () ->
                    new RecoveryException.NotPossible(
                        "the topology's database does not run (no database section, or up"
                            + " --no-database)"));
    try {
      return db.status();
    } catch (RuntimeException e) {
      throw new RecoveryException.Unreachable(
          "the database cluster does not answer: " + e.getMessage(), e);
    }
  }

  /** Whether the member on {@code port} takes writes. */
  public static Writes writes(int port) {
    try (Connection c = connect(port);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select pg_is_in_recovery(), current_setting('default_transaction_read_only')")) {
      r.next();
      return r.getBoolean(1) || r.getString(2).equals("on") ? Writes.REFUSES : Writes.TAKES_WRITES;
    } catch (SQLException e) {
      return Writes.UNREACHABLE;
    }
  }

  /**
   * Makes the member on {@code port} refuse (or take again) writes: {@code ALTER SYSTEM SET
   * default_transaction_read_only}, then a configuration reload.
   *
   * @throws RecoveryException.Unreachable when it does not answer
   */
  public static void setReadOnly(int port, boolean readOnly) {
    try (Connection c = connect(port);
        Statement s = c.createStatement()) {
      s.execute(
          readOnly
              ? "alter system set default_transaction_read_only = on"
              : "alter system reset default_transaction_read_only");
      s.execute("select pg_reload_conf()");
    } catch (SQLException e) {
      throw new RecoveryException.Unreachable(
          "cannot change default_transaction_read_only on the member on port "
              + port
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Commits one row on the member on {@code port}; returns false when it refuses or is down. */
  public static boolean commitsAWrite(int port) {
    try (Connection c = connect(port);
        Statement s = c.createStatement()) {
      s.execute(
          "create table if not exists bulwark_dr_check (at timestamptz not null default now())");
      s.execute("insert into bulwark_dr_check default values");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static Connection connect(int port) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("connectTimeout", "3");
    p.setProperty("socketTimeout", "10");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
  }

  /** A request through the gateway: its status and the region that answered (X-Region), if any. */
  public record Answer(int status, Optional<String> region) {}

  /** {@code GET path} through the gateway. */
  public Answer throughGateway(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(running.gatewayUrl().replaceAll("/+$", "") + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
      return new Answer(r.statusCode(), r.headers().firstValue("X-Region"));
    } catch (IOException e) {
      throw new RecoveryException.Unreachable(
          "the gateway " + running.gatewayUrl() + " does not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RecoveryException.Unreachable("interrupted while calling the gateway", e);
    }
  }

  private static JsonNode call(String url, String method, String path, Object body, String what) {
    try {
      return AdminApi.call(url, null, method, path, body);
    } catch (AdminApi.Failed e) {
      throw new RecoveryException.Unreachable(
          what + " (" + url + ") refused " + method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RecoveryException.Unreachable("interrupted while calling " + what, e);
    }
  }

  /** Closes the cluster handle, if one was opened. */
  @Override
  public synchronized void close() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
