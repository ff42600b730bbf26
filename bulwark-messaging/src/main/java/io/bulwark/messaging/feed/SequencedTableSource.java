package io.bulwark.messaging.feed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The rows of an append-only table whose key is drawn from a sequence (a {@code bigserial} column),
 * in key order, never skipping a row whose transaction commits after a later key's.
 *
 * <p>Keys are drawn when rows are inserted, not when they commit, so reading "after the last key
 * seen" alone would skip a row whose transaction was slower. This source reads only up to a horizon
 * below which every drawn key is final: each read notes the sequence's last value, then the
 * transactions holding a write lock on the table (any transaction that drew a key up to that value
 * already held the lock, and holds it until it ends). Once none of those transactions is running
 * any more, every key up to that value belongs to a committed row or to none. No lock is taken; the
 * horizon trails the writers by one read when they keep writing.
 *
 * <p>The sequence must not cache values per session (its {@code CACHE} is 1, as for {@code
 * bigserial}).
 */
public final class SequencedTableSource implements FeedSource {

  /** Turns the current row of a read into a message. */
  @FunctionalInterface
  public interface RowMapper {
    /** The message for the row {@code rs} is on. */
    Item map(ResultSet rs) throws SQLException;
  }

  private record Sighting(long lastValue, Set<String> writers) {}

  private static final int MAX_SIGHTINGS = 1000;

  private final String table;
  private final String column;
  private final RowMapper mapper;
  private final Deque<Sighting> sightings = new ArrayDeque<>();
  private String sequence;

  /**
   * Rows of {@code table}, ordered by its sequence-drawn {@code column}, mapped by {@code mapper}
   * from {@code select * from table}.
   *
   * @throws IllegalArgumentException a table or column name that is not a plain SQL identifier
   */
  public SequencedTableSource(String table, String column, RowMapper mapper) {
    this.table = identifier("table", table);
    this.column = identifier("column", column);
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  public synchronized Batch read(Connection c, String checkpoint, int max) throws SQLException {
    long after = checkpoint.isEmpty() ? 0 : Long.parseLong(checkpoint);
    long horizon = horizon(c);
    if (horizon <= after) {
      return new Batch(List.of(), checkpoint);
    }
    List<Item> items = new ArrayList<>();
    long last = after;
    try (PreparedStatement st =
        c.prepareStatement(
            "select * from "
                + table
                + " where "
                + column
                + " > ? and "
                + column
                + " <= ? order by "
                + column
                + " limit ?")) {
      st.setLong(1, after);
      st.setLong(2, horizon);
      st.setInt(3, max);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          items.add(mapper.map(rs));
          last = rs.getLong(column);
        }
      }
    }
    long next = items.size() == max ? last : horizon;
    return new Batch(items, Long.toString(next));
  }

  /** The largest key below which every drawn key is final, as far as this source can tell. */
  private long horizon(Connection c) throws SQLException {
    if (sequence == null) {
      sequence = sequence(c);
    }
    long lastValue;
    try (PreparedStatement st =
            c.prepareStatement("select last_value, is_called from " + sequence);
        ResultSet rs = st.executeQuery()) {
      rs.next();
      lastValue = rs.getBoolean(2) ? rs.getLong(1) : rs.getLong(1) - 1;
    }
    Set<String> writers = new HashSet<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "select virtualtransaction from pg_locks where locktype = 'relation'"
                + " and database = (select oid from pg_database where datname = current_database())"
                + " and relation = to_regclass(?) and mode = 'RowExclusiveLock'"
                + " and pid is distinct from pg_backend_pid()")) {
      st.setString(1, table);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          writers.add(rs.getString(1));
        }
      }
    }
    sightings.addLast(new Sighting(lastValue, writers));
    if (sightings.size() > MAX_SIGHTINGS) {
      sightings.removeFirst();
    }
    long horizon = 0;
    for (Sighting s : sightings) {
      if (s.writers().stream().noneMatch(writers::contains)) {
        horizon = Math.max(horizon, s.lastValue());
      }
    }
    for (Iterator<Sighting> it = sightings.iterator(); it.hasNext(); ) {
      if (it.next().lastValue() <= horizon) {
        it.remove();
      }
    }
    return horizon;
  }

  private String sequence(Connection c) throws SQLException {
    String name;
    try (PreparedStatement st = c.prepareStatement("select pg_get_serial_sequence(?, ?)")) {
      st.setString(1, table);
      st.setString(2, column);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        name = rs.getString(1);
      }
    }
    if (name == null) {
      throw new IllegalStateException(
          table + "." + column + " is not drawn from a sequence (bigserial or identity)");
    }
    try (PreparedStatement st =
        c.prepareStatement("select seqcache from pg_sequence where seqrelid = to_regclass(?)")) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next() && rs.getLong(1) != 1) {
          throw new IllegalStateException(
              "sequence "
                  + name
                  + " caches "
                  + rs.getLong(1)
                  + " values per session; it must cache 1");
        }
      }
    }
    return name;
  }

  private static String identifier(String what, String name) {
    if (name == null || !name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          what + " must be a lower-case SQL identifier but was \"" + name + "\"");
    }
    return name;
  }
}
