package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable work and timer queue ({@code states_work}): rows due at {@code due_at}, claimed by
 * one worker at a time with {@code FOR UPDATE SKIP LOCKED} under a lease that a killed worker's
 * claim runs out of.
 */
final class WorkQueue {
  private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);

  /** Due date of Map iterations queued behind MaxConcurrency: never, until a slot frees. */
  static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");

  private final PostgresTransactions transactions;
  private final Clock clock;
  private final Duration lease;

  WorkQueue(PostgresTransactions transactions, Clock clock, Duration lease) {
    this.transactions = transactions;
    this.clock = clock;
    this.lease = lease;
  }

  /** A claimed work row; {@code owner} is this claim's lease token. */
  static final class Work {
    final long id;
    final String arn;
    String kind;
    JsonNode payload;
    final String owner;

    /** When this claim's lease was last set in the database ({@link System#nanoTime()}). */
    volatile long leaseSetAt = System.nanoTime();

    Work(long id, String arn, String kind, JsonNode payload, String owner) {
      this.id = id;
      this.arn = arn;
      this.kind = kind;
      this.payload = payload;
      this.owner = owner;
    }
  }

  /**
   * Claims the most urgent due work in the caller's transaction {@code c} (its lease commits with
   * whatever else that transaction does); null when nothing is due.
   */
  Work claim(Connection c) throws SQLException {
    String owner = UUID.randomUUID().toString();
    Instant now = clock.instant();
    try (PreparedStatement ps =
        c.prepareStatement(
            "with c as (select id from states_work where due_at <= ?"
                + " and (lease_until is null or lease_until < ?)"
                + " order by priority desc, due_at limit 1 for update skip locked)"
                + " update states_work w set lease_owner = ?, lease_until = ? from c"
                + " where w.id = c.id returning w.id, w.execution_arn, w.kind, w.payload")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setTimestamp(2, Timestamp.from(now));
      ps.setString(3, owner);
      ps.setTimestamp(4, Timestamp.from(now.plus(lease)));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String payload = rs.getString(4);
        return new Work(
            rs.getLong(1),
            rs.getString(2),
            rs.getString(3),
            payload == null ? null : Json.parse(payload),
            owner);
      }
    }
  }

  /**
   * Leases {@code w}'s row to its claim again after the transaction that claimed it rolled back,
   * unless another worker has taken it meanwhile: a step that fails is retried once the lease runs
   * out, not at once in a loop.
   */
  void hold(Work w) {
    try {
      transactions.inNewTransaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "update states_work set lease_owner = ?, lease_until = ? where id = ?"
                        + " and (lease_until is null or lease_until < ?)")) {
              Instant now = clock.instant();
              ps.setString(1, w.owner);
              ps.setTimestamp(2, Timestamp.from(now.plus(lease)));
              ps.setLong(3, w.id);
              ps.setTimestamp(4, Timestamp.from(now));
              return ps.executeUpdate();
            }
          });
    } catch (RuntimeException e) {
      log.warn("holding the failed work of {} failed", w.arn, e);
    }
  }

  void release(Work w) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update states_work set lease_owner = null, lease_until = null"
                      + " where id = ? and lease_owner = ?")) {
            ps.setLong(1, w.id);
            ps.setString(2, w.owner);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Locks the work row if this claim still owns it. */
  static boolean owns(Connection c, Work w) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select 1 from states_work where id = ? and lease_owner = ? for update")) {
      ps.setLong(1, w.id);
      ps.setString(2, w.owner);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Keeps the claim of {@code w} while its task runs longer than a third of the lease. */
  void renew(Work w) {
    try {
      transactions.inNewTransaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "update states_work set lease_until = ? where id = ? and lease_owner = ?")) {
              long now = System.nanoTime();
              ps.setTimestamp(1, Timestamp.from(clock.instant().plus(lease)));
              ps.setLong(2, w.id);
              ps.setString(3, w.owner);
              int renewed = ps.executeUpdate();
              if (renewed == 1) {
                w.leaseSetAt = now;
              }
              return renewed;
            }
          });
    } catch (RuntimeException e) {
      log.warn("renewing the lease of {} failed", w.arn, e);
    }
  }

  /** Starts the first Map iteration held back by MaxConcurrency, if any. */
  static void startNextQueued(Connection c, String parentArn, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_work set kind = 'STEP', due_at = ?, payload = null where id ="
                + " (select id from states_work where kind = 'QUEUED'"
                + " and payload->>'parent' = ? order by id limit 1)")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, parentArn);
      ps.executeUpdate();
    }
  }

  /**
   * Points the claimed row {@code w} at the next work (keeping the claim when {@code keep}, so the
   * worker goes on), or inserts a new row when there is no claimed row.
   */
  boolean reschedule(
      Connection c, String arn, Work w, String kind, Instant due, JsonNode payload, boolean keep)
      throws SQLException {
    if (w == null) {
      insert(c, arn, kind, due, payload);
      return false;
    }
    if (keep
        && "STEP".equals(kind)
        && kind.equals(w.kind)
        && payload == null
        && w.payload == null
        && System.nanoTime() - w.leaseSetAt < lease.toNanos() / 3) {
      // The worker goes straight on with the next step under its claim, and the row already says
      // STEP with two thirds of the lease left: nothing to write. (Were the worker to die, the
      // row is claimable once the lease runs out, whatever its due date.)
      return true;
    }
    long leaseSet = System.nanoTime();
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_work set kind = ?, due_at = ?, payload = ?::jsonb,"
                + " lease_owner = ?, lease_until = ? where id = ?")) {
      ps.setString(1, kind);
      ps.setTimestamp(2, Timestamp.from(due));
      ps.setString(3, payload == null ? null : payload.toString());
      ps.setString(4, keep ? w.owner : null);
      ps.setTimestamp(5, keep ? Timestamp.from(clock.instant().plus(lease)) : null);
      ps.setLong(6, w.id);
      ps.executeUpdate();
    }
    w.kind = kind;
    w.payload = payload;
    if (keep) {
      w.leaseSetAt = leaseSet;
    }
    return keep;
  }

  /**
   * Inserts work for {@code arn} with the priority of its top-level execution (the arn of a
   * Parallel branch or Map iteration starts with its top-level execution's arn and a slash).
   */
  static void insert(Connection c, String arn, String kind, Instant due, JsonNode payload)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_work (execution_arn, kind, due_at, payload, priority)"
                + " values (?, ?, ?, ?::jsonb, coalesce((select priority from states_executions"
                + " where arn = split_part(?, '/', 1)), 0))")) {
      ps.setString(1, arn);
      ps.setString(2, kind);
      ps.setTimestamp(3, Timestamp.from(due));
      ps.setString(4, payload == null ? null : payload.toString());
      ps.setString(5, arn);
      ps.executeUpdate();
    }
  }

  /** Drops the work of execution {@code arn} and, when {@code descendants}, of its branches. */
  static void deleteOf(Connection c, String arn, boolean descendants) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            descendants
                ? "delete from states_work where execution_arn = ? or starts_with(execution_arn, ?)"
                : "delete from states_work where execution_arn = ?")) {
      ps.setString(1, arn);
      if (descendants) {
        ps.setString(2, arn + "/");
      }
      ps.executeUpdate();
    }
  }

  static void delete(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("delete from states_work where id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }
}
