package io.bulwark.fleet.cli;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.DatabaseCluster;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.InstanceCpu;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.QueueBacklog;
import io.bulwark.fleet.TargetTracking;
import io.bulwark.fleet.http.FleetApi;
import io.bulwark.fleet.instance.InstanceMain;
import io.bulwark.fleet.local.LocalProcessProvider;
import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.fleet.stack.BuiltinTopology;
import io.bulwark.fleet.stack.GatewayLatency;
import io.bulwark.fleet.stack.GatewayRequestRate;
import io.bulwark.fleet.stack.LocalStack;
import io.bulwark.fleet.stack.StackPlan;
import io.bulwark.kernel.Durations;
import io.bulwark.topology.Topology;
import io.bulwark.topology.cli.Loading;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark up [FILE]}: runs a topology on this machine until Ctrl-C, SIGTERM or {@code
 * bulwark down}: the gateway with the file's pools and rules, and one instance group per service
 * whose instances are child processes spread over the zones. Prints the gateway URL on stdout once
 * every group is in service; shows a live status on stderr.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run a topology on this machine: the gateway (pools, weights, header/geo rules, fallback,"
          + " affinity, health checks) and an instance group per service, each instance its own"
          + " process spread over the zones, replaced when it dies.",
      "Prints the gateway URL on stdout once every group is in service, a live status on"
          + " stderr, and runs until Ctrl-C, SIGTERM or `bulwark down`; then stops everything.",
      "Without FILE it runs a built-in topology: one region, three zones, three instances.",
      "Exit 0 after a clean stop, 1 when the fleet does not come up, 2 for bad input."
    })
public final class UpCommand implements java.util.concurrent.Callable<Integer> {

