package io.bulwark.states.durable.internal;

import io.bulwark.postgres.PostgresTransactions;
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
 * issued when the task is parked, taken (deleted) by the first success or failure, kept alive by
 * heartbeats. A timeout, or the end of the execution while the task waits, closes the token instead
 * ({@code timed_out_at}): a late callback then answers {@link StatesException.TimedOut} rather than
 * "no such task".
 */
final class TaskTokens {
  private final PostgresTransactions transactions;
  private final Clock clock;

  /** A parked task: its execution and the Task state's resource. */
  record Parked(String executionArn, String resource) {}

  TaskTokens(PostgresTransactions transactions, Clock clock) {
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
    return parked(
        c,
        token,
        null,
        "delete from states_task_tokens where token = ? and timed_out_at is null"
            + " returning execution_arn, resource");
  }

  /** Closes a parked token because its task timed out; returns what was parked, or null. */
  static Parked expire(Connection c, String token, Instant now) throws SQLException {
    return parked(
        c,
        token,
        now,
        "update states_task_tokens set timed_out_at = ? where token = ? and timed_out_at is null"
            + " returning execution_arn, resource");
  }

  private static Parked parked(Connection c, String token, Instant now, String sql)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (now != null) {
        ps.setTimestamp(i++, Timestamp.from(now));
      }
      ps.setString(i, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Parked(rs.getString(1), rs.getString(2)) : null;
      }
    }
  }

  /** The last heartbeat (or the start) of a parked token; null when it is gone. */
  static Instant lastHeartbeat(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(heartbeat_at, created_at) from states_task_tokens"
                + " where token = ? and timed_out_at is null")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1).toInstant() : null;
      }
    }
  }

  /** Records a heartbeat of the parked task of {@code token}; throws NotFound. */
  void heartbeat(String token) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update states_task_tokens set heartbeat_at = ?"
                      + " where token = ? and timed_out_at is null")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant()));
            ps.setString(2, token);
            if (ps.executeUpdate() == 0) {
              throw notWaiting(c, token);
            }
          }
          return null;
        });
  }

  /**
   * Closes the parked tasks of execution {@code arn} and, when {@code descendants}, its branches,
   * as the execution ends or is aborted: their callbacks then answer TimedOut.
   */
  static void closeOf(Connection c, String arn, boolean descendants, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_task_tokens set timed_out_at = ? where timed_out_at is null and"
                + (descendants
                    ? " (execution_arn = ? or starts_with(execution_arn, ?))"
                    : " execution_arn = ?"))) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, arn);
      if (descendants) {
        ps.setString(3, arn + "/");
      }
      ps.executeUpdate();
    }
  }

  /**
   * Why no task waits on {@code token}: {@link StatesException.TimedOut} when its task timed out or
   * its execution ended, NotFound when it was never issued or its task already completed.
   */
  static StatesException notWaiting(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select timed_out_at from states_task_tokens where token = ?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return new StatesException.TimedOut(
              "task token "
                  + token
                  + " timed out at "
                  + rs.getTimestamp(1).toInstant()
                  + ": its task ran out of time or its execution ended while it waited");
        }
      }
    }
    return notFound(token);
  }

  /** The answer to a token that was never issued or whose task already completed. */
  static StatesException notFound(String token) {
    return new StatesException.NotFound(
        "task-token",
        "task token "
            + token
            + " is not waiting: it was never issued, or its task already completed");
  }
}
