package io.bulwark.states.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.StateMachine;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.states.durable.MachineAttributes;
import io.bulwark.states.durable.StateMachineVersion;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.internal.PageTokens;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The Step Functions actions on the durable engine: each takes the request's members and answers
 * the response's, shaped as the service documents them (strings for JSON documents, epoch seconds
 * for dates, the service's ARNs).
 */
final class Actions {
  /** The most a page may hold (ListExecutions, GetExecutionHistory, ListStateMachines). */
  private static final int MAX_PAGE = 1000;

  private static final int DEFAULT_PAGE = 100;
  private static final Duration SYNC_LIMIT = Duration.ofMinutes(5);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,80}");

  private final Engine engine;
  private final AwsArns arns;

  Actions(Engine engine, AwsArns arns) {
    this.engine = engine;
    this.arns = arns;
  }

  /** The actions by name. */
  Map<String, Function<Members, ObjectNode>> byName() {
    return Map.ofEntries(
        Map.entry("CreateStateMachine", this::createStateMachine),
        Map.entry("DescribeStateMachine", this::describeStateMachine),
        Map.entry("UpdateStateMachine", this::updateStateMachine),
        Map.entry("ListStateMachines", this::listStateMachines),
        Map.entry("ValidateStateMachineDefinition", this::validateDefinition),
        Map.entry("StartExecution", this::startExecution),
        Map.entry("DescribeExecution", this::describeExecution),
        Map.entry("ListExecutions", this::listExecutions),
        Map.entry("StopExecution", this::stopExecution),
        Map.entry("RedriveExecution", this::redriveExecution),
        Map.entry("GetExecutionHistory", this::getExecutionHistory),
        Map.entry("DescribeStateMachineForExecution", this::describeStateMachineForExecution),
        Map.entry("SendTaskSuccess", this::sendTaskSuccess),
        Map.entry("SendTaskFailure", this::sendTaskFailure),
        Map.entry("SendTaskHeartbeat", this::sendTaskHeartbeat),
        Map.entry("DeleteStateMachine", this::deleteStateMachine),
        Map.entry("StartSyncExecution", this::startSyncExecution),
        Map.entry("TagResource", this::tagResource),
        Map.entry("UntagResource", this::untagResource),
        Map.entry("ListTagsForResource", this::listTagsForResource));
  }

  // --- state machines ---------------------------------------------------------------------

  private ObjectNode createStateMachine(Members in) {
    String name = name("name", in.required("name"));
    String definition = in.required("definition");
    MachineAttributes attributes = new MachineAttributes(type(in), in.optional("roleArn"));
    Map<String, String> tags = tags(in.node("tags"));
    StateMachineVersion existing = findMachine(name);
    if (existing != null
        && (!existing.definition().equals(parseDefinition(definition))
            || !engine.stateMachineAttributes(name).equals(attributes))) {
      throw AwsError.of(
          "StateMachineAlreadyExists",
          "State Machine Already Exists: '"
              + arns.stateMachine(name)
              + "' (with another definition, type or role)");
    }
    StateMachineVersion created = create(name, definition, attributes);
    if (!tags.isEmpty()) {
      engine.tagResource(Engine.stateMachineArn(name), tags);
    }
    ObjectNode out = Json.object();
    out.put("stateMachineArn", arns.stateMachine(name));
    out.put("creationDate", epoch(firstVersion(created).creationDate()));
    return out;
  }

  private ObjectNode describeStateMachine(Members in) {
    StateMachineVersion sm = machine(in.required("stateMachineArn"));
    ObjectNode out = machineShape(sm);
    out.put("status", "ACTIVE");
    out.put("type", engine.stateMachineAttributes(sm.name()).type());
    out.put("creationDate", epoch(firstVersion(sm).creationDate()));
    return out;
  }

  private ObjectNode updateStateMachine(Members in) {
    StateMachineVersion sm = machine(in.required("stateMachineArn"));
    String definition = in.optional("definition");
    String roleArn = in.optional("roleArn");
    MachineAttributes attributes = engine.stateMachineAttributes(sm.name());
    if (definition == null && roleArn == null) {
      throw AwsError.of(
          "MissingRequiredParameter", "UpdateStateMachine needs a definition or a roleArn");
    }
    if (roleArn != null) {
      attributes = new MachineAttributes(attributes.type(), roleArn);
    }
    StateMachineVersion updated =
        create(sm.name(), definition == null ? sm.definition().toString() : definition, attributes);
    ObjectNode out = Json.object();
    out.put("updateDate", epoch(updated.creationDate()));
    out.put("revisionId", Integer.toString(updated.version()));
    return out;
  }

  private ObjectNode listStateMachines(Members in) {
    int max = pageSize(in);
    List<StateMachineVersion> all = engine.listStateMachines();
    int from = offset(in.optional("nextToken"), "machines");
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("stateMachines");
    for (int i = from; i < Math.min(all.size(), from + max); i++) {
      StateMachineVersion sm = all.get(i);
      ObjectNode m = list.addObject();
      m.put("stateMachineArn", arns.stateMachine(sm.name()));
      m.put("name", sm.name());
      m.put("type", engine.stateMachineAttributes(sm.name()).type());
      m.put("creationDate", epoch(firstVersion(sm).creationDate()));
    }
    if (from + max < all.size()) {
      out.put("nextToken", token(from + max, "machines"));
    }
    return out;
  }

  private ObjectNode validateDefinition(Members in) {
    String definition = in.required("definition");
    type(in);
    List<String> errors;
    try {
      errors = StateMachine.validate(Json.mapper().readTree(definition));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      errors = List.of("$: definition is not valid JSON: " + e.getOriginalMessage());
    }
    ObjectNode out = Json.object();
    out.put("result", errors.isEmpty() ? "OK" : "FAIL");
    ArrayNode diagnostics = out.putArray("diagnostics");
    for (String error : errors) {
      int colon = error.indexOf(": ");
      ObjectNode d = diagnostics.addObject();
      d.put("severity", "ERROR");
      d.put("code", "SCHEMA_VALIDATION_FAILED");
      d.put("message", colon < 0 ? error : error.substring(colon + 2));
      d.put("location", colon < 0 ? "/" : pointer(error.substring(0, colon)));
    }
    out.put("truncated", false);
    return out;
  }

  private ObjectNode deleteStateMachine(Members in) {
    String name = arns.machineName("stateMachineArn", in.required("stateMachineArn"));
    try {
      engine.deleteStateMachine(name);
    } catch (StatesException.NotFound gone) {
      // the service answers a delete of a machine that does not exist with success
    }
    return Json.object();
  }

  private ObjectNode tagResource(Members in) {
    StateMachineVersion sm = taggable(in.required("resourceArn"));
    Map<String, String> tags = tags(in.node("tags"));
    if (in.node("tags") == null) {
      throw AwsError.validation("tags", null, "Member must not be null");
    }
    engine.tagResource(Engine.stateMachineArn(sm.name()), tags);
    return Json.object();
  }

  private ObjectNode untagResource(Members in) {
    StateMachineVersion sm = taggable(in.required("resourceArn"));
    JsonNode keys = in.node("tagKeys");
    if (keys == null || !keys.isArray()) {
      throw AwsError.validation("tagKeys", keys, "Member must be a list of tag keys");
    }
    List<String> list = new ArrayList<>();
    for (JsonNode k : keys) {
      if (!k.isTextual()) {
        throw AwsError.validation("tagKeys", k, "Member must be a list of strings");
      }
      list.add(k.asText());
    }
    engine.untagResource(Engine.stateMachineArn(sm.name()), list);
    return Json.object();
  }

  private ObjectNode listTagsForResource(Members in) {
    StateMachineVersion sm = taggable(in.required("resourceArn"));
    ObjectNode out = Json.object();
    ArrayNode tags = out.putArray("tags");
    engine
        .tags(Engine.stateMachineArn(sm.name()))
        .forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
    return out;
  }

  /** The state machine {@code arn} names; throws InvalidArn or ResourceNotFound. */
  private StateMachineVersion taggable(String arn) {
    String name = arns.machineName("resourceArn", arn);
    StateMachineVersion sm = findMachine(name);
    if (sm == null) {
      throw AwsError.of("ResourceNotFound", "Resource not found: '" + arn + "'");
    }
    return sm;
  }

  private static Map<String, String> tags(JsonNode tags) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    if (!tags.isArray()) {
      throw AwsError.validation("tags", tags, "Member must be a list of {key, value}");
    }
    for (JsonNode t : tags) {
      JsonNode key = t.get("key");
      if (key == null
          || !key.isTextual()
          || key.asText().isEmpty()
          || key.asText().length() > 128) {
        throw AwsError.validation("tags.member.key", key, "Member must be 1-128 characters");
      }
      JsonNode value = t.get("value");
      if (value != null && (!value.isTextual() || value.asText().length() > 256)) {
        throw AwsError.validation("tags.member.value", value, "Member must be 0-256 characters");
      }
      out.put(key.asText(), value == null ? "" : value.asText());
    }
    if (out.size() > 50) {
      throw AwsError.of("TooManyTags", "Too many tags: " + out.size() + " (at most 50)");
    }
    return out;
  }

  // --- executions ---------------------------------------------------------------------------

  /**
   * Runs an execution of an EXPRESS machine to its end and answers its outcome. It runs on the
   * durable engine like every execution (so its history stays readable); the call waits up to five
   * minutes, the service's limit for synchronous executions, then stops it as TIMED_OUT.
   */
  private ObjectNode startSyncExecution(Members in) {
    String arn = in.required("stateMachineArn");
    StateMachineVersion sm = machine(arn);
    if (!"EXPRESS".equals(engine.stateMachineAttributes(sm.name()).type())) {
      throw AwsError.of(
          "StateMachineTypeNotSupported",
          "This operation is not supported by this type of state machine: '"
              + arn
              + "' is STANDARD; StartSyncExecution runs EXPRESS machines");
    }
    ObjectNode started = startExecution(in);
    String executionArn = started.get("executionArn").asText();
    String engineArn = arns.engineExecution("executionArn", executionArn);
    long deadline = System.nanoTime() + SYNC_LIMIT.toNanos();
    long pause = TimeUnit.MILLISECONDS.toNanos(5);
    Execution e = engine.describe(engineArn);
    while (e.status() == ExecutionStatus.RUNNING) {
      if (System.nanoTime() - deadline > 0) {
        e = engine.stop(engineArn, "States.Timeout", "StartSyncExecution waited 5 minutes");
        break;
      }
      LockSupport.parkNanos(pause);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + executionArn);
      }
      pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(200));
      e = engine.describe(engineArn);
    }
    ObjectNode out = Json.object();
    out.put("executionArn", executionArn);
    out.put("stateMachineArn", arns.stateMachine(sm.name()));
    out.put("name", e.name());
    out.put("startDate", epoch(e.startDate()));
    out.put("stopDate", epoch(e.stopDate()));
    out.put("status", e.status() == ExecutionStatus.ABORTED ? "TIMED_OUT" : e.status().name());
    dataAndOutcome(out, e);
    ObjectNode billing = out.putObject("billingDetails");
    billing.put("billedMemoryUsedInMB", 64);
    billing.put(
        "billedDurationInMilliseconds",
        Math.max(100, Duration.between(e.startDate(), e.stopDate()).toMillis()));
    return out;
  }

  private ObjectNode startExecution(Members in) {
    String machine = arns.machineName("stateMachineArn", in.required("stateMachineArn"));
    String name = in.optional("name");
    if (name != null) {
      name("name", name);
    }
    JsonNode input = json(in.optional("input"), "InvalidExecutionInput", "input");
    in.optional("traceHeader");
    Execution e;
    try {
      e = engine.start(machine, name, input);
    } catch (StatesException.NotFound missing) {
      throw AwsError.of(
          "StateMachineDoesNotExist",
          "State Machine Does Not Exist: '" + arns.stateMachine(machine) + "'",
          missing);
    } catch (StatesException.Conflict taken) {
      throw AwsError.of(
          "ExecutionAlreadyExists",
          "Execution Already Exists: '"
              + arns.execution(machine, name)
              + "' (it has ended, or runs with another input)",
          taken);
    }
    ObjectNode out = Json.object();
    out.put("executionArn", arns.fromEngine(e.executionArn()));
    out.put("startDate", epoch(e.startDate()));
    return out;
  }

  private ObjectNode describeExecution(Members in) {
    Execution e = execution(in.required("executionArn"));
    ObjectNode out = Json.object();
    out.put("executionArn", arns.fromEngine(e.executionArn()));
    out.put("stateMachineArn", arns.stateMachine(e.stateMachineName()));
    out.put("name", e.name());
    out.put("status", e.status().name());
    out.put("startDate", epoch(e.startDate()));
    if (e.stopDate() != null) {
      out.put("stopDate", epoch(e.stopDate()));
    }
    dataAndOutcome(out, e);
    out.put("redriveCount", e.redriveCount());
    if (e.status() == ExecutionStatus.FAILED) {
      out.put("redriveStatus", "REDRIVABLE");
    } else {
      out.put("redriveStatus", "NOT_REDRIVABLE");
      out.put(
          "redriveStatusReason",
          e.status() == ExecutionStatus.RUNNING
              ? "Execution is RUNNING and cannot be redriven"
              : "Execution is " + e.status() + "; only FAILED executions can be redriven");
    }
    return out;
  }

  private ObjectNode listExecutions(Members in) {
    String machine = arns.machineName("stateMachineArn", in.required("stateMachineArn"));
    if (findMachine(machine) == null) {
      throw machineMissing(machine, null);
    }
    String statusFilter = in.optional("statusFilter");
    ExecutionStatus status = null;
    boolean none = false;
    if (statusFilter != null) {
      if ("PENDING_REDRIVE".equals(statusFilter)) {
        none = true; // redrives start at once: none is ever pending
      } else {
        try {
          status = ExecutionStatus.valueOf(statusFilter);
        } catch (IllegalArgumentException e) {
          throw AwsError.validation(
              "statusFilter",
              statusFilter,
              "Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT,"
                  + " ABORTED, PENDING_REDRIVE]");
        }
      }
    }
    int max = pageSize(in);
    String key = "executions:" + machine + ":" + statusFilter;
    int from = offset(in.optional("nextToken"), key);
    List<Execution> all = none ? List.of() : engine.list(status, machine, MAX_PAGE);
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("executions");
    for (int i = from; i < Math.min(all.size(), from + max); i++) {
      Execution e = all.get(i);
      ObjectNode x = list.addObject();
      x.put("executionArn", arns.fromEngine(e.executionArn()));
      x.put("stateMachineArn", arns.stateMachine(e.stateMachineName()));
      x.put("name", e.name());
      x.put("status", e.status().name());
      x.put("startDate", epoch(e.startDate()));
      if (e.stopDate() != null) {
        x.put("stopDate", epoch(e.stopDate()));
      }
      x.put("redriveCount", e.redriveCount());
    }
    if (from + max < all.size()) {
      out.put("nextToken", token(from + max, key));
    }
    return out;
  }

  private ObjectNode stopExecution(Members in) {
    String arn = executionArn(in.required("executionArn"));
    String error = in.optional("error");
    String cause = in.optional("cause");
    Execution stopped;
    try {
      stopped = engine.stop(arn, error, cause);
    } catch (StatesException.Conflict ended) {
      // the service answers a stop of an execution that has ended with its stop date
      stopped = engine.describe(arn);
    }
    ObjectNode out = Json.object();
    out.put("stopDate", epoch(stopped.stopDate()));
    return out;
  }

  private ObjectNode redriveExecution(Members in) {
    String arn = executionArn(in.required("executionArn"));
    in.optional("clientToken");
    Execution e;
    try {
      e = engine.redrive(arn);
    } catch (StatesException.Conflict c) {
      throw AwsError.of(
          "ExecutionNotRedrivable",
          "Execution " + arns.fromEngine(arn) + " cannot be redriven: " + c.getMessage(),
          c);
    }
    ObjectNode out = Json.object();
    out.put("redriveDate", epoch(latestRedrive(e)));
    return out;
  }

  private ObjectNode getExecutionHistory(Members in) {
    String arn = executionArn(in.required("executionArn"));
    int max = pageSize(in);
    boolean reverse = in.bool("reverseOrder", false);
    boolean data = in.bool("includeExecutionData", true);
    String key = "history:" + arn + ":" + reverse;
    int from = offset(in.optional("nextToken"), key);
    List<HistoryEvent> events = engine.history(arn);
    if (reverse) {
      events = events.reversed();
    }
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("events");
    for (int i = from; i < Math.min(events.size(), from + max); i++) {
      list.add(event(events.get(i), data));
    }
    if (from + max < events.size()) {
      out.put("nextToken", token(from + max, key));
    }
    return out;
  }

  private ObjectNode describeStateMachineForExecution(Members in) {
    String arn = executionArn(in.required("executionArn"));
    Execution e = engine.describe(arn);
    StateMachineVersion sm = engine.stateMachine(e.stateMachineName(), e.stateMachineVersion());
    ObjectNode out = machineShape(sm);
    out.put("updateDate", epoch(sm.creationDate()));
    return out;
  }

  // --- task callbacks -------------------------------------------------------------------------

  private ObjectNode sendTaskSuccess(Members in) {
    String token = in.required("taskToken");
    JsonNode output = json(in.required("output"), "InvalidOutput", "output");
    task(() -> engine.sendTaskSuccess(token, output));
    return Json.object();
  }

  private ObjectNode sendTaskFailure(Members in) {
    String token = in.required("taskToken");
    String error = in.optional("error");
    String cause = in.optional("cause");
    task(() -> engine.sendTaskFailure(token, error, cause));
    return Json.object();
  }

  private ObjectNode sendTaskHeartbeat(Members in) {
    String token = in.required("taskToken");
    task(() -> engine.sendTaskHeartbeat(token));
    return Json.object();
  }

  private static void task(Runnable callback) {
    try {
      callback.run();
    } catch (StatesException.NotFound e) {
      throw AwsError.of("TaskDoesNotExist", "Task Does Not Exist: " + e.getMessage(), e);
    } catch (StatesException.TimedOut e) {
      throw AwsError.of("TaskTimedOut", "Task Timed Out: " + e.getMessage(), e);
    }
  }

  // --- shapes and lookups ------------------------------------------------------------------

  /** The input, the output of a successful execution, and the error and cause of a failed one. */
  private static void dataAndOutcome(ObjectNode out, Execution e) {
    out.put("input", e.input().toString());
    out.putObject("inputDetails").put("included", true);
    if (e.status() == ExecutionStatus.SUCCEEDED && e.output() != null) {
      out.put("output", e.output().toString());
      out.putObject("outputDetails").put("included", true);
    }
    if (e.error() != null) {
      out.put("error", e.error());
    }
    if (e.cause() != null) {
      out.put("cause", e.cause());
    }
  }

  private ObjectNode machineShape(StateMachineVersion sm) {
    ObjectNode out = Json.object();
    out.put("stateMachineArn", arns.stateMachine(sm.name()));
    out.put("name", sm.name());
    out.put("definition", sm.definition().toString());
    String role = engine.stateMachineAttributes(sm.name()).roleArn();
    out.put("roleArn", role == null ? arns.defaultRole() : role);
    out.put("revisionId", Integer.toString(sm.version()));
    ObjectNode logging = out.putObject("loggingConfiguration");
    logging.put("level", "OFF");
    logging.put("includeExecutionData", false);
    out.putObject("tracingConfiguration").put("enabled", false);
    return out;
  }

  private ObjectNode event(HistoryEvent h, boolean data) {
    ObjectNode e = Json.object();
    e.put("timestamp", epoch(h.timestamp()));
    e.put("type", h.type());
    e.put("id", h.id());
    e.put("previousEventId", h.previousEventId());
    if (h.details() != null && h.details().isObject()) {
      h.details()
          .properties()
          .forEach(
              f -> {
                ObjectNode details = (ObjectNode) arns.fromEngine(f.getValue());
                if ("executionStartedEventDetails".equals(f.getKey())) {
                  details.remove("stateMachineArn");
                  details.put("roleArn", arns.defaultRole());
                }
                if (details.has("region")) {
                  details.put("region", arns.region());
                }
                if (!data) {
                  details.remove(List.of("input", "output"));
                }
                e.set(f.getKey(), details);
              });
    }
    return e;
  }

  private StateMachineVersion create(String name, String definition, MachineAttributes attributes) {
    try {
      return engine.createStateMachine(name, definition, attributes);
    } catch (StatesException.Invalid e) {
      throw AwsError.of(
          "InvalidDefinition",
          "Invalid State Machine Definition: '" + String.join("; ", e.errors()) + "'",
          e);
    }
  }

  private static JsonNode parseDefinition(String definition) {
    try {
      return Json.mapper().readTree(definition);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw AwsError.of(
          "InvalidDefinition",
          "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
              + e.getOriginalMessage()
              + "'",
          e);
    }
  }

  private StateMachineVersion findMachine(String name) {
    try {
      return engine.stateMachine(name);
    } catch (StatesException.NotFound e) {
      return null;
    }
  }

  private StateMachineVersion machine(String arn) {
    String name = arns.machineName("stateMachineArn", arn);
    try {
      return engine.stateMachine(name);
    } catch (StatesException.NotFound e) {
      throw machineMissing(name, e);
    }
  }

  private AwsError machineMissing(String name, Throwable cause) {
    return AwsError.of(
        "StateMachineDoesNotExist",
        "State Machine Does Not Exist: '" + arns.stateMachine(name) + "'",
        cause);
  }

  private StateMachineVersion firstVersion(StateMachineVersion sm) {
    return sm.version() == 1 ? sm : engine.stateMachine(sm.name(), 1);
  }

  /** The engine's ARN of an existing execution; throws InvalidArn or ExecutionDoesNotExist. */
  private String executionArn(String arn) {
    String engineArn = arns.engineExecution("executionArn", arn);
    execution(arn);
    return engineArn;
  }

  private Execution execution(String arn) {
    String engineArn = arns.engineExecution("executionArn", arn);
    try {
      return engine.describe(engineArn);
    } catch (StatesException.NotFound e) {
      throw AwsError.of("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'", e);
    }
  }

  private Instant latestRedrive(Execution e) {
    List<HistoryEvent> history = engine.history(e.executionArn());
    for (HistoryEvent h : history.reversed()) {
      if ("ExecutionRedriven".equals(h.type())) {
        return h.timestamp();
      }
    }
    return e.startDate();
  }

  private static String type(Members in) {
    String type = in.optional("type");
    if (type != null && !"STANDARD".equals(type) && !"EXPRESS".equals(type)) {
      throw AwsError.validation(
          "type", type, "Member must satisfy enum value set: [STANDARD, EXPRESS]");
    }
    return type == null ? "STANDARD" : type;
  }

  private static String name(String member, String name) {
    if (!NAME.matcher(name).matches()) {
      throw AwsError.of(
          "InvalidName",
          "Invalid Name: '"
              + name
              + "' ("
              + member
              + " must be 1-80 of A-Z a-z 0-9 _ . - on this endpoint)");
    }
    return name;
  }

  private static JsonNode json(String text, String errorType, String member) {
    if (text == null) {
      return Json.object();
    }
    try {
      return Json.mapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw AwsError.of(
          errorType,
          "Invalid " + member + " '" + text + "': not a JSON document: " + e.getOriginalMessage(),
          e);
    }
  }

  private static int pageSize(Members in) {
    int max = in.integer("maxResults", 0, MAX_PAGE, 0);
    return max == 0 ? DEFAULT_PAGE : max;
  }

  private static String token(int offset, String key) {
    return PageTokens.token(offset, key);
  }

  private static int offset(String token, String key) {
    return PageTokens.offset(token, key)
        .orElseThrow(
            () ->
                AwsError.of(
                    "InvalidToken",
                    "Invalid Token: '"
                        + token
                        + "' is not a nextToken this request's earlier page returned"));
  }

  /** Epoch seconds with milliseconds, as the AWS JSON protocol writes timestamps. */
  static BigDecimal epoch(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3);
  }

  /** {@code $.States.A.Next} as a JSON pointer {@code /States/A/Next}. */
  private static String pointer(String path) {
    String p = path.startsWith("$") ? path.substring(1) : path;
    return p.isEmpty() ? "/" : p.replace('.', '/');
  }
}
