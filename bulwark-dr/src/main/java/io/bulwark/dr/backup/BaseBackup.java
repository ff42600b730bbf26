package io.bulwark.dr.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A base backup kept in a region's archive: a consistent-once-replayed copy of the primary's data
 * directory, and the WAL positions recovery must replay through.
 *
 * @param id its name, sortable by time ({@code 20261204T031500Z})
 * @param dir its directory (the copy is in {@code data}, this record in {@code backup.json})
 * @param member the member it was taken from
 * @param timeline that member's timeline
 * @param startLsn WAL replay starts here
 * @param stopLsn the copy is consistent once WAL up to here is replayed
 * @param startedAt when the backup started
 * @param finishedAt when it finished (recovery can target times after this)
 */
public record BaseBackup(
    String id,
    Path dir,
    String member,
    int timeline,
    long startLsn,
    long stopLsn,
    Instant startedAt,
    Instant finishedAt) {

  static final String META = "backup.json";

  /** The copied data directory. */
  public Path data() {
    return dir.resolve("data");
  }

  void write() {
    ObjectNode n = Json.object();
    n.put("id", id);
    n.put("member", member);
    n.put("timeline", timeline);
    n.put("startLsn", startLsn);
    n.put("stopLsn", stopLsn);
    n.put("startedAt", startedAt.toString());
    n.put("finishedAt", finishedAt.toString());
    try {
      Files.writeString(dir.resolve(META), Json.write(n));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(META), e);
    }
  }

  static BaseBackup read(Path dir) throws IOException {
    JsonNode n = Json.parse(Files.readString(dir.resolve(META)));
    return new BaseBackup(
        n.path("id").asText(),
        dir,
        n.path("member").asText(),
        n.path("timeline").asInt(),
        n.path("startLsn").asLong(),
        n.path("stopLsn").asLong(),
        Instant.parse(n.path("startedAt").asText()),
        Instant.parse(n.path("finishedAt").asText()));
  }
}
