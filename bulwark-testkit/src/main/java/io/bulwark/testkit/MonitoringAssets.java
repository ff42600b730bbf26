package io.bulwark.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana dashboards and Prometheus rules shipped in {@code ops/}, read the way a test checks
 * them against what the processes really export: every PromQL expression and the metric names it
 * reads.
 */
public final class MonitoringAssets {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> NOT_METRICS =
      Set.of("histogram_quantile", "label_values", "count_over_time", "max_over_time");

  private MonitoringAssets() {}

  /** The repository's {@code ops} directory, found from the working directory upwards. */
  public static Path opsDirectory() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("ops/grafana"))) {
        return p.resolve("ops");
      }
    }
    throw new IllegalStateException(
        "no ops/grafana directory above " + Path.of("").toAbsolutePath());
  }

  /**
   * Every PromQL expression of the dashboards ({@code panels[].targets[].expr}) and rules ({@code
   * groups[].rules[].expr}), keyed by {@code file: title}.
   */
  public static Map<String, String> expressions() {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(opsDirectory())) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = opsDirectory().relativize(f).toString();
        if (name.endsWith(".json")) {
          for (JsonNode panel : JSON.readTree(f.toFile()).path("panels")) {
            int i = 0;
            for (JsonNode target : panel.path("targets")) {
              out.put(
                  name + ": " + panel.path("title").asText() + " #" + i++,
                  target.path("expr").asText());
            }
          }
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
          for (JsonNode group : YAML.readTree(f.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
              String title =
                  rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
              out.put(name + ": " + title, rule.path("expr").asText());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The series the rules record ({@code groups[].rules[].record}). */
  public static Set<String> recorded() {
    Set<String> out = new TreeSet<>();
    expressions().keySet().stream()
        .filter(k -> k.contains(":") && k.substring(k.indexOf(": ") + 2).contains(":"))
        .map(k -> k.substring(k.indexOf(": ") + 2))
        .forEach(out::add);
    return out;
  }

  /**
   * The metric names {@code promql} reads: identifiers outside label matchers, ranges, quoted
   * strings and {@code by}/{@code without} lists, less functions and keywords; recorded series
   * (names with a colon, see {@link #recorded}) included.
   */
  public static Set<String> metricNames(String promql) {
    String s =
        promql
            .replaceAll("\"(\\\\.|[^\"\\\\])*\"", " ")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(s);
    while (m.find()) {
      String t = m.group();
      boolean call = s.substring(m.end()).stripLeading().startsWith("(");
      if (t.contains("_") && !call && !NOT_METRICS.contains(t)) {
        names.add(t);
      }
    }
    return names;
  }
}
