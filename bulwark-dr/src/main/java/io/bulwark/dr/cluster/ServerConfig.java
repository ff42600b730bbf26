package io.bulwark.dr.cluster;

import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.MemberSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replication settings of one member's server. Fixed settings go on the command line; the ones
 * that change with the cluster's state (whom to stream from, which standbys commits wait for) live
 * in {@code bulwark.conf} in the data directory, included from {@code postgresql.conf} and reloaded
 * without a restart. Nothing here uses {@code ALTER SYSTEM}, so the agent can rewrite them on a
 * standby too.
 */
public final class ServerConfig {

  /** The include file in the data directory. */
  public static final String FILE = "bulwark.conf";

  private static final String INCLUDE = "include_if_exists = '" + FILE + "'";

  private ServerConfig() {}

  /** Settings passed as {@code -c} to every member's server. */
  public static Map<String, String> fixedSettings(ClusterSpec spec, MemberSpec member) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("wal_level", "replica");
    s.put("max_wal_senders", "10");
    s.put("max_replication_slots", "10");
    s.put("wal_keep_size", "256MB");
    s.put("hot_standby", "on");
    s.put("hot_standby_feedback", "on");
    s.put("wal_sender_timeout", "5s");
    s.put("wal_receiver_timeout", "5s");
    s.put("wal_receiver_status_interval", "1s");
    s.put("wal_retrieve_retry_interval", "250ms");
    s.put("track_commit_timestamp", "on");
    s.put("archive_mode", "on");
    s.put("archive_command", archiveCommand(spec, member.region()));
    s.put("archive_timeout", spec.backups().archiveTimeout().toSeconds() + "s");
    return s;
  }

  /**
   * The shell command that archives a WAL file into each archive region: copied under a temporary
   * name and renamed, so a reader never sees half a file; a file already there with the same
   * content counts as archived (the archiver retries after a crash), a different one is an error.
   */
  static String archiveCommand(ClusterSpec spec, String region) {
    StringBuilder cmd = new StringBuilder();
    for (String r : spec.archiveRegions(region)) {
      Path dir = spec.walArchive(r);
      if (!cmd.isEmpty()) {
        cmd.append(" && ");
      }
      String f = dir + "/%f";
      cmd.append("{ if test -f '")
          .append(f)
          .append("'; then cmp -s %p '")
          .append(f)
          .append("'; else cp %p '")
          .append(f)
          .append(".tmp' && mv '")
          .append(f)
          .append(".tmp' '")
          .append(f)
          .append("'; fi; }");
    }
    return cmd.toString();
  }

  /** The command that fetches archived WAL: the member's region first, then the copy region. */
  public static String restoreCommand(ClusterSpec spec, String region) {
    StringBuilder cmd = new StringBuilder();
    for (String r : spec.archiveRegions(region)) {
      if (!cmd.isEmpty()) {
        cmd.append(" || ");
      }
      cmd.append("cp '").append(spec.walArchive(r)).append("/%f' %p 2>/dev/null");
    }
    return cmd.toString();
  }

  /** {@code primary_conninfo} that streams from {@code source} under this member's name. */
  public static String conninfo(MemberSpec source, String applicationName) {
    return "host="
        + source.host()
        + " port="
        + source.port()
        + " user=postgres application_name="
        + applicationName
        + " connect_timeout=2";
  }

  /**
   * Lets every member's host other than the loopback connect to the server in {@code dataDir}, for
   * queries and for replication ({@code initdb} trusts only the loopback): appends the missing
   * {@code pg_hba.conf} lines. Members are trusted as the loopback is; put a password or
   * certificate rule first in {@code pg_hba.conf} where the network between them is not private.
   * Takes effect at the next start or reload.
   */
  public static void allowMembers(Path dataDir, ClusterSpec spec) {
    Path hba = dataDir.resolve("pg_hba.conf");
    try {
      String text = Files.readString(hba);
      StringBuilder more = new StringBuilder();
      for (String host : spec.members().stream().map(MemberSpec::host).distinct().toList()) {
        if (host.equals(MemberSpec.LOOPBACK) || host.equals("localhost")) {
          continue;
        }
        String address = host.matches("[0-9.]+") ? host + "/32" : host;
        for (String database : List.of("all", "replication")) {
          String line = "host " + database + " all " + address + " trust";
          if (!text.contains(line + "\n") && !more.toString().contains(line + "\n")) {
            more.append(line).append("\n");
          }
        }
      }
      if (!more.isEmpty()) {
        Files.writeString(
            hba,
            (text.endsWith("\n") ? text : text + "\n")
                + "# the cluster's members (written by the Bulwark agent)\n"
                + more);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + hba, e);
    }
  }

  /** {@code ANY 1 ("a", "b")}, or empty for none. */
  public static String synchronousStandbyNames(List<String> members) {
    if (members.isEmpty()) {
      return "";
    }
    return "ANY 1 (" + String.join(", ", members.stream().map(m -> "\"" + m + "\"").toList()) + ")";
  }

  /** Makes {@code postgresql.conf} in {@code dataDir} include {@code bulwark.conf}. */
  public static void ensureInclude(Path dataDir) {
    Path conf = dataDir.resolve("postgresql.conf");
    try {
      String text = Files.readString(conf);
      if (!text.contains(INCLUDE)) {
        Files.writeString(conf, text + "\n" + INCLUDE + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + conf, e);
    }
  }

  /** Replaces {@code bulwark.conf} in {@code dataDir} with {@code settings} (atomically). */
  public static void write(Path dataDir, Map<String, String> settings) {
    StringBuilder text = new StringBuilder("# written by the Bulwark agent; do not edit\n");
    settings.forEach(
        (k, v) -> text.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
    Path file = dataDir.resolve(FILE);
    try {
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Reads {@code bulwark.conf} back (empty when there is none). */
  public static Map<String, String> read(Path dataDir) {
    Map<String, String> settings = new LinkedHashMap<>();
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return settings;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        int eq = line.indexOf(" = '");
        if (line.startsWith("#") || eq < 0) {
          continue;
        }
        String value = line.substring(eq + 4, line.length() - 1).replace("''", "'");
        settings.put(line.substring(0, eq), value);
      }
      return settings;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
