package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.StateMachineVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state machines' versions ({@code states_state_machines}): registering a definition, the
 * latest version of each machine (cached for a second), and the (sub-)machine an execution runs.
 */
public final class MachineRegistry {
  private static final long LATEST_TTL_NANOS = 1_000_000_000L;

  /** The columns of a {@link StateMachineVersion}, in the order {@link #version} reads them. */
  private static final String COLUMNS = "name, version, definition, created_at";

  /** A condition on {@code states_state_machines}: the machine has not been deleted. */
  private static final String NOT_DELETED =
      " and not exists (select 1 from states_machine_attributes a"
          + " where a.name = states_state_machines.name and a.deleted_at is not null)";

  private final PostgresTransactions transactions;
  private final Clock clock;

  /** Parsed definitions by {@code name:version}; a version's definition never changes. */
  private final Map<String, JsonNode> definitions = new ConcurrentHashMap<>();

  /**
   * The latest version of each machine as last read, for up to a second: starting an execution need
   * not ask the database every time. Like Step Functions, an execution started within moments of an
   * update made by another process may still run the previous version.
   */
  private final Map<String, Latest> latestVersions = new ConcurrentHashMap<>();

  private record Latest(int version, long expiresAtNanos) {}

  MachineRegistry(PostgresTransactions transactions, Clock clock) {
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Registers {@code definition} under {@code name}: a new version unless it is unchanged. */
  public StateMachineVersion create(String name, JsonNode definition) {
    StateMachineVersion created = transactions.inNewTransaction(c -> create(c, name, definition));
    // this process starts the new version at once (others within a second)
    latestVersions.put(name, new Latest(created.version(), System.nanoTime() + LATEST_TTL_NANOS));
    return created;
  }

  private StateMachineVersion create(Connection c, String name, JsonNode definition)
      throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "states:" + name);
      lock.executeQuery().close();
    }
    // a machine created again after its deletion exists again
    try (PreparedStatement undelete =
        c.prepareStatement(
            "update states_machine_attributes set deleted_at = null where name = ?")) {
      undelete.setString(1, name);
      undelete.executeUpdate();
    }
    StateMachineVersion latest = latest(c, name);
    if (latest != null && latest.definition().equals(definition)) {
      return latest;
    }
    int version = latest == null ? 1 : latest.version() + 1;
    Instant now = clock.instant();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_state_machines (name, version, definition, created_at)"
                + " values (?, ?, ?::jsonb, ?)")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      ps.setString(3, definition.toString());
      ps.setTimestamp(4, Timestamp.from(now));
      ps.executeUpdate();
    }
    return new StateMachineVersion(name, version, definition, now);
  }

  /** The latest version of machine {@code name}, or null. */
  public StateMachineVersion latest(String name) {
    return transactions.inNewTransaction(c -> latest(c, name));
  }

  private static StateMachineVersion latest(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select "
                + COLUMNS
                + " from states_state_machines where name = ?"
                + NOT_DELETED
                + " order by version desc limit 1")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? version(rs) : null;
      }
    }
  }

  /** The version in the current row of {@code rs}, selected as {@link #COLUMNS}. */
  private static StateMachineVersion version(ResultSet rs) throws SQLException {
    return new StateMachineVersion(
        rs.getString(1), rs.getInt(2), Json.parse(rs.getString(3)), rs.getTimestamp(4).toInstant());
  }

  /** Forgets the cached latest version of {@code name} (it was deleted). */
  public void forget(String name) {
    latestVersions.remove(name);
  }

  /** The latest version of every machine, by name. */
  public List<StateMachineVersion> list() {
    return transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select distinct on (name) "
                      + COLUMNS
                      + " from states_state_machines where true"
                      + NOT_DELETED
                      + " order by name, version desc")) {
            List<StateMachineVersion> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(version(rs));
              }
            }
            return out;
          }
        });
  }

  /** Version {@code version} of machine {@code name}, or null. */
  public StateMachineVersion version(String name, int version) {
    return transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select "
                      + COLUMNS
                      + " from states_state_machines where name = ? and version = ?")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? version(rs) : null;
            }
          }
        });
  }

  /** The latest version number of machine {@code name}, 0 when there is none. */
  int latestVersion(Connection c, String name) throws SQLException {
    long now = System.nanoTime();
    Latest known = latestVersions.get(name);
    if (known != null && now - known.expiresAtNanos() < 0) {
      return known.version();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "select max(version) from states_state_machines where name = ?" + NOT_DELETED)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int version = rs.getInt(1);
        if (version > 0) {
          latestVersions.put(name, new Latest(version, now + LATEST_TTL_NANOS));
        }
        return version;
      }
    }
  }

  /**
   * The (sub-)machine {@code e} runs. A version's definition never changes, so it is read and
   * parsed once per process, on {@code c}, the caller's connection (taking a second one could wait
   * forever on a saturated pool).
   */
  JsonNode machine(Connection c, ExecutionRow e) throws SQLException {
    String key = e.machineName + ":" + e.machineVersion;
    JsonNode definition = definitions.get(key);
    if (definition == null) {
      definition = definition(c, e.machineName, e.machineVersion);
      definitions.putIfAbsent(key, definition);
    }
    return e.pointer.isEmpty() ? definition : definition.at(e.pointer);
  }

  private static JsonNode definition(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select definition from states_state_machines where name = ? and version = ?")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "version " + version + " of state machine " + name + " is missing");
        }
        return Json.parse(rs.getString(1));
      }
    }
  }

  /** The Type of state {@code state} of {@code machine}. */
  static String stateType(JsonNode machine, String state) {
    return machine.get("States").get(state).path("Type").asText();
  }
}
