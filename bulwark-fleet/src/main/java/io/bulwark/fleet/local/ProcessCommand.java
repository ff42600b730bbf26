package io.bulwark.fleet.local;

import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.instance.InstanceMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The command line that starts one instance, with placeholders filled per instance: {@code {port}},
 * {@code {id}}, {@code {zone}}, {@code {region}}, {@code {service}}, {@code {generation}}. The same
 * values are also in the environment as {@code BULWARK_PORT}, {@code BULWARK_INSTANCE_ID}, {@code
 * BULWARK_ZONE}, {@code BULWARK_REGION}, {@code BULWARK_SERVICE}, {@code BULWARK_GENERATION}.
 *
 * @param argv program and arguments, with placeholders
 * @param environment extra environment variables, with placeholders
 * @param watchesStdin whether the program exits when its standard input closes (then the provider
 *     keeps a pipe open to it, so the instance never outlives the process that started it)
 */
public record ProcessCommand(
    List<String> argv, Map<String, String> environment, boolean watchesStdin) {

  public ProcessCommand {
    argv = List.copyOf(Objects.requireNonNull(argv, "argv"));
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program, got nothing");
    }
    environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
  }

  /** This command with {@code name=value} added to its environment (replacing one so named). */
  public ProcessCommand withEnvironment(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new ProcessCommand(argv, env, watchesStdin);
  }

  /** Runs {@code argv} as given (no stdin watching). */
  public static ProcessCommand of(List<String> argv) {
    return new ProcessCommand(argv, Map.of(), false);
  }

  /**
   * The built-in instance ({@link InstanceMain}) in a JVM like the current one: same {@code java},
   * same class path, small heap, quick start.
   *
   * @param workMillis simulated work per API request
   */
  public static ProcessCommand instance(int workMillis) {
    return javaMain(
        InstanceMain.class.getName(),
        List.of(
            "--port",
            "{port}",
            "--id",
            "{id}",
            "--zone",
            "{zone}",
            "--region",
            "{region}",
            "--service",
            "{service}",
            "--version",
            "{generation}",
            "--work-ms",
            Integer.toString(workMillis),
            "--watch-stdin"),
        true);
  }

  /**
   * {@code mainClass} with {@code args} in a JVM like the current one (same {@code java} and class
   * path), tuned to start fast.
   */
  public static ProcessCommand javaMain(String mainClass, List<String> args, boolean watchesStdin) {
    List<String> argv = new ArrayList<>();
    argv.add(currentJava());
    argv.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Xss512k",
            "-Xmx96m",
            "-cp",
            System.getProperty("java.class.path"),
            mainClass));
    argv.addAll(args);
    return new ProcessCommand(argv, Map.of(), watchesStdin);
  }

  /** The {@code java} binary running this JVM. */
  public static String currentJava() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The command line for one instance. */
  List<String> render(LaunchSpec spec, int port) {
    Map<String, String> values = values(spec, port);
    return argv.stream().map(a -> fill(a, values)).toList();
  }

  /** The extra environment for one instance. */
  Map<String, String> renderEnvironment(LaunchSpec spec, int port) {
    Map<String, String> values = values(spec, port);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BULWARK_PORT", Integer.toString(port));
    env.put("BULWARK_INSTANCE_ID", spec.instanceId());
    env.put("BULWARK_ZONE", spec.zone().name());
    env.put("BULWARK_REGION", spec.zone().region());
    env.put("BULWARK_SERVICE", spec.service());
    env.put("BULWARK_GENERATION", Integer.toString(spec.generation()));
    environment.forEach((k, v) -> env.put(k, fill(v, values)));
    return env;
  }

  private static Map<String, String> values(LaunchSpec spec, int port) {
    return Map.of(
        "{port}", Integer.toString(port),
        "{id}", spec.instanceId(),
        "{zone}", spec.zone().name(),
        "{region}", spec.zone().region(),
        "{service}", spec.service(),
        "{generation}", Integer.toString(spec.generation()));
  }

  private static String fill(String template, Map<String, String> values) {
    String out = template;
    for (var e : values.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }
}
