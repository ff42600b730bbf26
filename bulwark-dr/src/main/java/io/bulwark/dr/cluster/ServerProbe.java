package io.bulwark.dr.cluster;

import io.bulwark.dr.MemberSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;

/** Reads a server's replication state over SQL; every call opens and closes its connection. */
public final class ServerProbe {

  private ServerProbe() {}

  /** Opens a superuser connection to {@code member} that gives up after about two seconds. */
  public static Connection connect(MemberSpec member) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("connectTimeout", "2");
    p.setProperty("socketTimeout", "5");
    p.setProperty("ApplicationName", "bulwark-agent");
    return DriverManager.getConnection("jdbc:postgresql://" + member.address() + "/postgres", p);
  }

  /** The state of {@code member}'s server. */
  public static ServerState read(MemberSpec member) throws SQLException {
    try (Connection c = connect(member)) {
      return read(c);
    }
  }

  /** The state of the server {@code c} is connected to. */
  public static ServerState read(Connection c) throws SQLException {
    boolean recovery;
    try (ResultSet rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      recovery = rs.getBoolean(1);
    }
    String ssn;
    try (ResultSet rs = c.createStatement().executeQuery("show synchronous_standby_names")) {
      rs.next();
      ssn = rs.getString(1);
    }
    if (!recovery) {
      int timeline;
      long lsn;
      OptionalLong lastCommit;
      try (ResultSet rs =
          c.createStatement()
              .executeQuery(
                  "select ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int,"
                      + " pg_current_wal_lsn() - '0/0'::pg_lsn,"
                      + " (extract(epoch from (pg_last_committed_xact()).timestamp) * 1000)::bigint")) {
        rs.next();
        timeline = rs.getInt(1);
        lsn = rs.getLong(2);
        long at = rs.getLong(3);
        lastCommit = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(at);
      }
      List<ServerState.Standby> standbys = new ArrayList<>();
      try (ResultSet rs =
          c.createStatement()
              .executeQuery(
                  "select application_name, state, sync_state,"
                      + " coalesce(flush_lsn - '0/0'::pg_lsn, 0),"
                      + " coalesce(replay_lsn - '0/0'::pg_lsn, 0),"
                      + " coalesce(extract(epoch from replay_lag) * 1000, 0)::bigint"
                      + " from pg_stat_replication where application_name <> ''"
                      + " order by application_name")) {
        while (rs.next()) {
          standbys.add(
              new ServerState.Standby(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6)));
        }
      }
      return new ServerState(false, timeline, lsn, lsn, lastCommit, false, standbys, ssn);
    }
    try (ResultSet rs =
        c.createStatement()
            .executeQuery(
                "select coalesce(pg_last_wal_receive_lsn() - '0/0'::pg_lsn, 0),"
                    + " coalesce(pg_last_wal_replay_lsn() - '0/0'::pg_lsn, 0),"
                    + " (extract(epoch from pg_last_xact_replay_timestamp()) * 1000)::bigint,"
                    + " (select status from pg_stat_wal_receiver),"
                    + " coalesce((select received_tli from pg_stat_wal_receiver),"
                    + " (select timeline_id from pg_control_checkpoint()))")) {
      rs.next();
      long received = rs.getLong(1);
      long replayed = rs.getLong(2);
      long at = rs.getLong(3);
      OptionalLong lastReplay = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(at);
      String status = rs.getString(4);
      int timeline = rs.getInt(5);
      return new ServerState(
          true,
          timeline,
          Math.max(received, replayed),
          replayed,
          lastReplay,
          "streaming".equals(status),
          List.of(),
          ssn);
    }
  }
}
