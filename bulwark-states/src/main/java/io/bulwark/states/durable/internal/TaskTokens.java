package io.bulwark.states.durable.internal;

import io.bulwark.states.durable.StatesException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * The callback tokens of parked {@code .waitForTaskToken} tasks ({@code states_task_tokens}):
 * issued when the task is parked, taken by the first success, failure or timeout, kept alive by
 * heartbeats.
 */
final class TaskTokens {
  private final Transactions transactions;
  private final Clock clock;

  /** A parked task: its execution and the Task state's resource. */
  record Parked(String executionArn, String resource) {}

  TaskTokens(Transactions transactions, Clock clock) {
    this.transactions = transactions;
    this.clock = clock;
  }

  /** A new unguessable token (256 random bits as hex). */
  static String newToken() {
    return UUID.randomUUID().toString().replace("-", "")
        + UUID.randomUUID().toString().replace("-", "");
  }

  /** Parks the task of state {@code state} of {@code arn} under {@code token} (once). */
  static void park(
      Connection c, String token, String arn, String state, String resource, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_task_tokens (token, execution_arn, state_name, resource,"
                + " created_at) values (?, ?, ?, ?, ?) on conflict (token) do nothing")) {
      ps.setString(1, token);
      ps.setString(2, arn);
      ps.setString(3, state);
      ps.setString(4, resource);
      ps.setTimestamp(5, Timestamp.from(now));
      ps.executeUpdate();
    }
  }

  /** Deletes a parked token; returns what was parked under it, or null. */
  static Parked take(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "delete from states_task_tokens where token = ? returning execution_arn, resource")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Parked(rs.getString(1), rs.getString(2)) : null;
      }
    }
  }

  /** The last heartbeat (or the start) of a parked token; null when it is gone. */
  static Instant lastHeartbeat(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(heartbeat_at, created_at) from states_task_tokens where token = ?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1).toInstant() : null;
      }
    }
  }

  /** Records a heartbeat of the parked task of {@code token}; throws NotFound. */
  void heartbeat(String token) {
    transactions.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update states_task_tokens set heartbeat_at = ? where token = ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant()));
            ps.setString(2, token);
            if (ps.executeUpdate() == 0) {
              throw notFound(token);
            }
          }
          return null;
        });
  }

  /**
   * Drops the parked tasks of execution {@code arn} and, when {@code descendants}, its branches.
   */
  static void deleteOf(Connection c, String arn, boolean descendants) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            descendants
                ? "delete from states_task_tokens where execution_arn = ?"
                    + " or starts_with(execution_arn, ?)"
                : "delete from states_task_tokens where execution_arn = ?")) {
      ps.setString(1, arn);
      if (descendants) {
        ps.setString(2, arn + "/");
      }
      ps.executeUpdate();
    }
  }

  /** The answer to a token that no task waits on. */
  static StatesException notFound(String token) {
    return new StatesException.NotFound(
        "task-token",
        "task token "
            + token
            + " is not waiting: it was never issued, or its task already completed, timed out"
            + " or was stopped");
  }
}
