package io.bulwark.diagnose.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.diagnose.http.DiagnoseHttp;
import io.bulwark.diagnose.http.DiagnoseOptions;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Json;
import io.bulwark.kernel.ProblemException;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real server recording its telemetry: faults injected with {@code bulwark chaos} are found by
 * {@code bulwark diagnose} as the root cause, on the right component, with a fix.
 */
class DiagnoseRunningServerTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  private static final String TOKEN = "admin-token-for-tests";
  private static final String LOCK_TABLE = "chaos_target";

  @TempDir Path home;

  @BeforeAll
  static void lockTable() throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + LOCK_TABLE + " (id int PRIMARY KEY)");
    }
  }

  @Test
  void findsAnInjectedCpuHogOnTheShopAndOffersToStopIt() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      Path report = home.resolve("diagnosis.html");
      JsonNode diagnosis = injectAndDiagnose(url, "cpu-hog", "shop", "--report", report.toString());

      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("shop");
      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("cpu-hog");
      assertThat(diagnosis.get("rootCause").get("confidence").asDouble()).isGreaterThan(0.5);
      assertThat(diagnosis.get("ranked").get(0)).isEqualTo(diagnosis.get("rootCause"));
      assertThat(texts(diagnosis.get("evidence"), "text"))
          .anySatisfy(t -> assertThat(t).startsWith("shop process.cpu.cores:"));
      String id = run(new ChaosCommand(), "list", "--url", url, "--token", TOKEN).split(" ")[0];
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .contains("bulwark chaos stop " + id + " --url " + url)
          .anySatisfy(c -> assertThat(c).startsWith("top -H -p " + ProcessHandle.current().pid()));
      assertThat(diagnosis.get("solutions").get(0).get("priority").asInt()).isEqualTo(1);
      assertThat(Files.readString(report))
          .contains("Root cause: <b>cpu-hog</b> on <b>shop</b>")
          .contains("aria-label=\"shop process.cpu.cores\"")
          .contains("<polyline")
          .contains("bulwark chaos stop " + id)
          .doesNotContain("<script");

      JsonNode stopped =
          json(run(new ChaosCommand(), "stop", id, "--url", url, "--token", TOKEN, "--json"));
      assertThat(stopped.get("status").asText()).isEqualTo("STOPPED");
    }
  }

  @Test
  void findsAHeldLockAsASlowQueryOnTheDatabaseAndNamesTheBlocker() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      JsonNode diagnosis = injectAndDiagnose(url, "slow-query", "database");

      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("database");
      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("slow-query");
      assertThat(texts(diagnosis.get("evidence"), "text"))
          .anySatisfy(
              t ->
                  assertThat(t)
                      .startsWith("longest-running statement")
                      .contains("blocked by pid")
                      .contains("SELECT count(*) FROM " + LOCK_TABLE));
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .anySatisfy(c -> assertThat(c).contains("pg_terminate_backend("));

      String list = run(new ChaosCommand(), "stop", "--url", url, "--token", TOKEN);
      assertThat(list).contains("slow-query on database  STOPPED");
      // the lock is gone: the table can be read again at once
      try (Connection c = pg.database().dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.setQueryTimeout(2);
        s.executeQuery("SELECT count(*) FROM " + LOCK_TABLE).close();
      }
    }
  }

  @Test
  void findsInjectedGcPressureOnTheShopRatherThanItsCpu() throws Exception {
    try (BulwarkServer server = start()) {
      JsonNode diagnosis = injectAndDiagnose(server.baseUrl(), "gc-pressure", "shop");

      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("gc-pressure");
      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("shop");
      // garbage is collected as fast as it is made: the live set stays flat, so no leak
      assertThat(confidence(diagnosis, "memory-leak")).isLessThan(0.05);
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .contains("jcmd " + ProcessHandle.current().pid() + " GC.class_histogram");
    }
  }

  @Test
  void findsAnExhaustedConnectionPoolOnTheShop() throws Exception {
    try (BulwarkServer server = start()) {
      JsonNode diagnosis = injectAndDiagnose(server.baseUrl(), "pool-exhaustion", "shop");

      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("pool-exhaustion");
      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("shop");
      assertThat(texts(diagnosis.get("evidence"), "text"))
          .anySatisfy(t -> assertThat(t).startsWith("shop pool.usage: 0.000 before"));
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .anySatisfy(c -> assertThat(c).contains("now() - xact_start AS open_for"));
    }
    // every held connection went back: the pool serves again
    try (Connection c = pg.database().dataSource().getConnection()) {
      assertThat(c.isValid(2)).isTrue();
    }
  }

  @Test
  void findsAnInjectedMemoryLeakOnTheShopByMeasuringTheLiveSetItself() throws Exception {
    // No collection is forced by the test: on this mostly idle heap none may run for minutes, so
    // `bulwark diagnose` asks the server for two live-set readings after the onset.
    try (BulwarkServer server = start()) {
      JsonNode diagnosis = injectAndDiagnose(server.baseUrl(), "memory-leak", "shop");

      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("memory-leak");
      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("shop");
      assertThat(texts(diagnosis.get("evidence"), "text"))
          .anySatisfy(
              t ->
                  assertThat(t)
                      .startsWith("shop jvm.heap.live.bytes:")
                      .contains("latest reading")
                      .contains("/s between the collections read at"));
      // the readings' own full collections are not taken for GC pressure
      assertThat(confidence(diagnosis, "gc-pressure")).isLessThan(0.05);
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .anySatisfy(
              c ->
                  assertThat(c)
                      .startsWith("jcmd " + ProcessHandle.current().pid() + " GC.heap_dump "));
    }
  }

  @Test
  void measuresTheLiveSetOnRequestWithoutCountingItsPausesAsGcPressure() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      awaitSamples(url, Instant.EPOCH, 4);
      Instant before = Instant.now();
      JsonNode readings = AdminApi.call(url, TOKEN, "POST", DiagnoseHttp.LIVE_SET, null);

      assertThat(readings.get("readings")).hasSize(2);
      Instant first = Instant.parse(readings.get("readings").get(0).get("at").asText());
      Instant second = Instant.parse(readings.get("readings").get(1).get("at").asText());
      assertThat(Duration.between(first, second)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      for (JsonNode r : readings.get("readings")) {
        assertThat(r.get("liveBytes").asLong()).isPositive();
        assertThat(r.get("pauseMillis").asLong()).isNotNegative();
      }
      JsonNode telemetry =
          AdminApi.call(url, TOKEN, "GET", DiagnoseHttp.TELEMETRY + "?from=" + before, null);
      assertThat(points(telemetry, "jvm.heap.live.age.seconds"))
          .as("a reading's sample has a fresh live set")
          .anySatisfy(age -> assertThat(age).isLessThan(0.5));
      assertThat(points(telemetry, "jvm.gc.pause.ratio"))
          .as("the readings' pauses are left out")
          .allSatisfy(ratio -> assertThat(ratio).isLessThan(0.1));
    }
  }

  @Test
  void findsAFillingDiskOnTheShopAndDeletesTheFillWhenStopped() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      JsonNode diagnosis = injectAndDiagnose(url, "disk-fill", "shop");

      assertThat(diagnosis.get("rootCause").get("fault").asText()).isEqualTo("disk-fill");
      assertThat(diagnosis.get("rootCause").get("component").asText()).isEqualTo("shop");
      assertThat(texts(diagnosis.get("evidence"), "text"))
          .anySatisfy(t -> assertThat(t).startsWith("shop disk.free.bytes:"));
      assertThat(texts(diagnosis.get("solutions"), "command"))
          .anySatisfy(c -> assertThat(c).startsWith("du -xsh "));
      assertThat(fills()).as("the fill file while it runs").hasSize(1);

      run(new ChaosCommand(), "stop", "--url", url, "--token", TOKEN);
      assertThat(fills()).as("nothing left behind").isEmpty();
    }
  }

  private List<Path> fills() throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(home)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".fill")).toList();
    }
  }

  /**
   * Injects {@code fault} on {@code target} and diagnoses it 5 s later, against the 3 s before: the
   * baseline starts once the server has warmed up for 3 s (JIT compilation and the first requests
   * make a freshly started JVM a poor baseline).
   */
  private static JsonNode injectAndDiagnose(
      String url, String fault, String target, String... extra) throws Exception {
    awaitSamples(url, Instant.EPOCH, 12);
    awaitSamples(url, Instant.now(), 12);
    JsonNode injection =
        json(
            run(
                new ChaosCommand(),
                "inject",
                fault,
                "--target",
                target,
                "--duration",
                "30s",
                "--url",
                url,
                "--token",
                TOKEN,
                "--json"));
    awaitSamples(url, Instant.parse(injection.get("startedAt").asText()), 22);
    List<String> args =
        new ArrayList<>(List.of("--severity", "HIGH", "--since", "5s", "--baseline", "3s"));
    args.add("--json");
    args.addAll(List.of(extra));
    Run r = diagnose(url, args.toArray(String[]::new));
    assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isZero();
    JsonNode diagnosis = json(r.out());
    assertThat(diagnosis.get("rootCause").isObject())
        .as("a root cause in %s", diagnosis.toPrettyString())
        .isTrue();
    return diagnosis;
  }

  @Test
  void undoesAnInjectionWhenItExpiresAndRecordsWhenItEnded() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      JsonNode injection =
          json(
              run(
                  new ChaosCommand(),
                  "inject",
                  "cpu-hog",
                  "--target",
                  "shop",
                  "--duration",
                  "1s",
                  "--url",
                  url,
                  "--token",
                  TOKEN,
                  "--json"));
      String id = injection.get("id").asText();
      assertThat(spinningThreads(id)).isPositive();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  run(new ChaosCommand(), "list", "--url", url, "--token", TOKEN)
                      .contains(id + "  cpu-hog on shop  EXPIRED"));
      assertThat(spinningThreads(id)).isZero();
      JsonNode change =
          AdminApi.call(url, TOKEN, "GET", DiagnoseHttp.TELEMETRY, null).get("changes").get(0);
      assertThat(change.get("id").asText()).isEqualTo(id);
      assertThat(change.get("kind").asText()).isEqualTo("CHAOS");
      assertThat(Instant.parse(change.get("until").asText()))
          .isAfterOrEqualTo(Instant.parse(injection.get("until").asText()));
    }
  }

  private static long spinningThreads(String id) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("bulwark-" + id))
        .count();
  }

  @Test
  void refusesBadArgumentsAndStrangersWithClearMessages() throws Exception {
    try (BulwarkServer server = start()) {
      String url = server.baseUrl();
      assertThat(diagnoseFails(url, "--since", "5m", "--severity", "URGENT"))
          .isEqualTo(
              "bulwark: --severity must be one of LOW, MEDIUM, HIGH, CRITICAL but was URGENT");
      assertThat(diagnoseFails(url, "--since", "soon")).contains("--since").contains("soon");
      assertThat(diagnoseFails(url)).isEqualTo("bulwark: missing --since; see --help");
      assertThat(diagnoseFails(url, "--since", "1m", "--frequency", "OFTEN"))
          .contains("--frequency must be one of ONCE, INTERMITTENT, CONSTANT but was OFTEN");
      assertThat(diagnoseFails(url, "--since", "1m", "--component", "nope"))
          .contains("--component nope has no telemetry; known: ");
      assertThat(diagnoseFails(url, "--since", "1m", "--report", "/no/such/dir/d.html"))
          .isEqualTo("bulwark: --report: directory /no/such/dir does not exist");
      assertThat(diagnoseFails(url, "--since", "1m", "--slack"))
          .isEqualTo("bulwark: --slack needs --webhook URL");
      assertThat(diagnoseFails(url, "--since", "1m", "--webhook", "ftp://hooks.example.org/x"))
          .contains("--webhook must be an http:// or https:// URL");
      // diagnosed and printed, then the notification cannot be delivered: exit 1 naming it
      Run unreachable =
          diagnose(url, "--since", "1m", "--json", "--webhook", "http://127.0.0.1:9/hook");
      assertThat(unreachable.exit()).isEqualTo(1);
      assertThat(json(unreachable.out()).has("rootCause")).isTrue();
      assertThat(unreachable.err())
          .contains("the diagnosis is above, but the webhook http://127.0.0.1:9/hook could not");
      assertThat(chaosFails(url, "inject", "meteor-strike", "--target", "shop"))
          .contains("fault must be one of cpu-hog");
      assertThat(chaosFails(url, "inject", "packet-loss", "--target", "shop"))
          .contains("cannot be injected by this server yet");
      assertThat(chaosFails(url, "inject", "cpu-hog", "--target", "database"))
          .contains("runs on target shop but was database");
      assertThat(chaosFails(url, "inject", "cpu-hog", "--target", "shop", "--duration", "2h"))
          .contains("duration must be between 1s and 10m");
      assertThat(chaosFails(url, "stop", "chaos-nope")).contains("no chaos injection chaos-nope");
      assertThat(fails(new ChaosCommand(), "list", "--url", url, "--token", "wrong"))
          .contains("log in as an administrator");
    }
  }

  @Test
  void answersEveryMalformedInjectionWithAProblemNamingTheField() throws Exception {
    Map<String, String> bodies =
        Map.of(
            "{\"fault\":\"cpu-hog\",\"target\":\"shop\",\"duration\":30}", "$.duration",
            "{\"fault\":\"cpu-hog\",\"target\":\"shop\",\"duration\":\"-5s\"}", "$.duration",
            "{\"fault\":[\"cpu-hog\"],\"target\":\"shop\"}", "$.fault",
            "{\"fault\":\"cpu-hog\",\"target\":\"shop\",\"force\":true}", "$.force",
            "{\"target\":\"shop\"}", "$.fault",
            "{\"fault\":\"cpu-hog\"}", "$.target",
            "{\"fault\":\"cpu-hog\u0000\",\"target\":\"shop\"}", "$.fault");
    try (BulwarkServer server = start();
        HttpClient http = HttpClient.newHttpClient()) {
      for (Map.Entry<String, String> body : bodies.entrySet()) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + DiagnoseHttp.CHAOS))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.getKey()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(body.getKey()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/problem+json");
        assertThat(Json.parse(r.body()).get("field").asText())
            .as(body.getKey())
            .isEqualTo(body.getValue());
      }
      assertThat(run(new ChaosCommand(), "list", "--url", server.baseUrl(), "--token", TOKEN))
          .isEqualTo("no injections" + System.lineSeparator());
      HttpResponse<String> badFrom =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(server.baseUrl() + DiagnoseHttp.TELEMETRY + "?from=yesterday"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(badFrom.statusCode()).isEqualTo(400);
      assertThat(Json.parse(badFrom.body()).get("field").asText()).isEqualTo("from");
    }
  }

  private static String diagnoseFails(String url, String... args) {
    Run r = diagnose(url, args);
    assertThat(r.exit()).as("exit code; stdout: %s", r.out()).isEqualTo(2);
    return r.err().strip();
  }

  /** {@code bulwark diagnose} against {@code url} as the administrator, "checkout is slow". */
  private static Run diagnose(String url, String... args) {
    List<String> all =
        new ArrayList<>(List.of("--url", url, "--token", TOKEN, "--symptom", "checkout is slow"));
    all.addAll(List.of(args));
    return execute(new DiagnoseCommand(), all.toArray(String[]::new));
  }

  private static String chaosFails(String url, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", url, "--token", TOKEN));
    return fails(new ChaosCommand(), all.toArray(String[]::new));
  }

  private BulwarkServer start() {
    BulwarkServer.Builder builder =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("shop")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(8)
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    DiagnoseHttp.install(
        builder,
        ctx -> {
          if (!("Bearer " + TOKEN).equals(ctx.header("Authorization"))) {
            throw new Unauthorized();
          }
        },
        DiagnoseOptions.defaults().withInterval(Duration.ofMillis(250)).withLockTable(LOCK_TABLE));
    return builder.start();
  }

  /** Waits until the server has recorded {@code n} samples from {@code from} on. */
  private static void awaitSamples(String url, Instant from, int n) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              JsonNode t =
                  AdminApi.call(url, TOKEN, "GET", DiagnoseHttp.TELEMETRY + "?from=" + from, null);
              for (JsonNode s : t.get("series")) {
                if (s.get("metric").asText().equals("process.cpu.cores")) {
                  return s.get("points").size() >= n;
                }
              }
              return false;
            });
  }

  private static String run(Object command, String... args) {
    Run r = execute(command, args);
    assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isZero();
    return r.out();
  }

  private static String fails(Object command, String... args) {
    Run r = execute(command, args);
    assertThat(r.exit()).as("exit code; stdout: %s", r.out()).isEqualTo(2);
    return r.err().strip();
  }

  private record Run(int exit, String out, String err) {}

  private static Run execute(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(command)
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static JsonNode json(String text) {
    return Json.parse(text);
  }

  /** The confidence the diagnosis gives {@code fault} on the shop, 0 when it is not ranked. */
  private static double confidence(JsonNode diagnosis, String fault) {
    for (JsonNode c : diagnosis.get("ranked")) {
      if (c.get("fault").asText().equals(fault) && c.get("component").asText().equals("shop")) {
        return c.get("confidence").asDouble();
      }
    }
    return 0;
  }

  /** The values of the shop's series {@code metric} in {@code telemetry}. */
  private static List<Double> points(JsonNode telemetry, String metric) {
    List<Double> out = new ArrayList<>();
    for (JsonNode s : telemetry.get("series")) {
      if (s.get("component").asText().equals("shop") && s.get("metric").asText().equals(metric)) {
        s.get("points").forEach(p -> out.add(p.get(1).asDouble()));
      }
    }
    return out;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.get(field).asText()));
    return out;
  }

  /** The test server's answer to a missing or wrong token. */
  private static final class Unauthorized extends ProblemException {
    Unauthorized() {
      super(
          401, "unauthorized", "Unauthorized", "a valid bearer token is required", Map.of(), null);
    }
  }
}
