package io.bulwark.fleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.fleet.local.ProcessCommand;
import io.bulwark.kernel.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bulwark up} as a real process: URL on stdout, traffic through it, clean stop. */
class UpDownProcessTest {
  @TempDir Path home;
  final List<Process> started = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void killLeftovers() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  Process up(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("up", "--port", "0", "--home", home.toString()));
    args.addAll(List.of(extra));
    Process p =
        new ProcessBuilder(
                ProcessCommand.javaMain(FleetCliMain.class.getName(), args, false).argv())
            .redirectError(home.resolve("up-stderr.txt").toFile())
            .start();
    started.add(p);
    return p;
  }

  static String firstLine(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("URL line on stdout").isNotNull();
    return line.trim();
  }

  HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void upServesThroughTheGatewayAndSigtermLeavesNoProcessBehind() throws Exception {
    Process up = up("--status", "lines");
    String url = firstLine(up);
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");

    HttpResponse<String> r = get(url + "/api/v1/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Instance-Id").orElseThrow()).startsWith("web-");
    assertThat(r.headers().firstValue("X-Zone").orElseThrow()).startsWith("zone-");
    Path state = home.resolve("run/local-demo/up.json");
    assertThat(Files.readString(state)).contains("\"pid\":" + up.pid()).contains(url);

    String fleet = Json.parse(Files.readString(state)).get("fleet_url").asText();
    HttpResponse<String> refresh =
        http.send(
            HttpRequest.newBuilder(URI.create(fleet + "/fleet/groups/web/refresh"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refresh.statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Json.parse(get(fleet + "/fleet/groups/web").body())
                    .at("/group/refresh/finishedAt")
                    .isTextual());
    assertThat(get(url + "/api/v1/hello").headers().firstValue("X-Instance-Version")).contains("2");
    assertThat(get(fleet + "/fleet/groups/nope").statusCode()).isEqualTo(404);

    List<ProcessHandle> instances = up.descendants().toList();
    assertThat(instances).hasSizeGreaterThanOrEqualTo(3);
    up.destroy();
    assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(up.exitValue()).isIn(0, 143);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> instances.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(state).doesNotExist();
    assertThat(Files.readString(home.resolve("up-stderr.txt")))
        .contains("3/3 in service")
        .contains("stopped");
  }

  @Test
  void execInstancesAreToldTheFleetApiThatCountsTheirGroupPerZone() throws Exception {
    List<String> argv =
        ProcessCommand.javaMain(EnvEchoMain.class.getName(), List.of(), false).argv();
    Process up = up("--status", "off", "--exec", "web=" + String.join(" ", argv));
    String url = firstLine(up);
    String fleet =
        Json.parse(Files.readString(home.resolve("run/local-demo/up.json")))
            .get("fleet_url")
            .asText();

    HttpResponse<String> told = get(url + "/env/BULWARK_FLEET_URL");
    assertThat(told.statusCode()).isEqualTo(200);
    assertThat(told.body()).isEqualTo(fleet);
    HttpResponse<String> zones = get(told.body() + "/fleet/groups/web/zones");
    assertThat(zones.statusCode()).isEqualTo(200);
    assertThat(Json.parse(zones.body()).get("inServiceByZone"))
        .isEqualTo(Json.parse("{\"zone-a\": 1, \"zone-b\": 1, \"zone-c\": 1}"));
  }

  @Test
  void downStopsTheRunningTopologyAndItsInstances() throws Exception {
    Process up = up("--status", "off");
    String url = firstLine(up);
    assertThat(get(url + "/health/ready").statusCode()).isEqualTo(200);
    List<ProcessHandle> instances = up.descendants().toList();

    StringWriter err = new StringWriter();
    CommandLine down = new CommandLine(new DownCommand());
    down.setErr(new PrintWriter(err));
    assertThat(down.execute("--home", home.toString())).as(err.toString()).isZero();
    assertThat(err.toString()).contains("stopped local-demo");
    assertThat(up.isAlive()).isFalse();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> instances.stream().noneMatch(ProcessHandle::isAlive));

    StringWriter again = new StringWriter();
    CommandLine second = new CommandLine(new DownCommand());
    second.setErr(new PrintWriter(again));
    assertThat(second.execute("--home", home.toString())).isZero();
    assertThat(again.toString()).startsWith("nothing is up");
  }

  @Test
  void upRejectsAMalformedSchedule() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new UpCommand());
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("--home", home.toString(), "--schedule", "web@friday=1/2/3"))
        .isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "bulwark: --schedule: expected an ISO-8601 instant like 2026-11-27T06:00:00Z, got"
                + " \"friday\""
                + System.lineSeparator());
  }

  @Test
  void upRejectsATargetQueueDepthThatIsNotPositive() {
    for (String bad : List.of("0", "-5", "NaN", "Infinity")) {
      StringWriter err = new StringWriter();
      CommandLine cl = new CommandLine(new UpCommand());
      cl.setErr(new PrintWriter(err));
      assertThat(cl.execute("--home", home.toString(), "--target-queue-depth", bad))
          .as(bad)
          .isEqualTo(2);
      assertThat(err.toString())
          .isEqualTo(
              "bulwark: --target-queue-depth must be > 0, got "
                  + Double.parseDouble(bad)
                  + System.lineSeparator());
    }
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new UpCommand());
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("--target-queue-depth", "lots")).isEqualTo(2);
    assertThat(err.toString()).contains("--target-queue-depth").contains("lots");
  }

  @Test
  void upHelpDocumentsQueueDepthTracking() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new UpCommand());
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("--help")).isZero();
    assertThat(out.toString().replaceAll("\\s+", " ")) // help wraps its lines
        .contains("--target-queue-depth=ORDERS")
        .contains("backlog per instance")
        .contains("bulwark_orders_intake_depth");
  }

  @Test
  void upRejectsAnInvalidTopologyWithItsErrors() throws Exception {
    Path bad = home.resolve("bad.yaml");
    Files.writeString(bad, "name: x\nregions: []\nservices: []\nbogus: 1\n");
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new UpCommand());
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute(bad.toString(), "--home", home.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad.yaml:4").contains("is not a valid topology");
  }
}
