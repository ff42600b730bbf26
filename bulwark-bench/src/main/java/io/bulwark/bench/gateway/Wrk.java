package io.bulwark.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code wrk} (closed loop, written in C, so it leaves more CPU to the proxy under test). */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
  private static final Pattern ERRORS =
      Pattern.compile(
          "Non-2xx or 3xx responses: (\\d+)|Socket errors: connect (\\d+), read (\\d+)");

  private Wrk() {}

  /** The {@code wrk} binary on the PATH, if any. */
  static Optional<Path> find() {
    return findOnPath("wrk");
  }

  /** An executable named {@code name} on the PATH, if any. */
  static Optional<Path> findOnPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/usr/bin";
    for (String dir : path.split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static LoadClient.Result run(Path wrk, int port, int connections, Duration duration) {
    List<String> command =
        List.of(
            wrk.toString(),
            "-t1",
            "-c" + connections,
            "-d" + duration.toSeconds() + "s",
            "--latency",
            "http://127.0.0.1:" + port + "/");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("wrk failed: " + String.join(" ", command) + "\n" + out);
      }
      return parse(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static LoadClient.Result parse(String out) {
    Matcher total = TOTAL.matcher(out);
    if (!total.find()) {
      throw new IllegalStateException("cannot read wrk's output:\n" + out);
    }
    long requests = Long.parseLong(total.group(1));
    double seconds = Double.parseDouble(total.group(2)) * unitSeconds(total.group(3));
    long errors = 0;
    Matcher e = ERRORS.matcher(out);
    while (e.find()) {
      for (int g = 1; g <= e.groupCount(); g++) {
        if (e.group(g) != null) {
          errors += Long.parseLong(e.group(g));
        }
      }
    }
    Matcher rate = RATE.matcher(out);
    if (rate.find() && seconds > 0) {
      requests = Math.round(Double.parseDouble(rate.group(1)) * seconds);
    }
    return new LoadClient.Result(
        requests, errors, seconds, percentile(out, "50%"), percentile(out, "99%"), Double.NaN);
  }

  private static double percentile(String out, String label) {
    Matcher m =
        Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s|m)\\s*$", 8)
            .matcher(out);
    if (!m.find()) {
      return Double.NaN;
    }
    return Double.parseDouble(m.group(1)) * unitSeconds(m.group(2)) * 1000;
  }

  private static double unitSeconds(String unit) {
    return switch (unit) {
      case "us" -> 1e-6;
      case "ms" -> 1e-3;
      case "m" -> 60;
      default -> 1;
    };
  }
}
