package io.bulwark.recovery.cli;

import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the run state a {@code bulwark up} leaves ({@code <home>/run/<name>/up.json}) for a stack
 * this test JVM runs, so the {@code dr} commands attach to it as they would to {@code up}.
 */
public final class UpState {
  private UpState() {}

  /** The run directory of {@code name} under {@code home}. */
  public static Path runDir(Path home, String name) {
    return home.resolve("run").resolve(name);
  }

  /** Writes the state of this JVM as the {@code up} of {@code name}; returns its run directory. */
  public static Path write(
      Path home, String name, String url, String adminUrl, String fleetUrl, String file)
      throws IOException {
    Path dir = runDir(home, name);
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("pid", ProcessHandle.current().pid());
    json.put("started_at", Instant.now().toString());
    json.put("url", url);
    json.put("admin_url", adminUrl);
    json.put("fleet_url", fleetUrl);
    json.put("file", file);
    Files.writeString(dir.resolve("up.json"), Json.write(json) + "\n");
    return dir;
  }
}
