package io.bulwark.fleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code bulwark up} leaves in its run directory ({@code <home>/run/<topology>/up.json}) so
 * {@code bulwark down} can find and stop it, and other commands ({@code bulwark dr}) can attach to
 * it: the gateway's admin API, the fleet API and the topology file.
 *
 * @param name topology name
 * @param pid process id of {@code bulwark up}
 * @param startedAt when it started
 * @param url the gateway's URL
 * @param adminUrl the gateway admin API's URL, or empty
 * @param fleetUrl the fleet control API's URL, or empty
 * @param file the topology file, or {@code builtin:local-demo}
 */
public record RunState(
    String name,
    long pid,
    Instant startedAt,
    String url,
    String adminUrl,
    String fleetUrl,
    String file) {

  static final String FILE = "up.json";

  /**
   * {@code <home>/run}, where home is {@code --home}, {@code $BULWARK_HOME} or {@code ~/.bulwark}.
   */
  public static Path runRoot(Path home) {
    if (home != null) {
      return home.resolve("run");
    }
    String env = System.getenv("BULWARK_HOME");
    return (env != null && !env.isBlank()
            ? Path.of(env)
            : Path.of(System.getProperty("user.home"), ".bulwark"))
        .resolve("run");
  }

  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("pid", pid);
    json.put("started_at", startedAt.toString());
    json.put("url", url);
    json.put("admin_url", adminUrl);
    json.put("fleet_url", fleetUrl);
    json.put("file", file);
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(tmp, Json.write(json) + "\n", StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dir.resolve(FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The state in run directory {@code dir}, if it holds a readable one. */
  public static Optional<RunState> read(Path dir) {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.parse(Files.readString(f, StandardCharsets.UTF_8));
      return Optional.of(
          new RunState(
              n.get("name").asText(),
              n.get("pid").asLong(),
              Instant.parse(n.get("started_at").asText()),
              n.get("url").asText(),
              n.path("admin_url").asText(""),
              n.path("fleet_url").asText(""),
              n.path("file").asText("")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every run directory holding a state file. */
  public static List<Path> all(Path runRoot) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(runRoot)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(runRoot)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve(FILE))).sorted().forEach(out::add);
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** The live {@code bulwark up} process this state names, if it still runs. */
  public Optional<ProcessHandle> process() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            h ->
                h.info()
                    .startInstant()
                    .map(start -> !start.isAfter(startedAt.plusSeconds(1)))
                    .orElse(true));
  }
}
