package io.bulwark.states.durable.internal;

import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.MachineAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is kept about machines and executions beside their definitions and runs ({@code
 * states_machine_attributes}, {@code states_tags}): a machine's type and role, its deletion, and
 * the tags of machines and executions.
 */
public final class MachineCatalog {
  private final PostgresTransactions transactions;
  private final Clock clock;

  MachineCatalog(PostgresTransactions transactions, Clock clock) {
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Records {@code attributes} of machine {@code name}, which exists (again) from now on. */
  public void define(String name, MachineAttributes attributes) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into states_machine_attributes (name, type, role_arn) values (?, ?, ?)"
                      + " on conflict (name) do update set type = excluded.type,"
                      + " role_arn = excluded.role_arn, deleted_at = null")) {
            ps.setString(1, name);
            ps.setString(2, attributes.type());
            ps.setString(3, attributes.roleArn());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** The attributes of machine {@code name}; STANDARD without a role when none were recorded. */
  public MachineAttributes attributes(String name) {
    return transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select type, role_arn from states_machine_attributes where name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? new MachineAttributes(rs.getString(1), rs.getString(2))
                  : MachineAttributes.STANDARD;
            }
          }
        });
  }

  /** Whether machine {@code name} has been deleted (and not created again since). */
  static boolean deleted(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select 1 from states_machine_attributes where name = ? and deleted_at is not null")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Marks machine {@code name} deleted and drops its tags. */
  public void delete(String name, String machineArn) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into states_machine_attributes (name, deleted_at) values (?, ?)"
                      + " on conflict (name) do update set deleted_at = excluded.deleted_at")) {
            ps.setString(1, name);
            ps.setTimestamp(2, Timestamp.from(clock.instant()));
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement("delete from states_tags where resource_arn = ?")) {
            ps.setString(1, machineArn);
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** Adds or overwrites the tags of {@code arn}. */
  public void tag(String arn, Map<String, String> tags) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into states_tags (resource_arn, key, value) values (?, ?, ?)"
                      + " on conflict (resource_arn, key) do update set value = excluded.value")) {
            for (Map.Entry<String, String> tag : tags.entrySet()) {
              ps.setString(1, arn);
              ps.setString(2, tag.getKey());
              ps.setString(3, tag.getValue());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /** Removes the tags {@code keys} of {@code arn} (absent ones are ignored). */
  public void untag(String arn, Collection<String> keys) {
    transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "delete from states_tags where resource_arn = ? and key = any (?)")) {
            ps.setString(1, arn);
            ps.setArray(2, c.createArrayOf("text", keys.toArray()));
            ps.executeUpdate();
          }
          return null;
        });
  }

  /** The tags of {@code arn}, by key. */
  public Map<String, String> tags(String arn) {
    return transactions.inNewTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select key, value from states_tags where resource_arn = ? order by key")) {
            ps.setString(1, arn);
            Map<String, String> out = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
              }
            }
            return out;
          }
        });
  }
}
