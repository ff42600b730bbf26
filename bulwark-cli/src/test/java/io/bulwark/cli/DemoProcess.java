package io.bulwark.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code bulwark demo} started as a real process the way a user runs it, with test defaults. */
final class DemoProcess {

  private DemoProcess() {}

  /**
   * Starts {@code bulwark demo --port 0 --home HOME --admin-password admin-secret-1} plus {@code
   * extra}; stderr goes to {@code HOME/stderr.txt}.
   */
  static Process start(Path home, String... extra) throws IOException {
    return start(home, home.resolve("stderr.txt"), extra);
  }

  /** As {@link #start(Path, String...)}, with stderr going to {@code stderr}. */
  static Process start(Path home, Path stderr, String... extra) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "demo",
                "--port",
                "0",
                "--home",
                home.toString(),
                "--admin-password",
                "admin-secret-1"));
    argv.addAll(List.of(extra));
    return new ProcessBuilder(argv).redirectError(stderr.toFile()).start();
  }

  /** The first line the demo prints on stdout: its URL, once ready (null if it exited first). */
  static String url(Process demo) {
    try {
      return new BufferedReader(
              new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
