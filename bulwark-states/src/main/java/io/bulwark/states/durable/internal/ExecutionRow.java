package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.internal.RetryState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One row of states_executions, loaded under a row lock, changed, then saved with its events. */
final class ExecutionRow {
  static final String COLUMNS =
      "arn, name, machine_name, machine_version, machine_pointer, parent_arn, branch_index,"
          + " status, input, output, error, cause, start_date, stop_date, current_state,"
          + " current_input, context, retry, entered_event_id, pending_children,"
          + " children_prefix, redrive_count, last_event_id";

  String arn;
  String name;
  String machineName;
  int machineVersion;
  String pointer;
  String parentArn;
  int branchIndex;
  ExecutionStatus status;
  JsonNode input;
  JsonNode output;
  String error;
  String cause;
  Instant startDate;
  Instant stopDate;
  String currentState;
  JsonNode currentInput;
  ObjectNode context;
  RetryState retry = RetryState.initial();
  long enteredEventId;
  int pendingChildren;
  String childrenPrefix;
  int redriveCount;
  long lastEventId;
  private final List<Event> events = new ArrayList<>();

  /** Changed since the last {@link #save} and left to be saved later in the same transaction. */
  private boolean deferred;

  private record Event(long id, String type, Instant ts, JsonNode details) {}

  /** Appends a history event; returns its id. */
  long event(String type, Instant ts, JsonNode details) {
    long id = ++lastEventId;
    events.add(new Event(id, type, ts, details));
    return id;
  }

  static ExecutionRow lock(Connection c, String arn) throws SQLException {
    return select(c, arn, " for update");
  }

  /**
   * The execution {@code arn} and its work row {@code workId}, both locked, if {@code owner} still
   * holds that work row's lease; else null.
   */
  static ExecutionRow lockWithWork(Connection c, String arn, long workId, String owner)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select "
                + COLUMNS.replaceAll("(\\w+)", "e.$1")
                + " from states_executions e join states_work w on w.execution_arn = e.arn"
                + " where e.arn = ? and w.id = ? and w.lease_owner = ? for update")) {
      ps.setString(1, arn);
      ps.setLong(2, workId);
      ps.setString(3, owner);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? from(rs) : null;
      }
    }
  }

  static ExecutionRow read(Connection c, String arn) throws SQLException {
    return select(c, arn, "");
  }

  private static ExecutionRow select(Connection c, String arn, String suffix) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select " + COLUMNS + " from states_executions where arn = ?" + suffix)) {
      ps.setString(1, arn);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? from(rs) : null;
      }
    }
  }

  static ExecutionRow from(ResultSet rs) throws SQLException {
    ExecutionRow e = new ExecutionRow();
    e.arn = rs.getString(1);
    e.name = rs.getString(2);
    e.machineName = rs.getString(3);
    e.machineVersion = rs.getInt(4);
    e.pointer = rs.getString(5);
    e.parentArn = rs.getString(6);
    e.branchIndex = rs.getInt(7);
    e.status = ExecutionStatus.valueOf(rs.getString(8));
    e.input = json(rs.getString(9));
    e.output = json(rs.getString(10));
    e.error = rs.getString(11);
    e.cause = rs.getString(12);
    e.startDate = rs.getTimestamp(13).toInstant();
    Timestamp stop = rs.getTimestamp(14);
    e.stopDate = stop == null ? null : stop.toInstant();
    e.currentState = rs.getString(15);
    e.currentInput = json(rs.getString(16));
    e.context = (ObjectNode) json(rs.getString(17));
    e.retry = RetryState.fromJson(json(rs.getString(18)));
    e.enteredEventId = rs.getLong(19);
    e.pendingChildren = rs.getInt(20);
    e.childrenPrefix = rs.getString(21);
    e.redriveCount = rs.getInt(22);
    e.lastEventId = rs.getLong(23);
    return e;
  }

  private static JsonNode json(String s) {
    return s == null ? null : Json.parse(s);
  }

  static String text(JsonNode n) {
    return n == null ? null : n.toString();
  }

  /** Inserts a new row and its events. */
  void insert(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_executions ("
                + COLUMNS
                + ") values (?,?,?,?,?,?,?,?,?::jsonb,?::jsonb,?,?,?,?,?,?::jsonb,?::jsonb,"
                + "?::jsonb,?,?,?,?,?) on conflict (arn) do nothing")) {
      ps.setString(1, arn);
      ps.setString(2, name);
      ps.setString(3, machineName);
      ps.setInt(4, machineVersion);
      ps.setString(5, pointer);
      ps.setString(6, parentArn);
      if (parentArn == null) {
        ps.setNull(7, Types.INTEGER);
      } else {
        ps.setInt(7, branchIndex);
      }
      setMutable(ps, 8);
      if (ps.executeUpdate() == 0) {
        throw new DuplicateExecution(arn);
      }
    }
    flushEvents(c);
  }

  /** Thrown by {@link #insert} when the arn is taken. */
  static final class DuplicateExecution extends RuntimeException {
    DuplicateExecution(String arn) {
      super("execution " + arn + " already exists");
    }
  }

  /**
   * Leaves saving to later in the same transaction: the caller goes on with the execution's next
   * state and saves it then, or calls {@link #flush}.
   */
  void defer() {
    deferred = true;
  }

  /** Saves the row and its new events if a save was {@link #defer deferred}. */
  void flush(Connection c) throws SQLException {
    if (deferred) {
      save(c);
    }
  }

  /** Saves the changed columns and the new events. */
  void save(Connection c) throws SQLException {
    deferred = false;
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_executions set status = ?, input = ?::jsonb, output = ?::jsonb,"
                + " error = ?, cause = ?, start_date = ?, stop_date = ?, current_state = ?,"
                + " current_input = ?::jsonb, context = ?::jsonb, retry = ?::jsonb,"
                + " entered_event_id = ?, pending_children = ?, children_prefix = ?,"
                + " redrive_count = ?, last_event_id = ? where arn = ?")) {
      setMutable(ps, 1);
      ps.setString(17, arn);
      ps.executeUpdate();
    }
    flushEvents(c);
  }

  private void setMutable(PreparedStatement ps, int i) throws SQLException {
    ps.setString(i++, status.name());
    ps.setString(i++, text(input));
    ps.setString(i++, text(output));
    ps.setString(i++, error);
    ps.setString(i++, cause);
    ps.setTimestamp(i++, Timestamp.from(startDate));
    ps.setTimestamp(i++, stopDate == null ? null : Timestamp.from(stopDate));
    ps.setString(i++, currentState);
    ps.setString(i++, text(currentInput));
    ps.setString(i++, text(context));
    ps.setString(i++, text(retry.toJson()));
    ps.setLong(i++, enteredEventId);
    ps.setInt(i++, pendingChildren);
    ps.setString(i++, childrenPrefix);
    ps.setInt(i++, redriveCount);
    ps.setLong(i, lastEventId);
  }

  private void flushEvents(Connection c) throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_history (execution_arn, id, previous_event_id, type, ts, details)"
                + " values (?,?,?,?,?,?::jsonb)")) {
      for (Event ev : events) {
        ps.setString(1, arn);
        ps.setLong(2, ev.id());
        ps.setLong(3, ev.id() - 1);
        ps.setString(4, ev.type());
        ps.setTimestamp(5, Timestamp.from(ev.ts()));
        ps.setString(6, ev.details().toString());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    events.clear();
  }

  Execution toExecution() {
    return new Execution(
        arn,
        name,
        machineName,
        machineVersion,
        status,
        input,
        output,
        error,
        cause,
        startDate,
        stopDate,
        currentState,
        redriveCount);
  }
}
