package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.node.NullNode;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.internal.Decision;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The executions ({@code states_executions}) and their history events ({@code states_history})
 * beyond one row: reading, listing, a history with its branches inline, the outcomes of a state's
 * branches, and aborting an execution's branches. One row's own reads and writes are {@link
 * ExecutionRow}'s.
 */
public final class ExecutionStore {
  private final PostgresTransactions transactions;

  ExecutionStore(PostgresTransactions transactions) {
    this.transactions = transactions;
  }

  /** The execution {@code arn}; throws NotFound. */
  public Execution describe(String arn) {
    return transactions.inNewTransaction(c -> found(ExecutionRow.read(c, arn), arn)).toExecution();
  }

  /** {@code e}, the row read for {@code arn}; throws NotFound when it is null. */
  static ExecutionRow found(ExecutionRow e, String arn) {
    if (e == null) {
      throw new StatesException.NotFound("execution", "execution " + arn + " does not exist");
    }
    return e;
  }

  /** Top-level executions, newest first, optionally of one status and/or machine. */
  public List<Execution> list(ExecutionStatus status, String machineName, int limit) {
    return transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select "
                      + ExecutionRow.COLUMNS
                      + " from states_executions where parent_arn is null"
                      + " and (?::text is null or status = ?) and (?::text is null or machine_name = ?)"
                      + " order by start_date desc, arn limit ?")) {
            String s = status == null ? null : status.name();
            ps.setString(1, s);
            ps.setString(2, s);
            ps.setString(3, machineName);
            ps.setString(4, machineName);
            ps.setInt(5, limit);
            List<Execution> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(ExecutionRow.from(rs).toExecution());
              }
            }
            return out;
          }
        });
  }

  /** The execution's history, oldest first; throws NotFound. */
  public List<HistoryEvent> history(String arn) {
    return transactions.inNewTransaction(
        c -> {
          found(ExecutionRow.read(c, arn), arn);
          // The events of Parallel branches and Map iterations (child executions) are shown
          // inline, in time order and numbered as one history, as Step Functions shows them.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select execution_arn, ts, type, details from states_history"
                      + " where execution_arn = ? or starts_with(execution_arn, ?)"
                      + " order by ts, length(execution_arn)"
                      + " - length(replace(execution_arn, '/', '')), execution_arn, id")) {
            ps.setString(1, arn);
            ps.setString(2, arn + "/");
            List<HistoryEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String type = rs.getString(3);
                if (!rs.getString(1).equals(arn) && type.startsWith("Execution")) {
                  continue;
                }
                out.add(
                    new HistoryEvent(
                        out.size() + 1,
                        out.size(),
                        rs.getTimestamp(2).toInstant(),
                        type,
                        Json.parse(rs.getString(4))));
              }
            }
            return out;
          }
        });
  }

  /** Sets the priority of the new execution {@code arn} (default 0). */
  static void setPriority(Connection c, String arn, int priority) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("update states_executions set priority = ? where arn = ?")) {
      ps.setInt(1, priority);
      ps.setString(2, arn);
      ps.executeUpdate();
    }
  }

  /**
   * Aborts the running branches of {@code arn} (all levels) and drops the work and parked tasks of
   * {@code arn} and its branches.
   */
  static void abortDescendants(Connection c, String arn, Instant now) throws SQLException {
    WorkQueue.deleteOf(c, arn, true);
    TaskTokens.closeOf(c, arn, true, now);
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_executions set status = 'ABORTED', stop_date = ?"
                + " where starts_with(arn, ?) and status = 'RUNNING'")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, arn + "/");
      ps.executeUpdate();
    }
  }

  /** Aborts the branches of {@code parent}'s current Parallel or Map state that still run. */
  static void abortRunningBranches(Connection c, ExecutionRow parent, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_executions set status = 'ABORTED', stop_date = ?"
                + " where parent_arn = ? and starts_with(arn, ?) and status = 'RUNNING'"
                + " returning arn")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, parent.arn);
      ps.setString(3, parent.childrenPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          abortDescendants(c, rs.getString(1), now);
        }
      }
    }
  }

  /** How many branches {@code p}'s current Parallel or Map state has. */
  static int branchCount(Connection c, ExecutionRow p) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select count(*) from states_executions where parent_arn = ? and starts_with(arn, ?)")) {
      ps.setString(1, p.arn);
      ps.setString(2, p.childrenPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Outcomes of the ended (not aborted) branches of {@code p}, in branch order. */
  static List<Decision.BranchOutcome> branchOutcomes(Connection c, ExecutionRow p)
      throws SQLException {
    List<Decision.BranchOutcome> outcomes = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select status, output, error, cause from states_executions"
                + " where parent_arn = ? and starts_with(arn, ?)"
                + " and status in ('SUCCEEDED', 'FAILED', 'TIMED_OUT') order by branch_index")) {
      ps.setString(1, p.arn);
      ps.setString(2, p.childrenPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if ("SUCCEEDED".equals(rs.getString(1))) {
            String out = rs.getString(2);
            outcomes.add(
                new Decision.BranchOutcome.Succeeded(
                    out == null ? NullNode.instance : Json.parse(out)));
          } else {
            outcomes.add(new Decision.BranchOutcome.Failed(rs.getString(3), rs.getString(4)));
          }
        }
      }
    }
    return outcomes;
  }
}
