package io.bulwark.commerce;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A one-row query's columns joined into a string, so that fuzz tests can check that refused input
 * changed nothing in the database.
 */
final class DatabaseFingerprint {
  private DatabaseFingerprint() {}

  /** Runs {@code sql} (one row) on {@code jdbcUrl} as the superuser; its columns joined by '|'. */
  static String of(String jdbcUrl, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        sb.append(rs.getString(i)).append('|');
      }
      return sb.toString();
    }
  }
}
