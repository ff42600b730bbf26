package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.states.StatesError;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * An engine process for {@link CrashRecoveryTest}: runs workers on the given database until it is
 * killed. Its task records every invocation with its idempotency token and fails the first attempt
 * of some steps transiently.
 */
public final class CrashEngineMain {
  private CrashEngineMain() {}

  /** Args: jdbc url, generation (recorded with each invocation). */
  public static void main(String[] args) throws Exception {
    Database db = Database.connect(args[0], "postgres", "", 8);
    Engine engine = engine(db, Integer.parseInt(args[1]), 4).startWorkers();
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join();
    engine.close();
  }

  static Engine.Builder builder(Database db, int generation) {
    return Engine.builder(db)
        .task("crash-task", r -> invoke(db.dataSource(), generation, r))
        .task("crash-joined", new JoinedTask(generation))
        .lease(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(20));
  }

  static Engine engine(Database db, int generation, int workers) {
    return builder(db, generation).workers(workers).build();
  }

  /**
   * A task that joins the step's transaction: records its call on the engine's connection, and
   * fails the first attempt of some executions after writing (that write must roll back).
   */
  private record JoinedTask(int generation) implements DurableTaskHandler {
    @Override
    public boolean joinsTransaction(TaskRequest request) {
      return true;
    }

    @Override
    public JsonNode invoke(TaskRequest r, TaskTransaction tx) {
      try (PreparedStatement ps =
          tx.connection()
              .prepareStatement(
                  "insert into crash_joined (token, generation, execution_arn, attempt)"
                      + " values (?, ?, ?, ?)")) {
        ps.setString(1, r.idempotencyToken());
        ps.setInt(2, generation);
        ps.setString(3, r.executionArn());
        ps.setInt(4, r.attempt());
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot record joined call " + r.idempotencyToken(), e);
      }
      if (r.attempt() == 0 && r.input().path("n").asInt() % 4 == 0) {
        throw new StatesError("Transient", "first attempt of a joined task fails");
      }
      return Json.parse("{\"done\":\"" + r.stateName() + "\"}");
    }

    @Override
    public JsonNode invoke(TaskRequest r) {
      throw new IllegalStateException("a joined task is never called outside a transaction");
    }
  }

  private static JsonNode invoke(DataSource ds, int generation, TaskRequest r) {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into crash_invocations (token, generation, execution_arn, state, attempt)"
                    + " values (?, ?, ?, ?, ?)")) {
      ps.setString(1, r.idempotencyToken());
      ps.setInt(2, generation);
      ps.setString(3, r.executionArn());
      ps.setString(4, r.stateName());
      ps.setInt(5, r.attempt());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record invocation " + r.idempotencyToken(), e);
    }
    int n = r.input().path("n").asInt();
    if (r.attempt() == 0 && (n + r.stateName().length()) % 3 == 0) {
      throw new StatesError("Transient", "first attempt of " + r.stateName() + " fails");
    }
    return Json.parse("{\"done\":\"" + r.stateName() + "\"}");
  }
}
