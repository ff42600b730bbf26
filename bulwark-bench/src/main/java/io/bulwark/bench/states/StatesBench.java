package io.bulwark.bench.states;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.states.StateMachine;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.TaskRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * State transitions per second in memory and durable, and order-saga executions per second end to
 * end, against the PostgreSQL commit rate (single-row INSERT + COMMIT) of the same embedded server
 * measured in the same run.
 *
 * <p>Options: {@code --executions N} durable executions per measurement (default 400), {@code
 * --workers N} engine worker threads (default 8), {@code --seconds N} for the time-boxed
 * measurements (default 5).
 */
public final class StatesBench {
  private static final int CHAIN = 20;

  private StatesBench() {}

  /** Runs every measurement and prints the table. */
  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int executions = intOption(args, "--executions", 400);
    int workers = intOption(args, "--workers", 8);
    int seconds = intOption(args, "--seconds", 5);
    Path dir = Files.createTempDirectory("states-bench");
    List<String[]> rows = new ArrayList<>();
    try (PostgresServer pg = PostgresServer.builder(dir.resolve("pg")).build().start()) {
      pg.createDatabaseIfMissing("bench");
      try (Database db =
          Database.connect(pg.jdbcUrl("bench"), PostgresServer.SUPERUSER, "", workers + 8)) {
        db.migrate("states");
        double commits1 = commitRate(db, 1, seconds);
        double commitsN = commitRate(db, workers, seconds);
        rows.add(
            row(
                "PostgreSQL INSERT+COMMIT, 1 connection",
                commits1,
                "commits/s",
                1,
                commits1,
                commitsN));
        rows.add(
            row(
                "PostgreSQL INSERT+COMMIT, " + workers + " connections",
                commitsN,
                "commits/s",
                1,
                commits1,
                commitsN));
        double inMemory = inMemoryTransitions(seconds);
        rows.add(row("in-memory Pass chain", inMemory, "transitions/s", 0, commits1, commitsN));
        double durable = durableTransitions(db, executions, workers);
        rows.add(
            row(
                "durable Pass chain (" + workers + " workers)",
                durable,
                "transitions/s",
                1,
                commits1,
                commitsN));
        double saga = sagaExecutions(db, executions, workers, false);
        rows.add(
            row(
                "durable order saga, 3 tasks (" + workers + " workers)",
                saga,
                "executions/s",
                4,
                commits1,
                commitsN));
        double joined = sagaExecutions(db, executions, workers, true);
        rows.add(
            row(
                "  same, tasks joining the step's transaction",
                joined,
                "executions/s",
                1,
                commits1,
                commitsN));
      }
    }
    System.out.println();
    System.out.printf(
        "%-46s %12s %-14s %10s %10s%n", "measurement", "rate", "unit", "vs 1 conn", "vs N conn");
    for (String[] r : rows) {
      System.out.printf("%-46s %12s %-14s %10s %10s%n", (Object[]) r);
    }
    System.out.printf(
        "%n(vs: durable transitions per second, and the saga's writing commits per second, as"
            + " a share of the INSERT+COMMIT rate on 1 and on N=%d connections; a step"
            + " transaction carries out up to 33 states that call nothing outside, so the"
            + " 20-state Pass chain commits once per execution; a saga execution takes four"
            + " commits: its claim with the first task's scheduling, and one per task outcome,"
            + " or one in all when its tasks join the claim's transaction)%n",
        workers);
  }

  private static String[] row(
      String name, double rate, String unit, int commitsPerUnit, double commits1, double commitsN) {
    return new String[] {
      name,
      String.format("%,.0f", rate),
      unit,
      commitsPerUnit == 0 ? "-" : String.format("%.2fx", rate * commitsPerUnit / commits1),
      commitsPerUnit == 0 ? "-" : String.format("%.2fx", rate * commitsPerUnit / commitsN)
    };
  }

  private static int intOption(String[] args, String name, int dflt) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return Check.positive(name, Integer.parseInt(args[i + 1]));
      }
    }
    return dflt;
  }

  /** Single-row INSERT + COMMIT loops on {@code connections} connections for {@code seconds}. */
  static double commitRate(Database db, int connections, int seconds) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "create table if not exists bench_commits (id bigserial primary key, v text not null)");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    List<Future<Long>> counts = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < connections; i++) {
      counts.add(
          pool.submit(
              () -> {
                long n = 0;
                try (Connection c = db.dataSource().getConnection();
                    PreparedStatement ps =
                        c.prepareStatement("insert into bench_commits (v) values (?)")) {
                  c.setAutoCommit(false);
                  while (System.nanoTime() < deadline) {
                    ps.setString(1, "x");
                    ps.executeUpdate();
                    c.commit();
                    n++;
                  }
                }
                return n;
              }));
    }
    long total = 0;
    for (Future<Long> f : counts) {
      total += f.get();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return total / elapsed;
  }

  private static String passChain() {
    ObjectNode def = Json.object();
    def.put("StartAt", "S0");
    ObjectNode states = def.putObject("States");
    for (int i = 0; i < CHAIN; i++) {
      ObjectNode s = states.putObject("S" + i);
      s.put("Type", "Pass");
      s.put("ResultPath", "$.s" + (i % 3));
      s.put("Result", i);
      if (i == CHAIN - 1) {
        s.put("End", true);
      } else {
        s.put("Next", "S" + (i + 1));
      }
    }
    return def.toString();
  }

  static double inMemoryTransitions(int seconds) {
    StateMachine machine = StateMachine.of(passChain(), "chain");
    JsonNode input = Json.parse("{\"order\":1}");
    for (int i = 0; i < 20_000; i++) {
      machine.run(input, (s, r, in, a) -> in, d -> {});
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    long runs = 0;
    long start = System.nanoTime();
    while (System.nanoTime() < deadline) {
      machine.run(input, (s, r, in, a) -> in, d -> {});
      runs++;
    }
    return runs * CHAIN / ((System.nanoTime() - start) / 1e9);
  }

  static double durableTransitions(Database db, int executions, int workers) throws Exception {
    try (Engine engine =
        Engine.builder(db).workers(workers).pollInterval(Duration.ofMillis(5)).build()) {
      engine.createStateMachine("chain", passChain());
      double elapsed = runAll(db, engine, "chain", executions, Json.parse("{\"order\":1}"));
      return (double) executions * CHAIN / elapsed;
    }
  }

  /**
   * Executions/s of the seed's order saga with tasks that return their payload, called outside the
   * engine's transactions or ({@code joined}) inside them ({@link
   * DurableTaskHandler#joinsTransaction}).
   */
  static double sagaExecutions(Database db, int executions, int workers, boolean joined)
      throws Exception {
    String saga;
    try (InputStream in =
        StateMachine.class.getResourceAsStream("/io/bulwark/states/order-saga.asl.json")) {
      if (in == null) {
        throw new IOException("order-saga.asl.json is not on the classpath");
      }
      saga = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    DurableTaskHandler handler =
        new DurableTaskHandler() {
          @Override
          public JsonNode invoke(TaskRequest request) {
            return request.input().path("Payload");
          }

          @Override
          public boolean joinsTransaction(TaskRequest request) {
            return joined;
          }
        };
    String machine = joined ? "saga-joined" : "saga";
    try (Engine engine =
        Engine.builder(db)
            .task("arn:aws:states:::lambda:invoke", handler)
            .workers(workers)
            .pollInterval(Duration.ofMillis(5))
            .build()) {
      engine.createStateMachine(machine, saga);
      return executions
          / runAll(
              db, engine, machine, executions, Json.parse("{\"orderId\":\"o-1\",\"total\":42}"));
    }
  }

  /** Starts the executions, then the workers; returns seconds until all have ended. */
  private static double runAll(
      Database db, Engine engine, String machine, int executions, JsonNode input) throws Exception {
    for (int i = 0; i < executions; i++) {
      engine.start(machine, null, input);
    }
    long start = System.nanoTime();
    engine.startWorkers();
    while (running(db, machine) > 0) {
      Thread.sleep(5);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!engine.list(ExecutionStatus.FAILED, machine, 1).isEmpty()) {
      throw new IllegalStateException("an execution of " + machine + " failed");
    }
    return elapsed;
  }

  private static long running(Database db, String machine) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from states_executions where machine_name = ?"
                    + " and status = 'RUNNING'")) {
      ps.setString(1, machine);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
