package io.bulwark.states.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class StatesHttpModuleTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");
  @TempDir static Path home;

  private static final int HISTORY_LIMIT = 40;
  private static final List<String> tokens = new CopyOnWriteArrayList<>();
  private static BulwarkServer server;
  private static final java.util.concurrent.atomic.AtomicReference<io.javalin.Javalin> app =
      new java.util.concurrent.atomic.AtomicReference<>();
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  record Response(int status, String contentType, JsonNode body) {}

  @BeforeAll
  static void start() {
    server =
        BulwarkServer.builder(
                ServerConfig.builder()
                    .name("states")
                    .home(home)
                    .httpPort(0)
                    .jdbcUrl(pg.jdbcUrl())
                    .poolSize(8)
                    .shutdownGrace(Duration.ofSeconds(2))
                    .build())
            .migrate("states")
            .module(
                StatesHttpModule.with(
                    engine ->
                        engine
                            .task(
                                "approve",
                                r -> {
                                  tokens.add(r.taskToken());
                                  return null;
                                })
                            .historyLimit(HISTORY_LIMIT) // small, so a loop hits it fast
                            .pollInterval(Duration.ofMillis(20))))
            // registered last: sees the same Javalin app, to enumerate its routes
            .module(platform -> app::set)
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Response send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')))
            .header("Content-Type", "application/json");
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(
        r.statusCode(),
        r.headers().firstValue("Content-Type").orElse(""),
        r.body().isBlank() ? null : Json.parse(r.body()));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void runsAnExecutionThroughTheApiFromDefinitionToCallbackAndHistory() throws Exception {
    Response created =
        send(
            "POST",
            "/api/v1/state-machines",
            "{'name':'approval','definition':{'StartAt':'Ask','States':{'Ask':{'Type':'Task',"
                + "'Resource':'approve.waitForTaskToken','Parameters':{'t.$':'$$.Task.Token'},"
                + "'End':true}}}}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("version").asInt()).isEqualTo(1);

    Response started =
        send(
            "POST",
            "/api/v1/executions",
            "{'stateMachineName':'approval','name':'a1','input':{'amount':5}}");
    assertThat(started.status()).isEqualTo(201);
    String arn = started.body().get("executionArn").asText();
    assertThat(arn).endsWith(":execution:approval:a1");

    await().atMost(Duration.ofSeconds(10)).until(() -> !tokens.isEmpty());
    assertThat(send("GET", "/api/v1/executions/approval:a1", null).body().get("status").asText())
        .isEqualTo("RUNNING");
    Response ok =
        send(
            "POST",
            "/api/v1/task-tokens/" + tokens.getFirst() + "/success",
            "{'output':{'approved':true}}");
    assertThat(ok.status()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                send("GET", "/api/v1/executions/" + enc(arn), null)
                    .body()
                    .get("status")
                    .asText()
                    .equals("SUCCEEDED"));
    assertThat(send("GET", "/api/v1/executions/" + enc(arn), null).body().get("output"))
        .isEqualTo(Json.parse("{\"approved\":true}"));
    JsonNode events = send("GET", "/api/v1/executions/approval:a1/history", null).body();
    assertThat(events.get("events").get(0).get("type").asText()).isEqualTo("ExecutionStarted");
    assertThat(events.get("events").get(events.get("events").size() - 1).get("type").asText())
        .isEqualTo("ExecutionSucceeded");
    JsonNode listed = send("GET", "/api/v1/executions?status=SUCCEEDED", null).body();
    assertThat(listed.get("executions").get(0).get("executionArn").asText()).isEqualTo(arn);
  }

  record Cli(int exit, String out, String err) {}

  static Cli cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cmd = new picocli.CommandLine(new io.bulwark.states.cli.StatesCommand());
    cmd.setOut(new java.io.PrintWriter(out));
    cmd.setErr(new java.io.PrintWriter(err));
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--url";
    all[args.length + 1] = server.baseUrl();
    int exit = cmd.execute(all);
    return new Cli(exit, out.toString(), err.toString());
  }

  @Test
  void aStateLoopingOnItselfFailsAtTheHistoryLimitAndItsHistoryIsPaged() throws Exception {
    assertThat(
            send(
                    "POST",
                    "/api/v1/state-machines",
                    "{'name':'spin','definition':{'StartAt':'Again','States':{'Again':{"
                        + "'Type':'Pass','Next':'Again'}}}}")
                .status())
        .isEqualTo(201);
    assertThat(
            send("POST", "/api/v1/executions", "{'stateMachineName':'spin','name':'s1'}").status())
        .isEqualTo(201);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                !send("GET", "/api/v1/executions/spin:s1", null)
                    .body()
                    .get("status")
                    .asText()
                    .equals("RUNNING"));
    JsonNode failed = send("GET", "/api/v1/executions/spin:s1", null).body();
    assertThat(failed.get("status").asText()).isEqualTo("FAILED");
    assertThat(failed.get("error").asText()).isEqualTo("States.Runtime");
    assertThat(failed.get("cause").asText()).contains("limit of 40 history events");

    List<JsonNode> events = new java.util.ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      Response page =
          send(
              "GET",
              "/api/v1/executions/spin:s1/history?limit=15"
                  + (next == null ? "" : "&nextToken=" + enc(next)),
              null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body().get("events").size()).isBetween(1, 15);
      page.body().get("events").forEach(events::add);
      next = page.body().has("nextToken") ? page.body().get("nextToken").asText() : null;
      pages++;
    } while (next != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(events).hasSizeBetween(HISTORY_LIMIT - 3, HISTORY_LIMIT);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("id").asInt()).isEqualTo(i + 1);
    }
    assertThat(events.getLast().get("type").asText()).isEqualTo("ExecutionFailed");
    assertThat(send("GET", "/api/v1/executions/spin:s1/history", null).body().get("events"))
        .as("one page by default")
        .hasSize(events.size());

    JsonNode first = Json.parse(cli("history", "spin:s1", "--limit", "15", "--json").out());
    JsonNode second =
        Json.parse(
            cli(
                    "history",
                    "spin:s1",
                    "--limit",
                    "15",
                    "--next-token",
                    first.get("nextToken").asText(),
                    "--json")
                .out());
    assertThat(second.get("events").get(0)).isEqualTo(events.get(15));
    // for a person, the table ends with how to get the next page
    assertThat(cli("history", "spin:s1", "--limit", "15").out())
        .contains("(more events: add --next-token " + first.get("nextToken").asText() + ")");

    Response forged = send("GET", "/api/v1/executions/spin:s1/history?nextToken=bm9wZQ", null);
    assertThat(forged.status()).isEqualTo(400);
    assertThat(forged.contentType()).startsWith("application/problem+json");
    assertThat(forged.body().toString()).contains("nextToken");
  }

  @Test
  void cliSubcommandsDriveExecutionsOnTheServer() throws Exception {
    Path def =
        java.nio.file.Files.writeString(
            home.resolve("cli.asl.json"),
            "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":600,"
                + "\"End\":true}}}");
    Path input = java.nio.file.Files.writeString(home.resolve("in.json"), "{\"k\":1}");
    assertThat(cli("create", "--name", "cli", "--definition", def.toString()).exit()).isZero();
    Cli started =
        cli(
            "start",
            "--state-machine",
            "cli",
            "--name",
            "c1",
            "--input",
            input.toString(),
            "--json");
    assertThat(started.exit()).isZero();
    assertThat(Json.parse(started.out()).get("status").asText()).isEqualTo("RUNNING");
    Cli described = cli("describe", "cli:c1", "--json");
    assertThat(described.err()).isEmpty();
    assertThat(Json.parse(described.out()).get("input")).isEqualTo(Json.parse("{\"k\":1}"));
    // for a person: aligned fields, not one line of JSON
    assertThat(cli("describe", "cli:c1").out())
        .containsPattern("(?m)^status +RUNNING$")
        .containsPattern("(?m)^state machine +cli \\(version 1\\)$")
        .containsPattern("(?m)^input +\\{\"k\":1}$");
    // --input takes inline JSON too
    Cli inline =
        cli("start", "--state-machine", "cli", "--name", "c2", "--input", "{\"k\":2}", "--json");
    assertThat(Json.parse(inline.out()).get("input")).isEqualTo(Json.parse("{\"k\":2}"));
    Cli notJson = cli("start", "--state-machine", "cli", "--input", "{k:2");
    assertThat(notJson.exit()).isEqualTo(2);
    assertThat(notJson.err()).contains("--input: neither a file nor valid JSON");
    Cli listed = cli("list", "--status", "RUNNING", "--state-machine", "cli", "--json");
    assertThat(Json.parse(listed.out()).get("executions")).hasSize(2);
    assertThat(cli("list", "--state-machine", "cli").out())
        .startsWith("NAME")
        .containsPattern("(?m)^c1 +cli +RUNNING ");
    Cli stopped = cli("stop", Json.parse(started.out()).get("executionArn").asText(), "--json");
    assertThat(Json.parse(stopped.out()).get("status").asText()).isEqualTo("ABORTED");
    Cli history = cli("history", "cli:c1");
    assertThat(history.out())
        .startsWith("ID")
        .containsPattern("(?m)^1 +\\+0 ms +ExecutionStarted")
        .containsPattern("(?m) ExecutionAborted( |$)");
    assertThat(Json.parse(cli("history", "cli:c1", "--json").out()).get("events")).isNotEmpty();
    Path broken =
        java.nio.file.Files.writeString(
            home.resolve("broken.asl.json"), "{\n  \"StartAt\": \"A\",\n  oops\n}");
    Cli badDefinition = cli("create", "--name", "broken", "--definition", broken.toString());
    assertThat(badDefinition.exit()).isEqualTo(2);
    assertThat(badDefinition.err()).contains(broken + ":3:3: not valid JSON");
    Cli redrive = cli("redrive", "cli:c1");
    assertThat(redrive.exit()).isEqualTo(2);
    assertThat(redrive.err()).startsWith("bulwark: ").contains("only a FAILED execution");
    Cli missing = cli("describe", "cli:none");
    assertThat(missing.exit()).isEqualTo(2);
    picocli.CommandLine cmd = new picocli.CommandLine(new io.bulwark.states.cli.StatesCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cmd.setErr(new java.io.PrintWriter(err));
    assertThat(cmd.execute("describe", "cli:c1", "--url", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("bulwark: cannot reach")
        .contains("--url or $BULWARK_URL");
  }

  @Test
  void refusesTaskUrlsOfHostsNotAllowedAndOtherSchemesWhenTheMachineIsCreated() throws Exception {
    String inside = server.baseUrl() + "/metrics"; // the server itself, as an attacker would
    Response refused =
        send(
            "POST",
            "/api/v1/state-machines",
            "{'name':'ssrf','definition':{'StartAt':'Peek','States':{"
                + "'Peek':{'Type':'Task','Resource':'"
                + inside
                + "','Next':'Fan'},"
                + "'Fan':{'Type':'Parallel','End':true,'Branches':[{'StartAt':'F','States':{"
                + "'F':{'Type':'Task','Resource':'file:///etc/passwd','End':true}}}]}}}}");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.body().get("errors").toString())
        .contains(
            "$.States.Peek.Resource: host 127.0.0.1:"
                + server.port()
                + " is not on the HTTP task allow-list (empty: no host is allowed)")
        .contains(
            "$.States.Fan.Branches[0].States.F.Resource: only http:// and https:// task URLs"
                + " are allowed, got file:///etc/passwd");
    assertThat(send("GET", "/api/v1/executions?stateMachine=ssrf", null).body().get("executions"))
        .isEmpty();
    assertThat(
            send("POST", "/api/v1/executions", "{'stateMachineName':'ssrf','name':'x'}").status())
        .as("the machine was not created")
        .isEqualTo(404);
  }

  @Test
  void stopsAndRefusesWithProblemJson() throws Exception {
    send(
        "POST",
        "/api/v1/state-machines",
        "{'name':'sleepy','definition':{'StartAt':'W','States':{'W':{'Type':'Wait',"
            + "'Seconds':600,'End':true}}}}");
    Response first =
        send("POST", "/api/v1/executions", "{'stateMachineName':'sleepy','name':'s1'}");
    assertThat(first.status()).isEqualTo(201);
    // a replay of a running execution's start (same name and input) returns it, creating nothing
    Response replay =
        send("POST", "/api/v1/executions", "{'stateMachineName':'sleepy','name':'s1'}");
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.body().get("executionArn")).isEqualTo(first.body().get("executionArn"));
    assertThat(replay.body().get("startDate")).isEqualTo(first.body().get("startDate"));
    Response otherInput =
        send(
            "POST",
            "/api/v1/executions",
            "{'stateMachineName':'sleepy','name':'s1','input':{'a':1}}");
    assertThat(otherInput.status()).isEqualTo(409);
    Response stopped = send("POST", "/api/v1/executions/sleepy:s1/stop", "{'error':'Cancelled'}");
    assertThat(stopped.status()).isEqualTo(200);
    assertThat(stopped.body().get("status").asText()).isEqualTo("ABORTED");

    Response again = send("POST", "/api/v1/executions/sleepy:s1/stop", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
    assertThat(again.body().get("type").asText()).isEqualTo("/problems/execution-not-running");

    assertThat(
            send("POST", "/api/v1/executions", "{'stateMachineName':'sleepy','name':'s1'}")
                .status())
        .as("the name of an ended execution is taken")
        .isEqualTo(409);
    Response redrive = send("POST", "/api/v1/executions/sleepy:s1/redrive", null);
    assertThat(redrive.status()).isEqualTo(409);

    assertThat(send("GET", "/api/v1/executions/sleepy:nope", null).status()).isEqualTo(404);
    assertThat(send("POST", "/api/v1/executions", "{'stateMachineName':'none'}").status())
        .isEqualTo(404);
    Response invalid =
        send(
            "POST",
            "/api/v1/state-machines",
            "{'name':'broken','definition':{'StartAt':'X','States':{}}}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.body().get("errors")).isNotEmpty();
    assertThat(send("GET", "/api/v1/executions?status=DONE", null).status()).isEqualTo(400);
    assertThat(send("POST", "/api/v1/task-tokens/unknown/success", "{'output':{}}").status())
        .isEqualTo(404);
  }

  @Test
  void aNulCharacterAnywhereInABodyIsAProblemNeverA5xx() throws Exception {
    send(
        "POST",
        "/api/v1/state-machines",
        "{'name':'nul','definition':{'StartAt':'W','States':{'W':{'Type':'Wait',"
            + "'Seconds':600,'End':true}}}}");
    String nul = "a\\u0000b";
    List<String[]> calls =
        List.of(
            new String[] {
              "/api/v1/executions", "{'stateMachineName':'nul','input':{'x':'" + nul + "'}}"
            },
            new String[] {
              "/api/v1/executions", "{'stateMachineName':'nul','input':{'" + nul + "':1}}"
            },
            new String[] {"/api/v1/executions", "{'stateMachineName':'nul','name':'" + nul + "'}"},
            new String[] {"/api/v1/executions", "{'stateMachineName':'" + nul + "'}"},
            new String[] {"/api/v1/state-machines", "{'name':'" + nul + "','definition':{}}"},
            new String[] {
              "/api/v1/state-machines",
              "{'name':'nul2','definition':{'Comment':'"
                  + nul
                  + "','StartAt':'W','States':{'W':"
                  + "{'Type':'Pass','End':true}}}}"
            },
            new String[] {"/api/v1/task-tokens/t/failure", "{'error':'" + nul + "'}"},
            new String[] {"/api/v1/task-tokens/t/success", "{'output':'" + nul + "'}"});
    send("POST", "/api/v1/executions", "{'stateMachineName':'nul','name':'n1'}");
    List<String[]> all = new java.util.ArrayList<>(calls);
    all.add(new String[] {"/api/v1/executions/nul:n1/stop", "{'error':'" + nul + "'}"});
    for (String[] c : all) {
      Response r = send("POST", c[0], c[1]);
      assertThat(r.status()).as(c[0] + " " + c[1] + " -> " + r.body()).isBetween(400, 499);
      assertThat(r.contentType()).as(c[1]).startsWith("application/problem+json");
    }
  }

  @Test
  void theServedOpenApiDocumentDescribesExactlyTheRoutesOfAServerRunningOnlyTheEngine()
      throws Exception {
    Response r = send("GET", "/api/v1/openapi.json", null);
    assertThat(r.status()).isEqualTo(200);
    java.util.Set<String> documented = io.bulwark.http.OpenApi.operations(r.body());
    java.util.Set<String> registered = io.bulwark.http.OpenApi.routes(app.get());
    assertThat(documented)
        .isEqualTo(registered)
        .contains("POST /api/v1/task-tokens/{token}/heartbeat", "GET /health/ready")
        .noneMatch(op -> op.contains("/orders"));
    // every operation names its problems and the schemas of its answers
    JsonNode paths = r.body().get("paths");
    for (String op : documented) {
      String[] mp = op.split(" ", 2);
      JsonNode o = paths.get(mp[1]).get(mp[0].toLowerCase(java.util.Locale.ROOT));
      assertThat(o.get("operationId")).as(op).isNotNull();
      assertThat(o.get("tags")).as(op).isNotEmpty();
      if (mp[1].startsWith("/api/v1/") && !mp[1].equals("/api/v1/openapi.json")) {
        assertThat(o.get("responses").has("400")).as(op).isTrue();
      }
    }
  }
}
