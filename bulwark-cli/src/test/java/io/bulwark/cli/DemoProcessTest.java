package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.topology.TopologyFile;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code bulwark demo} as a real process, the way a user does, and stops it with SIGTERM. */
class DemoProcessTest {

  @TempDir Path home;

  @Test
  void servesTheSeededShopAndLeavesNoProcessBehindOnSigterm() throws Exception {
    Process demo = DemoProcess.start(home);
    try {
      String url = DemoProcess.url(demo);
      assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);

      HttpResponse<String> login =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"username\":\"admin\",\"password\":\"admin-secret-1\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).isEqualTo(200);
      String token = Json.parse(login.body()).get("accessToken").asText();
      JsonNode products =
          Json.parse(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "/api/v1/products"))
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      JsonNode items = products.isArray() ? products : products.get("items");
      assertThat(items.size()).isGreaterThanOrEqualTo(30);

      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "/api/v1/executions")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("the state-machine API needs a login")
          .isEqualTo(401);
      String customer =
          Json.parse(
                  http.send(
                          HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                              .header("Content-Type", "application/json")
                              .POST(
                                  HttpRequest.BodyPublishers.ofString(
                                      "{\"username\":\"demo\",\"password\":\"demo-password\"}"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .get("accessToken")
              .asText();
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(url + "/api/v1/executions"))
                          .header("Authorization", "Bearer " + customer)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("customers may not run state machines")
          .isEqualTo(403);
      HttpResponse<String> executions =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/api/v1/executions"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(executions.statusCode()).as("admins use the state-machine API").isEqualTo(200);

      // An order runs the seed's saga on the engine; its execution is named by the order id.
      HttpResponse<String> placed =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/api/v1/orders"))
                  .header("Authorization", "Bearer " + customer)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"items\":[{\"sku\":\""
                              + items.get(0).get("sku").asText()
                              + "\",\"quantity\":1}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(placed.statusCode()).isEqualTo(202);
      String orderId = Json.parse(placed.body()).get("id").asText();
      assertThat(Json.parse(placed.body()).get("sagaExecutionArn").asText())
          .isEqualTo("arn:aws:states:local:000000000000:execution:order-saga:" + orderId);
      HttpRequest saga =
          HttpRequest.newBuilder(URI.create(url + "/api/v1/executions/order-saga:" + orderId))
              .header("Authorization", "Bearer " + token)
              .build();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Json.parse(http.send(saga, HttpResponse.BodyHandlers.ofString()).body())
                      .path("status")
                      .asText()
                      .equals("SUCCEEDED"));
      String history =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create(url + "/api/v1/executions/order-saga:" + orderId + "/history"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(history).contains("ReserveInventory", "ProcessPayment", "ConfirmOrder");

      // the Step Functions API, signed with the demo operator's credentials, as the banner says
      assertThat(Files.readString(home.resolve("stderr.txt")))
          .contains("AWS_ACCESS_KEY_ID=operator AWS_SECRET_ACCESS_KEY=operator-password aws")
          .contains("operator / operator-password (operator");
      assertThat(DemoProcess.stateMachinesListedByTheAwsCli(url, home)).contains("order-saga");

      drRunbookStepsWaitForTheOperator(http, url, token);
      List<ProcessHandle> children = demo.toHandle().descendants().toList();
      assertThat(children).isNotEmpty(); // the payment-gateway simulator

      long postgresPid =
          Long.parseLong(Files.readAllLines(home.resolve("demo/pg/postmaster.pid")).get(0).trim());
      assertThat(ProcessHandle.of(postgresPid)).isPresent();

      demo.destroy(); // SIGTERM
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ProcessHandle.of(postgresPid).map(p -> !p.isAlive()).orElse(true));
      assertThat(home.resolve("demo/pg/postmaster.pid")).doesNotExist();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
      assertThat(Files.readString(home.resolve("stderr.txt"))).contains("stopping");
    } finally {
      demo.destroyForcibly();
    }
  }

  /**
   * The DR runbook as a state machine runs on the demo's engine: its first step waits for the
   * operator, whose token is in the history, and moves on once the operator sends it back.
   */
  private void drRunbookStepsWaitForTheOperator(HttpClient http, String url, String admin)
      throws Exception {
    Path topology = Path.of("../examples/pilot-light.yaml");
    if (!Files.exists(topology)) {
      topology = Path.of("examples/pilot-light.yaml");
    }
    ObjectNode create = Json.object();
    create.put("name", "dr-pilot-light");
    create.set(
        "definition",
        RunbookAsl.of(
            Runbook.of(TopologyFile.load(topology), topology.toString(), Clock.systemUTC())));
    assertThat(
            DemoProcess.send(
                    http, "POST", url + "/api/v1/state-machines", admin, Json.write(create))
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> started =
        DemoProcess.send(
            http,
            "POST",
            url + "/api/v1/executions",
            admin,
            "{\"stateMachineName\":\"dr-pilot-light\",\"name\":\"drill-1\",\"input\":{}}");
    assertThat(started.statusCode()).isEqualTo(201);
    String execution = url + "/api/v1/executions/dr-pilot-light:drill-1";
    // the task's parameters are a JSON string inside the history event: quotes come escaped
    Pattern tokenInHistory = Pattern.compile("\\\\?\"taskToken\\\\?\"\\s*:\\s*\\\\?\"([^\"\\\\]+)");
    String[] token = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Matcher m =
                  tokenInHistory.matcher(
                      DemoProcess.send(http, "GET", execution + "/history", admin, null).body());
              return m.find() && (token[0] = m.group(1)) != null;
            });
    assertThat(
            Json.parse(DemoProcess.send(http, "GET", execution, admin, null).body())
                .get("status")
                .asText())
        .isEqualTo("RUNNING");
    assertThat(
            DemoProcess.send(
                    http,
                    "POST",
                    url + "/api/v1/task-tokens/" + token[0] + "/success",
                    admin,
                    "{\"output\":{\"doneBy\":\"operator\"}}")
                .statusCode())
        .isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                DemoProcess.send(http, "GET", execution + "/history", admin, null)
                    .body()
                    .contains("2 fence"));
  }
}