  /**
   * The environment variable naming the fleet API's URL to the instances {@code --exec} starts (the
   * one {@code bulwark serve} reads for its dashboard).
   */
  static final String FLEET_URL_ENV = "BULWARK_FLEET_URL";

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description = "topology file (bulwark.yaml); default: the built-in local-demo topology")
  Path file;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "gateway port; 0 picks a free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--admin-port",
      defaultValue = "0",
      description = "gateway admin API port; 0 picks a free one, -1 turns it off (default: 0)")
  int adminPort;

  @Option(
      names = "--home",
      description =
          "state directory; the run state goes to HOME/run/NAME (default: $BULWARK_HOME"
              + " or ~/.bulwark)")
  Path home;

  @Option(
      names = "--exec",
      paramLabel = "SERVICE=COMMAND",
      description = {
        "run COMMAND for SERVICE's instances instead of the built-in instance; placeholders"
            + " {port} {id} {zone} {region} {service} {generation}, also as BULWARK_* variables;"
            + " BULWARK_FLEET_URL names the fleet API (`bulwark serve` shows its group's"
            + " instances per zone on its dashboard from it)",
        "e.g. --exec 'web=java -jar app.jar --port {port}'"
      })
  Map<String, String> exec = new LinkedHashMap<>();

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description =
          "Kafka cluster for the instances started by --exec, passed as $BULWARK_KAFKA"
              + " (`bulwark serve` relays the shop's events there)")
  String kafka;

  @Option(
      names = "--fleet-port",
      defaultValue = "0",
      description = "fleet control API port (refresh, resize, kill); 0 picks a free one, -1 off")
  int fleetPort;

  @Option(
      names = "--schedule",
      paramLabel = "SERVICE@TIME=MIN/MAX/DESIRED",
      description = {
        "scheduled scaling, e.g. pre-scaling for Black Friday:"
            + " --schedule web@2026-11-27T06:00:00Z=12/30/12 (repeatable)"
      })
  List<String> schedules = new java.util.ArrayList<>();

  @Option(
      names = "--target-rps",
      description = "autoscale every service to hold this many requests/s per instance")
  Double targetRps;

  @Option(
      names = "--target-cpu",
      paramLabel = "PERCENT",
      description =
          "autoscale every service to hold this CPU use per instance (percent of one core)")
  Double targetCpu;

  @Option(
      names = "--target-latency",
      paramLabel = "MS",
      description =
          "autoscale every service to hold this mean response time at the gateway (ms); with"
              + " several --target-* options the group takes the largest size any asks for")
  Double targetLatency;

  @Option(
      names = "--target-queue-depth",
      paramLabel = "ORDERS",
      description =
          "autoscale every service to hold this backlog per instance: the order intake's depth"
              + " (bulwark_orders_intake_depth on the in-service instances' /metrics, as `bulwark"
              + " serve` run with --exec reports it) divided by the instances in service")
  Double targetQueueDepth;

  @Option(
      names = "--status",
      defaultValue = "auto",
      description = "status on stderr: live (redraw), lines, off, auto (live on a terminal)")
  String status;

  @Option(
      names = "--zookeeper",
      paramLabel = "HOST:PORT,...",
      description =
          "an existing ZooKeeper ensemble for the database's failover; default: three local"
              + " members, one per zone of the primary's region")
  String zookeeper;

  @Option(names = "--no-database", description = "do not start the topology's database section")
  boolean noDatabase;

  @Option(
      names = "--ready-timeout",
      defaultValue = "60s",
      description = "how long the fleet may take to come up (default: ${DEFAULT-VALUE})")
  String readyTimeout;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Topology> loaded = load(err);
    if (loaded.isEmpty()) {
      return Exits.BAD_INPUT;
    }
    Topology topology = loaded.get();
    Duration timeout;
    StackPlan plan;
    Map<String, ProcessCommand> commands = new LinkedHashMap<>();
    List<ScheduleOption> scheduled = new java.util.ArrayList<>();
    try {
      timeout = Durations.parse("--ready-timeout", readyTimeout);
      if (!List.of("auto", "live", "lines", "off").contains(status)) {
        throw new IllegalArgumentException(
            "--status must be auto, live, lines or off, got \"" + status + "\"");
      }
      positive("--target-rps", targetRps);
      positive("--target-cpu", targetCpu);
      positive("--target-latency", targetLatency);
      positive("--target-queue-depth", targetQueueDepth);
      if (fleetPort < -1 || fleetPort > 65535) {
        throw new IllegalArgumentException(
            "--fleet-port must be between 0 and 65535, or -1, got " + fleetPort);
      }
      plan = StackPlan.of(topology, port, adminPort);
      for (String schedule : schedules) {
        ScheduleOption parsed = ScheduleOption.parse(schedule);
        if (topology.service(parsed.service()).filter(x -> x.runsHere()).isEmpty()) {
          throw new IllegalArgumentException(
              "--schedule names unknown service \"" + parsed.service() + "\"");
        }
        scheduled.add(parsed);
      }
      if (kafka != null) {
        io.bulwark.kernel.Check.hostPorts("--kafka", kafka);
      }
      for (var e : exec.entrySet()) {
        if (topology.service(e.getKey()).isEmpty()) {
          throw new IllegalArgumentException("--exec names unknown service \"" + e.getKey() + "\"");
        }
        List<String> argv = List.of(e.getValue().trim().split("\\s+"));
        if (argv.get(0).isEmpty()) {
          throw new IllegalArgumentException("--exec " + e.getKey() + "= needs a command");
        }
        commands.put(
            e.getKey(),
            kafka == null
                ? ProcessCommand.of(argv)
                : new ProcessCommand(argv, Map.of("BULWARK_KAFKA", kafka), false));
      }
    } catch (IllegalArgumentException e) {
      return Exits.badInput(err, e.getMessage());
    }

    Path runDir = RunState.runRoot(home).resolve(topology.name());
    Optional<RunState> previous = RunState.read(runDir);
    if (previous.isPresent() && previous.get().process().isPresent()) {
      err.println(
          "bulwark: "
              + topology.name()
              + " is already up (pid "
              + previous.get().pid()
              + ", "
              + previous.get().url()
              + "); stop it with `bulwark down`");
      err.flush();
      return Exits.CHECK_FAILED;
    }
    DatabaseCluster database = null;
    if (topology.database().isPresent() && !noDatabase) {
      ClusterSpec dbSpec;
      try {
        dbSpec =
            TopologyClusters.of(topology, runDir.resolve("db"), Optional.ofNullable(zookeeper));
      } catch (IllegalArgumentException e) {
        return Exits.badInput(err, "database: " + e.getMessage());
      }
      try {
        database = DatabaseCluster.create(dbSpec).start(err);
      } catch (RuntimeException e) {
        return Exits.badInput(err, "the database did not start: " + e.getMessage());
      }
      err.println(
          "database "
              + dbSpec.name()
              + ": "
              + database.jdbcUrl("postgres")
              + " (bulwark db status --cluster "
              + dbSpec.home()
              + ")");
      err.flush();
    }
    DatabaseCluster db = database;

    // the fleet API comes up before the groups so that --exec instances can be told where it is
    // (BULWARK_FLEET_URL): a `bulwark serve` instance's dashboard shows its group's instances per
    // zone from it
    AtomicReference<LocalStack> running = new AtomicReference<>();
    FleetApi api;
    try {
      api =
          fleetPort < 0
              ? null
              : FleetApi.start(
                  () -> running.get() == null ? List.of() : running.get().groups(), fleetPort);
    } catch (java.io.UncheckedIOException e) {
      if (db != null) {
        db.close();
      }
      return Exits.badInput(err, e.getMessage() + " (choose another --fleet-port)");
    }
    if (api != null) {
      commands.replaceAll((service, c) -> c.withEnvironment(FLEET_URL_ENV, api.url()));
    }
    // the built-in instances record orders (POST /api/v1/orders/{id}) in the topology's
    // database, following its primary, so a failover here keeps or loses them as a shop's would
    // (`bulwark drill` counts that on a copy of its own)
    ProcessCommand builtin =
        db == null
            ? ProcessCommand.instance(1)
            : ProcessCommand.instance(1)
                .withEnvironment(
                    InstanceMain.DATABASE_URL_ENV, db.jdbcUrl("postgres") + "&user=postgres");
    LocalProcessProvider provider =
        LocalProcessProvider.of(builtin, commands, Optional.of(runDir.resolve("logs")));
    LocalStack stack;
    try {
      stack = LocalStack.start(plan, provider, Clock.systemUTC());
    } catch (IllegalStateException e) {
      provider.close();
      if (api != null) {
        api.close();
      }
      if (db != null) {
        db.close();
      }
      return Exits.badInput(
          err,
          "cannot start the gateway: "
              + e.getMessage()
              + (port != 0 ? " (choose another --port; 0 picks a free one)" : ""));
    }
    running.set(stack);
    for (ScheduleOption o : scheduled) {
      stack.group(o.service()).schedule(o.action());
    }
    for (InstanceGroup g : stack.groups()) {
      Set<String> pools =
          new HashSet<>(
              plan.groups().stream()
                  .filter(p -> p.config().name().equals(g.name()))
                  .findFirst()
                  .orElseThrow()
                  .poolByRegion()
                  .values());
      if (targetRps != null) {
        g.track(
            TargetTracking.requestRate(targetRps), GatewayRequestRate.of(stack.registry(), pools));
      }
      if (targetCpu != null) {
        g.track(TargetTracking.cpu(targetCpu), InstanceCpu.of(g));
      }
      if (targetLatency != null) {
        g.track(TargetTracking.latency(targetLatency), GatewayLatency.of(stack.registry(), pools));
      }
      if (targetQueueDepth != null) {
        g.track(
            TargetTracking.queueDepth(targetQueueDepth),
            // the instances inherit this process's environment, their metrics token included
            QueueBacklog.of(g, QueueBacklog.ORDER_INTAKE_DEPTH)
                .withBearerToken(System.getenv("BULWARK_METRICS_TOKEN")));
      }
    }

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "up-status");
              t.setDaemon(true);
              return t;
            });
    Runnable stop =
        () -> {
          if (!stopping.compareAndSet(false, true)) {
            return;
          }
          ticker.shutdownNow();
          err.println("stopping " + topology.name() + " ...");
          err.flush();
          if (api != null) {
            api.close();
          }
          stack.close();
          if (db != null) {
            db.close();
          }
          try {
            Files.deleteIfExists(runDir.resolve(RunState.FILE));
          } catch (IOException e) {
            // A stale state file is recognised as such by the next up/down.
          }
          err.println("stopped");
          err.flush();
          stopped.countDown();
        };
    Thread hook = new Thread(stop, "bulwark-up-stop");
    Runtime.getRuntime().addShutdownHook(hook);

    err.println(
        "starting "
            + topology.name()
            + ": gateway on "
            + stack.url()
            + ", "
            + String.join(
                ", ",
                plan.groups().stream()
                    .map(
                        g ->
                            g.config().desired()
                                + " × "
                                + g.config().name()
                                + " over "
                                + g.config().zones().size()
                                + " zones")
                    .toList())
            + " ...");
    err.flush();
    if (!stack.awaitReady(timeout)) {
      err.println(
          "bulwark: the fleet did not come up within "
              + Durations.format(timeout)
              + "; instance logs in "
              + runDir.resolve("logs"));
      err.flush();
      Runtime.getRuntime().removeShutdownHook(hook);
      stop.run();
      return Exits.CHECK_FAILED;
    }
    String adminUrl = adminPort < 0 ? "" : "http://127.0.0.1:" + stack.gateway().adminPort();
    try {
      new RunState(
              topology.name(),
              ProcessHandle.current().pid(),
              Instant.now(),
              stack.url(),
              adminUrl,
              api == null ? "" : api.url(),
              file == null ? "builtin:local-demo" : file.toAbsolutePath().toString())
          .write(runDir);
    } catch (IOException e) {
      err.println("warning: cannot write " + runDir.resolve(RunState.FILE) + ": " + e.getMessage());
    }
    err.println(
        "ready: "
            + stack.url()
            + (adminUrl.isEmpty() ? "" : "  gateway admin API: " + adminUrl)
            + (api == null ? "" : "  fleet API: " + api.url() + "/fleet/groups"));
    err.println("logs: " + runDir.resolve("logs") + "; stop with Ctrl-C or `bulwark down`");
    err.flush();
    out.println(stack.url());
    out.flush();

    boolean live =
        status.equals("live") || (status.equals("auto") && StatusView.stderrIsTerminal());
    if (!status.equals("off")) {
      StatusView view = new StatusView(stack, err, live);
      ticker.scheduleAtFixedRate(
          () -> {
            try {
              view.refresh();
            } catch (RuntimeException e) {
              // The status display must never take the stack down.
            }
          },
          0,
          1,
          TimeUnit.SECONDS);
    }
    stopped.await();
    return Exits.OK;
  }

  private Optional<Topology> load(PrintWriter err) {
    return file == null ? Optional.of(BuiltinTopology.topology()) : Loading.load(file, err);
  }

  private static void positive(String option, Double value) {
    if (value != null && !(value > 0 && value < 1e9)) {
      throw new IllegalArgumentException(option + " must be > 0, got " + value);
    }
  }
}
