package io.bulwark.states.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.states.http.StatesHttpModule;
import io.bulwark.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StateMachineType;
import software.amazon.awssdk.services.sfn.model.StateMachineTypeNotSupportedException;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;
import software.amazon.awssdk.services.sfn.model.Tag;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.sfn.model.ValidationException;

/** The real AWS SDK for Java v2 against a running server, signed with the operator's key pair. */
class StepFunctionsApiTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("states");
  @TempDir static Path home;

  static final String ACCOUNT = "123456789012";
  private static final List<String> tokens = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean broken = new AtomicBoolean(true);
  private static BulwarkServer server;
  private static final StatesHttpModule[] REST = new StatesHttpModule[1];
  private static SfnClient sfn;

  @BeforeAll
  static void start() {
    StatesHttpModule[] rest = REST;
    server =
        BulwarkServer.builder(
                ServerConfig.builder()
                    .name("sfn")
                    .home(home)
                    .httpPort(0)
                    .jdbcUrl(pg.jdbcUrl())
                    .poolSize(8)
                    .shutdownGrace(Duration.ofSeconds(2))
                    .build())
            .migrate("states")
            .module(
                platform -> {
                  rest[0] =
                      (StatesHttpModule)
                          StatesHttpModule.with(
                                  engine ->
                                      engine
                                          .task(
                                              "approve",
                                              r -> {
                                                tokens.add(r.taskToken());
                                                return null;
                                              })
                                          .task(
                                              "fragile",
                                              r -> {
                                                if (broken.get()) {
                                                  throw new IllegalStateException("broken");
                                                }
                                                return Json.parse("\"fixed\"");
                                              })
                                          .pollInterval(Duration.ofMillis(20)))
                              .apply(platform);
                  return rest[0];
                })
            .module(
                platform ->
                    new StepFunctionsApi(
                        rest[0].engine(),
                        AwsOptions.builder().accessKey("operator", "operator-password").build()))
            .start();
    sfn = client("operator", "operator-password");
  }

  @AfterAll
  static void stop() {
    sfn.close();
    server.close();
  }

  static SfnClient client(String keyId, String secret) {
    return SfnClient.builder()
        .endpointOverride(URI.create(server.baseUrl()))
        .region(Region.US_EAST_1)
        // StartSyncExecution would go to "sync-" + the endpoint's host, as on AWS
        .overrideConfiguration(
            o -> o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .build();
  }

  static String def(String json) {
    return json.replace('\'', '"');
  }

  static String create(String name, String definition) {
    CreateStateMachineResponse created =
        sfn.createStateMachine(
            b ->
                b.name(name)
                    .definition(def(definition))
                    .roleArn("arn:aws:iam::" + ACCOUNT + ":role/test"));
    return created.stateMachineArn();
  }

  static DescribeExecutionResponse awaitEnd(String executionArn) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> sfn.describeExecution(b -> b.executionArn(executionArn)),
            d -> d.status() != ExecutionStatus.RUNNING);
  }

  @Test
  void theServedOpenApiDocumentDescribesTheEndpointAndEveryActionItServes() throws Exception {
    var r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        URI.create(server.baseUrl() + "/api/v1/openapi.json"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode post = Json.parse(r.body()).at("/paths/~1/post");
    assertThat(post.get("operationId").asText()).isEqualTo("stepFunctionsAction");
    assertThat(post.at("/requestBody/content").has("application/x-amz-json-1.0")).isTrue();
    java.util.Set<String> targets = new java.util.TreeSet<>();
    post.at("/parameters/0/schema/enum").forEach(t -> targets.add(t.asText()));
    java.util.Set<String> served = new java.util.TreeSet<>();
    new Actions(REST[0].engine(), new AwsArns("us-east-1", "123456789012"))
        .byName()
        .keySet()
        .forEach(a -> served.add("AWSStepFunctions." + a));
    assertThat(targets).isEqualTo(served);
    // the engine's REST routes are there too: the server runs both
    assertThat(Json.parse(r.body()).at("/paths/~1api~1v1~1executions/post/operationId").asText())
        .isEqualTo("startExecution");
  }

  @Test
  void createsDescribesAndListsStateMachinesWithTheServicesArns() {
    String arn = create("described", "{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}");
    assertThat(arn).isEqualTo("arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:described");
    var described = sfn.describeStateMachine(b -> b.stateMachineArn(arn));
    assertThat(described.name()).isEqualTo("described");
    assertThat(described.statusAsString()).isEqualTo("ACTIVE");
    assertThat(described.typeAsString()).isEqualTo("STANDARD");
    assertThat(Json.parse(described.definition()))
        .isEqualTo(Json.parse(def("{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}")));
    assertThat(described.creationDate()).isNotNull();
    assertThat(sfn.listStateMachines(b -> b.maxResults(1000)).stateMachines())
        .anySatisfy(m -> assertThat(m.stateMachineArn()).isEqualTo(arn));
    // creating the same machine again is idempotent; another definition under its name is not
    assertThat(create("described", "{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}"))
        .isEqualTo(arn);
    assertThatThrownBy(
            () -> create("described", "{'StartAt':'Q','States':{'Q':{'Type':'Pass','End':true}}}"))
        .isInstanceOf(SfnException.class)
        .satisfies(
            e ->
                assertThat(((SfnException) e).awsErrorDetails().errorCode())
                    .isEqualTo("StateMachineAlreadyExists"));
  }

  @Test
  void updatesTagsValidatesAndDeletesStateMachines() {
    String arn =
        sfn.createStateMachine(
                b ->
                    b.name("tagged")
                        .roleArn("arn:aws:iam::" + ACCOUNT + ":role/first")
                        .definition(
                            def("{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}"))
                        .tags(Tag.builder().key("team").value("shop").build()))
            .stateMachineArn();
    sfn.tagResource(b -> b.resourceArn(arn).tags(Tag.builder().key("env").value("test").build()));
    sfn.untagResource(b -> b.resourceArn(arn).tagKeys("team"));
    assertThat(sfn.listTagsForResource(b -> b.resourceArn(arn)).tags())
        .containsExactly(Tag.builder().key("env").value("test").build());

    var updated =
        sfn.updateStateMachine(
            b ->
                b.stateMachineArn(arn)
                    .roleArn("arn:aws:iam::" + ACCOUNT + ":role/second")
                    .definition(
                        def(
                            "{'StartAt':'Q','States':{'Q':{'Type':'Pass','Result':2,'End':true}}}")));
    assertThat(updated.updateDate()).isNotNull();
    var described = sfn.describeStateMachine(b -> b.stateMachineArn(arn));
    assertThat(described.roleArn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/second");
    assertThat(Json.parse(described.definition()).path("StartAt").asText()).isEqualTo("Q");

    var validated =
        sfn.validateStateMachineDefinition(
            b ->
                b.definition(
                    def("{'StartAt':'A','States':{'A':{'Type':'Pass','Next':'Nowhere'}}}")));
    assertThat(validated.resultAsString()).isEqualTo("FAIL");
    assertThat(validated.diagnostics()).isNotEmpty();
    assertThat(validated.diagnostics().getFirst().message()).contains("Nowhere");
    assertThat(
            sfn.validateStateMachineDefinition(
                    b ->
                        b.definition(
                            def("{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}")))
                .resultAsString())
        .isEqualTo("OK");

    sfn.deleteStateMachine(b -> b.stateMachineArn(arn));
    assertThatThrownBy(() -> sfn.describeStateMachine(b -> b.stateMachineArn(arn)))
        .isInstanceOf(StateMachineDoesNotExistException.class);
    assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(arn)))
        .isInstanceOf(StateMachineDoesNotExistException.class);
    assertThat(sfn.listStateMachines(b -> b.maxResults(1000)).stateMachines())
        .noneSatisfy(m -> assertThat(m.stateMachineArn()).isEqualTo(arn));
  }

  @Test
  void startSyncExecutionRunsAnExpressMachineToItsEndAndRefusesAStandardOne() {
    String express =
        sfn.createStateMachine(
                b ->
                    b.name("express")
                        .type(StateMachineType.EXPRESS)
                        .roleArn("arn:aws:iam::" + ACCOUNT + ":role/test")
                        .definition(
                            def(
                                "{'StartAt':'P','States':{'P':{'Type':'Pass',"
                                    + "'Parameters':{'doubled.$':'States.MathAdd($.n, $.n)'},"
                                    + "'End':true}}}")))
            .stateMachineArn();
    var result = sfn.startSyncExecution(b -> b.stateMachineArn(express).input("{\"n\":21}"));
    assertThat(result.status()).isEqualTo(SyncExecutionStatus.SUCCEEDED);
    assertThat(Json.parse(result.output())).isEqualTo(Json.parse("{\"doubled\":42}"));
    assertThat(result.stopDate()).isNotNull();
    String standard =
        create("standard", "{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}");
    assertThatThrownBy(() -> sfn.startSyncExecution(b -> b.stateMachineArn(standard)))
        .isInstanceOf(StateMachineTypeNotSupportedException.class);
  }

  @Test
  void runsAnExecutionToItsEndAndPagesThroughItsLongHistoryBothWays() {
    String machine =
        create(
            "counter",
            "{'StartAt':'Count','States':{"
                + "'Count':{'Type':'Pass','Parameters':{'n.$':'States.MathAdd($.n, 1)'},"
                + "'Next':'Check'},"
                + "'Check':{'Type':'Choice','Choices':[{'Variable':'$.n','NumericLessThan':40,"
                + "'Next':'Count'}],'Default':'Done'},"
                + "'Done':{'Type':'Succeed'}}}");
    StartExecutionResponse started =
        sfn.startExecution(b -> b.stateMachineArn(machine).name("c1").input("{\"n\":0}"));
    assertThat(started.executionArn())
        .isEqualTo("arn:aws:states:us-east-1:" + ACCOUNT + ":execution:counter:c1");
    DescribeExecutionResponse done = awaitEnd(started.executionArn());
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(Json.parse(done.output())).isEqualTo(Json.parse("{\"n\":40}"));
    assertThat(done.stateMachineArn()).isEqualTo(machine);

    List<HistoryEvent> forward = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      String token = next;
      GetExecutionHistoryResponse page =
          sfn.getExecutionHistory(
              b -> b.executionArn(started.executionArn()).maxResults(25).nextToken(token));
      forward.addAll(page.events());
      next = page.nextToken();
      pages++;
    } while (next != null);
    assertThat(forward).hasSizeGreaterThan(160);
    assertThat(pages).isEqualTo((forward.size() + 24) / 25);
    assertThat(forward.getFirst().type()).isEqualTo(HistoryEventType.EXECUTION_STARTED);
    assertThat(forward.getFirst().executionStartedEventDetails().input()).isEqualTo("{\"n\":0}");
    assertThat(forward.getLast().type()).isEqualTo(HistoryEventType.EXECUTION_SUCCEEDED);
    for (int i = 0; i < forward.size(); i++) {
      assertThat(forward.get(i).id()).isEqualTo(i + 1L);
      assertThat(forward.get(i).previousEventId()).isEqualTo((long) i);
    }

    List<HistoryEvent> backward = new ArrayList<>();
    next = null;
    do {
      String token = next;
      GetExecutionHistoryResponse page =
          sfn.getExecutionHistory(
              b ->
                  b.executionArn(started.executionArn())
                      .maxResults(40)
                      .reverseOrder(true)
                      .includeExecutionData(false)
                      .nextToken(token));
      backward.addAll(page.events());
      next = page.nextToken();
    } while (next != null);
    assertThat(backward)
        .extracting(HistoryEvent::id)
        .containsExactlyElementsOf(forward.reversed().stream().map(HistoryEvent::id).toList());
    assertThat(backward.getLast().executionStartedEventDetails().input()).isNull();

    assertThat(sfn.listExecutions(b -> b.stateMachineArn(machine)).executions())
        .singleElement()
        .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED));
    var forExecution =
        sfn.describeStateMachineForExecution(b -> b.executionArn(started.executionArn()));
    assertThat(forExecution.stateMachineArn()).isEqualTo(machine);
    assertThat(forExecution.name()).isEqualTo("counter");
  }

  @Test
  void startIsIdempotentForARunningExecutionWithTheSameNameAndInput() {
    String machine =
        create(
            "waiting", "{'StartAt':'W','States':{'W':{'Type':'Wait','Seconds':600,'End':true}}}");
    String first =
        sfn.startExecution(b -> b.stateMachineArn(machine).name("w1").input("{\"a\":1}"))
            .executionArn();
    String again =
        sfn.startExecution(b -> b.stateMachineArn(machine).name("w1").input("{\"a\":1}"))
            .executionArn();
    assertThat(again).isEqualTo(first);
    assertThatThrownBy(
            () -> sfn.startExecution(b -> b.stateMachineArn(machine).name("w1").input("{\"a\":2}")))
        .isInstanceOf(ExecutionAlreadyExistsException.class);

    var stopped =
        sfn.stopExecution(b -> b.executionArn(first).error("Cancelled").cause("by the test"));
    assertThat(stopped.stopDate()).isNotNull();
    DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(first));
    assertThat(d.status()).isEqualTo(ExecutionStatus.ABORTED);
    assertThat(d.error()).isEqualTo("Cancelled");
    assertThatThrownBy(
            () -> sfn.startExecution(b -> b.stateMachineArn(machine).name("w1").input("{\"a\":1}")))
        .isInstanceOf(ExecutionAlreadyExistsException.class);
  }

  @Test
  void aWaitForTaskTokenTaskCompletesThroughSendTaskSuccess() {
    String machine =
        create(
            "approval",
            "{'StartAt':'Ask','States':{'Ask':{'Type':'Task',"
                + "'Resource':'approve.waitForTaskToken','Parameters':{'t.$':'$$.Task.Token'},"
                + "'End':true}}}");
    int before = tokens.size();
    String arn = sfn.startExecution(b -> b.stateMachineArn(machine).name("a1")).executionArn();
    await().atMost(Duration.ofSeconds(30)).until(() -> tokens.size() > before);
    String token = tokens.get(before);
    sfn.sendTaskHeartbeat(b -> b.taskToken(token));
    sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\":true}"));
    DescribeExecutionResponse done = awaitEnd(arn);
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(Json.parse(done.output())).isEqualTo(Json.parse("{\"approved\":true}"));
    assertThatThrownBy(() -> sfn.sendTaskSuccess(b -> b.taskToken(token).output("{}")))
        .isInstanceOf(TaskDoesNotExistException.class);
  }

  @Test
  void aCallbackAfterItsTaskTimedOutAnswersTaskTimedOut() {
    String machine =
        create(
            "impatient",
            "{'StartAt':'Ask','States':{'Ask':{'Type':'Task',"
                + "'Resource':'approve.waitForTaskToken','Parameters':{'t.$':'$$.Task.Token'},"
                + "'TimeoutSeconds':1,'End':true}}}");
    int before = tokens.size();
    String arn = sfn.startExecution(b -> b.stateMachineArn(machine).name("i1")).executionArn();
    await().atMost(Duration.ofSeconds(30)).until(() -> tokens.size() > before);
    String token = tokens.get(before);
    DescribeExecutionResponse failed = awaitEnd(arn);
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.error()).isEqualTo("States.Timeout");
    assertThatThrownBy(() -> sfn.sendTaskSuccess(b -> b.taskToken(token).output("{}")))
        .isInstanceOf(TaskTimedOutException.class)
        .hasMessageContaining("timed out");
    assertThatThrownBy(() -> sfn.sendTaskHeartbeat(b -> b.taskToken(token)))
        .isInstanceOf(TaskTimedOutException.class);
  }

  @Test
  void redrivesAFailedExecutionFromTheStateThatFailed() {
    String machine =
        create(
            "redrivable",
            "{'StartAt':'A','States':{'A':{'Type':'Pass','Next':'B'},"
                + "'B':{'Type':'Task','Resource':'fragile','End':true}}}");
    String arn = sfn.startExecution(b -> b.stateMachineArn(machine).name("r1")).executionArn();
    DescribeExecutionResponse failed = awaitEnd(arn);
    assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(failed.redriveStatusAsString()).isEqualTo("REDRIVABLE");
    broken.set(false);
    assertThat(sfn.redriveExecution(b -> b.executionArn(arn)).redriveDate()).isNotNull();
    DescribeExecutionResponse done = awaitEnd(arn);
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.redriveCount()).isEqualTo(1);
    assertThatThrownBy(() -> sfn.redriveExecution(b -> b.executionArn(arn)))
        .isInstanceOf(SfnException.class)
        .satisfies(
            e ->
                assertThat(((SfnException) e).awsErrorDetails().errorCode())
                    .isEqualTo("ExecutionNotRedrivable"));
  }

  @Test
  void badInputAnswersTheServicesErrorShapes() {
    String missing = "arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:nope";
    assertThatThrownBy(() -> sfn.describeStateMachine(b -> b.stateMachineArn(missing)))
        .isInstanceOf(StateMachineDoesNotExistException.class)
        .hasMessageContaining(missing);
    assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(missing)))
        .isInstanceOf(StateMachineDoesNotExistException.class);
    assertThatThrownBy(
            () ->
                sfn.createStateMachine(
                    b ->
                        b.name("broken")
                            .roleArn("arn:aws:iam::" + ACCOUNT + ":role/test")
                            .definition(
                                def(
                                    "{'StartAt':'A','States':{'A':{'Type':'Pass',"
                                        + "'Next':'Missing'}}}"))))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining("Missing");
    assertThatThrownBy(() -> sfn.describeExecution(b -> b.executionArn("not-an-arn")))
        .isInstanceOf(InvalidArnException.class);
    assertThatThrownBy(
            () ->
                sfn.describeExecution(
                    b ->
                        b.executionArn(
                            "arn:aws:states:us-east-1:" + ACCOUNT + ":execution:nope:x")))
        .isInstanceOf(ExecutionDoesNotExistException.class);
    assertThatThrownBy(() -> sfn.sendTaskSuccess(b -> b.taskToken("no-such-token").output("{}")))
        .isInstanceOf(TaskDoesNotExistException.class);
    assertThatThrownBy(() -> sfn.listStateMachines(b -> b.maxResults(5000)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("maxResults");
  }

  /**
   * The AWS CLI (Debian's awscli, installed by .ci/prerequisites.sh) through the same flow as the
   * SDK: what it prints is what the SDK saw. Fails, never skips, when {@code aws} is missing.
   */
  @Test
  void theAwsCliDrivesTheSameFlowAndPrintsWhatTheSdkSees() throws Exception {
    JsonNode created =
        aws(
                "create-state-machine",
                "--name",
                "cli-approval",
                "--role-arn",
                "arn:aws:iam::" + ACCOUNT + ":role/test",
                "--definition",
                def(
                    "{'StartAt':'Ask','States':{'Ask':{'Type':'Task',"
                        + "'Resource':'approve.waitForTaskToken',"
                        + "'Parameters':{'t.$':'$$.Task.Token'},'End':true}}}"))
            .json();
    String machine = created.path("stateMachineArn").asText();
    assertThat(machine)
        .isEqualTo("arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:cli-approval");
    int before = tokens.size();
    JsonNode started =
        aws(
                "start-execution",
                "--state-machine-arn",
                machine,
                "--name",
                "cli1",
                "--input",
                "{\"order\":7}")
            .json();
    String arn = started.path("executionArn").asText();
    await().atMost(Duration.ofSeconds(30)).until(() -> tokens.size() > before);
    aws("send-task-success", "--task-token", tokens.get(before), "--task-output", "{\"ok\":true}")
        .json();
    DescribeExecutionResponse sdk = awaitEnd(arn);

    JsonNode cli = aws("describe-execution", "--execution-arn", arn).json();
    assertThat(cli.path("executionArn").asText()).isEqualTo(sdk.executionArn());
    assertThat(cli.path("stateMachineArn").asText()).isEqualTo(sdk.stateMachineArn());
    assertThat(cli.path("name").asText()).isEqualTo(sdk.name());
    assertThat(cli.path("status").asText()).isEqualTo(sdk.statusAsString()).isEqualTo("SUCCEEDED");
    assertThat(cli.path("input").asText()).isEqualTo(sdk.input());
    assertThat(cli.path("output").asText()).isEqualTo(sdk.output());
    assertThat(instant(cli.path("startDate"))).isEqualTo(sdk.startDate());
    assertThat(instant(cli.path("stopDate"))).isEqualTo(sdk.stopDate());
    assertThat(instant(started.path("startDate"))).isEqualTo(sdk.startDate());

    List<HistoryEvent> sdkHistory =
        sfn.getExecutionHistory(b -> b.executionArn(arn).reverseOrder(true)).events();
    JsonNode cliHistory =
        aws("get-execution-history", "--execution-arn", arn, "--reverse-order").json();
    assertThat(cliHistory.path("events")).hasSize(sdkHistory.size());
    for (int i = 0; i < sdkHistory.size(); i++) {
      JsonNode e = cliHistory.path("events").get(i);
      assertThat(e.path("id").asLong()).isEqualTo(sdkHistory.get(i).id());
      assertThat(e.path("type").asText()).isEqualTo(sdkHistory.get(i).typeAsString());
      assertThat(instant(e.path("timestamp"))).isEqualTo(sdkHistory.get(i).timestamp());
    }

    CliResult missing =
        aws(
            "describe-execution",
            "--execution-arn",
            "arn:aws:states:us-east-1:" + ACCOUNT + ":execution:cli-approval:nope");
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.stderr()).contains("ExecutionDoesNotExist");
  }

  record CliResult(int exit, String stdout, String stderr) {
    JsonNode json() {
      assertThat(exit).as("aws failed: %s", stderr).isZero();
      return stdout.isBlank() ? Json.object() : Json.parse(stdout);
    }
  }

  /** Runs {@code aws stepfunctions <args>} against the server, signed with the operator's keys. */
  static CliResult aws(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "aws",
                "stepfunctions",
                "--endpoint-url",
                server.baseUrl(),
                "--region",
                "us-east-1",
                "--output",
                "json"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("AWS_ACCESS_KEY_ID", "operator");
    pb.environment().put("AWS_SECRET_ACCESS_KEY", "operator-password");
    pb.environment().put("AWS_CONFIG_FILE", home.resolve("no-aws-config").toString());
    pb.environment()
        .put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-aws-credentials").toString());
    pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    pb.environment().put("AWS_PAGER", "");
    pb.environment().remove("AWS_PROFILE");
    pb.environment().remove("AWS_SESSION_TOKEN");
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      return new CliResult(
          127,
          "",
          "the AWS CLI is not installed (apt-get install awscli, as .ci/prerequisites.sh does): "
              + e.getMessage());
    }
    var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String stdout = read(p.getInputStream());
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("aws finished").isTrue();
    return new CliResult(p.exitValue(), stdout, stderr.join());
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A date as the CLI prints it: epoch seconds, or ISO-8601 with an offset. */
  private static java.time.Instant instant(JsonNode n) {
    if (n.isNumber()) {
      return java.time.Instant.ofEpochMilli(n.decimalValue().movePointRight(3).longValue());
    }
    return java.time.OffsetDateTime.parse(n.asText()).toInstant();
  }

  @Test
  void anActionThisEndpointDoesNotServeAnswersUnknownOperationNamingIt() throws Exception {
    String body = "{\"name\":\"worker\"}";
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/"))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    SdkSigning.sign(
            URI.create(server.baseUrl() + "/"),
            "AWSStepFunctions.CreateActivity",
            body,
            "operator",
            "operator-password",
            "us-east-1",
            java.time.Clock.systemUTC())
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<String> r =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.0");
    JsonNode answer = Json.parse(r.body());
    assertThat(answer.path("__type").asText()).isEqualTo("UnknownOperationException");
    assertThat(answer.path("message").asText()).contains("CreateActivity");
  }

  @Test
  void refusesRequestsNotSignedWithAConfiguredKey() throws Exception {
    try (SfnClient wrongSecret = client("operator", "not-the-password");
        SfnClient unknownKey = client("stranger", "operator-password")) {
      assertThatThrownBy(() -> wrongSecret.listStateMachines(b -> {}))
          .isInstanceOf(SfnException.class)
          .satisfies(
              e -> {
                assertThat(((SfnException) e).statusCode()).isEqualTo(403);
                assertThat(((SfnException) e).awsErrorDetails().errorCode())
                    .isEqualTo("InvalidSignatureException");
              });
      assertThatThrownBy(() -> unknownKey.listStateMachines(b -> {}))
          .isInstanceOf(SfnException.class)
          .satisfies(
              e ->
                  assertThat(((SfnException) e).awsErrorDetails().errorCode())
                      .isEqualTo("UnrecognizedClientException"));
    }
    HttpResponse<String> unsigned =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/"))
                    .header("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
                    .header("Content-Type", "application/x-amz-json-1.0")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(unsigned.statusCode()).isEqualTo(403);
    JsonNode body = Json.parse(unsigned.body());
    assertThat(body.path("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
  }
}
