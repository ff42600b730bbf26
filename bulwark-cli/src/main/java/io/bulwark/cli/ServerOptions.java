package io.bulwark.cli;

import io.bulwark.commerce.CommerceOptions;
import io.bulwark.kernel.Check;
import io.bulwark.server.MetricsAccess;
import io.bulwark.server.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a shop process listens and keeps its state: options shared by demo and serve. */
final class ServerOptions {

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--home", description = "State directory (default: $BULWARK_HOME or ~/.bulwark).")
  Path home;

  @Option(names = "--db-user", defaultValue = "postgres", description = "Database user.")
  String dbUser;

  @Option(
      names = "--db-password",
      defaultValue = "",
      description = "Database password (or env BULWARK_DB_PASSWORD).")
  String dbPassword;

  @Option(
      names = "--kafka",
      defaultValue = "${env:BULWARK_KAFKA}",
      paramLabel = "HOST:PORT",
      description =
          "Relay the shop's events to this Kafka cluster (topics bulwark.orders and"
              + " bulwark.inventory) instead of keeping the bus in PostgreSQL; try it with"
              + " `bulwark kafka` (default: $BULWARK_KAFKA, else none).")
  String kafka;

  @Option(
      names = "--http-task-host",
      paramLabel = "HOST[:PORT]",
      description =
          "A host that state machines' HTTP task resources may call (repeatable; default: none,"
              + " so a definition with an http(s) task URL is refused).")
  List<String> httpTaskHosts = new ArrayList<>();

  @Option(
      names = "--metrics-from",
      paramLabel = "CIDR",
      description =
          "Only clients in this address range may read /metrics (repeatable, e.g. 10.0.0.0/8;"
              + " default: anyone, unless --metrics-token is set).")
  List<String> metricsFrom = new ArrayList<>();

  @Option(
      names = "--metrics-token",
      paramLabel = "TOKEN",
      description =
          "Clients sending 'Authorization: Bearer TOKEN' may read /metrics from anywhere (at least"
              + " 16 characters; or env BULWARK_METRICS_TOKEN).")
  String metricsToken;

  @Option(
      names = "--intake-capacity",
      defaultValue = "100000",
      paramLabel = "ORDERS",
      description =
          "Most orders queued (accepted, their saga not yet past ReserveInventory) before new"
              + " orders get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
  int intakeCapacity;

  @Option(
      names = "--vip-headroom",
      defaultValue = "10",
      paramLabel = "PERCENT",
      description =
          "Room beyond --intake-capacity kept for VIP customers' orders, in percent of it, 0..100"
              + " (default: ${DEFAULT-VALUE}).")
  int vipHeadroomPercent;

  /**
   * The shop's options from these: the HTTP task hosts and the order intake's capacity (checked by
   * {@link #config}, which every command calls before it starts anything).
   */
  CommerceOptions.Builder commerce() {
    return CommerceOptions.builder()
        .httpTaskHosts(httpTaskHosts)
        .intakeCapacity(intakeCapacity)
        .vipHeadroomPercent(vipHeadroomPercent);
  }

  /**
   * A server configuration named {@code name} from these options, on {@code httpPort}.
   *
   * @throws UserInputException for an out-of-range port, intake capacity or VIP headroom
   */
  ServerConfig.Builder config(String name, int httpPort) {
    if (port < 0 || port > 65535) {
      throw new UserInputException("--port must be in 0..65535 but was " + port);
    }
    if (intakeCapacity < 1) {
      throw new UserInputException("--intake-capacity must be >= 1 but was " + intakeCapacity);
    }
    if (vipHeadroomPercent < 0 || vipHeadroomPercent > 100) {
      throw new UserInputException(
          "--vip-headroom must be in 0..100 but was " + vipHeadroomPercent);
    }
    if (kafka != null && kafka.isBlank()) {
      kafka = null; // an empty $BULWARK_KAFKA means none
    }
    if (kafka != null) {
      Check.hostPorts("--kafka", kafka);
    }
    ServerConfig.Builder config =
        ServerConfig.builder()
            .name(name)
            .host(host)
            .httpPort(httpPort)
            .dbUser(dbUser)
            .dbPassword(password())
            .metrics(metricsAccess());
    if (home != null) {
      config.home(home);
    }
    return config;
  }

  /**
   * The options a shop instance started by this process (the HA demo's) must get too: the HTTP task
   * hosts, the order intake's capacity and the /metrics address ranges (the metrics token goes by
   * {@link #instanceEnvironment}, off the command line).
   */
  List<String> instanceArguments() {
    List<String> args = new ArrayList<>();
    httpTaskHosts.forEach(h -> args.addAll(List.of("--http-task-host", h)));
    args.addAll(List.of("--intake-capacity", Integer.toString(intakeCapacity)));
    args.addAll(List.of("--vip-headroom", Integer.toString(vipHeadroomPercent)));
    metricsFrom.forEach(c -> args.addAll(List.of("--metrics-from", c)));
    return args;
  }

  /** The environment such an instance needs for these options: the metrics token, if any. */
  java.util.Map<String, String> instanceEnvironment() {
    String token = metricsToken != null ? metricsToken : System.getenv("BULWARK_METRICS_TOKEN");
    return token == null || token.isEmpty()
        ? java.util.Map.of()
        : java.util.Map.of("BULWARK_METRICS_TOKEN", token);
  }

  /** Who may read /metrics, from the options and {@code $BULWARK_METRICS_TOKEN}. */
  MetricsAccess metricsAccess() {
    String token = metricsToken != null ? metricsToken : System.getenv("BULWARK_METRICS_TOKEN");
    try {
      return new MetricsAccess(metricsFrom, Optional.ofNullable(token).filter(t -> !t.isEmpty()));
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--metrics-from/--metrics-token: " + e.getMessage(), e);
    }
  }

  /** The database password: the option, else {@code $BULWARK_DB_PASSWORD}, else empty. */
  String password() {
    String env = System.getenv("BULWARK_DB_PASSWORD");
    return dbPassword.isEmpty() && env != null ? env : dbPassword;
  }
}
