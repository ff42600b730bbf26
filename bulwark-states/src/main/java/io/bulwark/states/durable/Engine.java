package io.bulwark.states.durable;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.states.StateMachine;
import io.bulwark.states.durable.internal.Arns;
import io.bulwark.states.durable.internal.EngineParts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Durable executions of Amazon States Language machines in PostgreSQL (Flyway module {@code
 * states}). Every step is committed with its history events, Wait states and retry back-offs are
 * durable timers, and workers in any number of processes share the work with {@code SELECT … FOR
 * UPDATE SKIP LOCKED} under a lease, so a killed process's executions resume elsewhere or on
 * restart without re-running completed steps. The task call in flight when a process dies is
 * delivered again (at-least-once) with the same {@link TaskRequest#idempotencyToken()}.
 *
 * <pre>{@code
 * Engine engine = Engine.builder(database).task("charge", payments::charge).build().startWorkers();
 * engine.createStateMachine("order", definitionJson);
 * Execution e = engine.start("order", null, input);
 * }</pre>
 */
public final class Engine implements AutoCloseable {
  /** State machine and execution names, as Step Functions allows them (1-80 characters). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,80}");

  /** An entry of the HTTP task allow-list: a host name, IPv4 or [IPv6] literal, optional port. */
  private static final Pattern HOST =
      Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

  private final EngineParts parts;
  private final Set<String> ownMachines;

  private Engine(EngineParts parts, Set<String> ownMachines) {
    this.parts = parts;
    this.ownMachines = Set.copyOf(ownMachines);
  }

  /** A builder for an engine on {@code database}, which must be migrated with module "states". */
  public static Builder builder(Database database) {
    return new Builder(Objects.requireNonNull(database, "database"));
  }

  /** {@code arn:aws:states:local:000000000000:stateMachine:<name>}. */
  public static String stateMachineArn(String name) {
    return Arns.stateMachine(name);
  }

  /** {@code arn:aws:states:local:000000000000:execution:<machine>:<name>}. */
  public static String executionArn(String machine, String name) {
    return Arns.execution(machine, name);
  }

  /**
   * Checks one entry of the {@linkplain Builder#httpTaskHosts HTTP task allow-list}: a host name,
   * IPv4 or {@code [IPv6]} literal, optionally {@code :port}; returns it.
   *
   * @throws IllegalArgumentException naming the entry otherwise
   */
  public static String checkHttpTaskHost(String host) {
    return Check.matches(
        "httpTaskHosts entry", host, HOST, "a host name or IP, optionally with :port");
  }

  /** Starts the worker threads of this process; returns this. */
  public Engine startWorkers() {
    parts.workers().start();
    return this;
  }

  /**
   * Registers a definition under {@code name}; an unchanged definition keeps its version.
   *
   * @throws StatesException.Invalid with every validation error (JSON path first)
   * @throws StatesException.Forbidden when {@code name} is one of the server's {@linkplain
   *     Builder#ownTask own machines}: only {@link #createOwnStateMachine} defines those
   */
  public StateMachineVersion createStateMachine(String name, String definitionJson) {
    refuseOwn(name, "redefined");
    return createOwnStateMachine(name, definitionJson);
  }

  /**
   * Registers the definition of one of the server's {@linkplain Builder#ownTask own machines} (or
   * of any machine), as {@link #createStateMachine} does. For the wiring code that owns the
   * machine, never for an API that forwards a caller's request.
   *
   * @throws StatesException.Invalid with every validation error (JSON path first)
   */
  public StateMachineVersion createOwnStateMachine(String name, String definitionJson) {
    requireName(name, "name");
    JsonNode definition;
    try {
      definition = Json.mapper().readTree(definitionJson);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StatesException.Invalid(
          "definition is not valid JSON: " + e.getOriginalMessage(),
          List.of("$: " + e.getOriginalMessage()),
          e);
    }
    List<String> errors = new ArrayList<>(StateMachine.validate(definition));
    errors.addAll(parts.tasks().refusals(name, definition));
    if (!errors.isEmpty()) {
      throw new StatesException.Invalid(
          "definition of " + name + " is invalid: " + String.join("; ", errors), errors);
    }
    return parts.machines().create(name, definition);
  }

  /** The latest version of {@code name}; throws {@link StatesException.NotFound}. */
  public StateMachineVersion stateMachine(String name) {
    StateMachineVersion sm = parts.machines().latest(name);
    if (sm == null) {
      throw new StatesException.NotFound(
          "state-machine", "state machine " + name + " does not exist");
    }
    return sm;
  }

  /**
   * Registers a definition under {@code name} as {@link #createStateMachine(String, String)} does,
   * and records the machine's {@code attributes} (type and role).
   */
  public StateMachineVersion createStateMachine(
      String name, String definitionJson, MachineAttributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    StateMachineVersion created = createStateMachine(name, definitionJson);
    parts.catalog().define(name, attributes);
    return created;
  }

  /** The type and role of machine {@code name} (STANDARD without a role unless recorded). */
  public MachineAttributes stateMachineAttributes(String name) {
    return parts.catalog().attributes(name);
  }

  /**
   * Deletes state machine {@code name}: it can no longer be described or started (creating it again
   * brings it back), while its running executions go on to their end and stay readable. Other
   * processes may start it for up to a second after.
   *
   * @throws StatesException.NotFound when it does not exist
   * @throws StatesException.Forbidden for one of the server's own machines
   */
  public void deleteStateMachine(String name) {
    refuseOwn(name, "deleted");
    stateMachine(name);
    parts.catalog().delete(name, stateMachineArn(name));
    parts.machines().forget(name);
  }

  /** Adds or overwrites tags of the state machine or execution {@code arn} (the engine's arn). */
  public void tagResource(String arn, Map<String, String> tags) {
    parts.catalog().tag(arn, Map.copyOf(tags));
  }

  /** Removes tags {@code keys} from {@code arn}; absent keys are ignored. */
  public void untagResource(String arn, java.util.Collection<String> keys) {
    parts.catalog().untag(arn, List.copyOf(keys));
  }

  /** The tags of {@code arn}, ordered by key. */
  public Map<String, String> tags(String arn) {
    return parts.catalog().tags(arn);
  }

  /** The latest version of every state machine, ordered by name. */
  public List<StateMachineVersion> listStateMachines() {
    return parts.machines().list();
  }

  /**
   * Version {@code version} of {@code name} (the one an execution runs); throws {@link
   * StatesException.NotFound}.
   */
  public StateMachineVersion stateMachine(String name, int version) {
    StateMachineVersion sm = parts.machines().version(name, version);
    if (sm == null) {
      throw new StatesException.NotFound(
          "state-machine", "version " + version + " of state machine " + name + " does not exist");
    }
    return sm;
  }

  /**
   * Starts an execution of the latest version of {@code machine}.
   *
   * <p>Idempotent as Step Functions' StartExecution: while an execution of that name is RUNNING
   * with an equal input, starting it again returns that execution and starts nothing.
   *
   * @param name unique per machine; null for a random UUID
   * @throws StatesException.NotFound for an unknown machine
   * @throws StatesException.Conflict when the name is taken by an execution that has ended or has
   *     another input ({@code execution-already-exists})
   * @throws StatesException.Forbidden for one of the server's {@linkplain Builder#ownTask own
   *     machines}, which only their owner starts ({@link #startOwn})
   */
  public Execution start(String machine, String name, JsonNode input) {
    return startOrFind(machine, name, input).execution();
  }

  /**
   * Starts an execution as {@link #start(String, String, JsonNode)} does, and says whether it
   * created it ({@link StartedExecution#created()} false when it returned the RUNNING execution of
   * that name and input), so an API can tell a replay from a new start.
   */
  public StartedExecution startOrFind(String machine, String name, JsonNode input) {
    refuseOwn(machine, "started through the API");
    String executionName = name == null ? UUID.randomUUID().toString() : name;
    requireName(executionName, "execution name");
    return parts.control().start(machine, executionName, input == null ? Json.object() : input);
  }

  /**
   * Starts an execution of the latest version of {@code machine} inside the caller's open
   * transaction (auto-commit off), so it starts exactly when the caller's own changes commit; call
   * {@link #wake()} after the commit to have this process's workers pick it up at once. Its work is
   * claimed before due work of executions with a lower {@code priority} (default 0).
   *
   * @param name unique per machine; null for a random UUID
   * @throws StatesException.NotFound for an unknown machine
   * @throws StatesException.Conflict when the name is taken (the transaction stays usable)
   * @throws StatesException.Forbidden for one of the server's {@linkplain Builder#ownTask own
   *     machines}, which only their owner starts ({@link #startOwn})
   * @throws SQLException when the database fails; roll back
   */
  public Execution start(
      Connection transaction, String machine, String name, JsonNode input, int priority)
      throws SQLException {
    refuseOwn(machine, "started through the API");
    return startOwn(transaction, machine, name, input, priority);
  }

  /**
   * Starts an execution as {@link #start(Connection, String, String, JsonNode, int)} does, also of
   * the server's {@linkplain Builder#ownTask own machines}. For the wiring code that owns the
   * machine (the shop starting an order's saga), never for an API that forwards a caller's request.
   *
   * @throws SQLException when the database fails; roll back
   */
  public Execution startOwn(
      Connection transaction, String machine, String name, JsonNode input, int priority)
      throws SQLException {
    String executionName = name == null ? UUID.randomUUID().toString() : name;
    requireName(executionName, "execution name");
    return parts
        .control()
        .start(
            transaction, machine, executionName, input == null ? Json.object() : input, priority);
  }

  /** Wakes this process's idle workers, e.g. after committing a transactional {@link #start}. */
  public void wake() {
    parts.workers().wake();
  }

  /**
   * Claims one piece of due work and carries it out in the calling thread, stepping its execution
   * as far as it goes without waiting for a timer; false when nothing was due. For engines built
   * with no workers (tests, tools); safe to call while workers run.
   */
  public boolean runOnce() {
    return parts.workers().runOnce();
  }

  /** The execution with this arn; throws {@link StatesException.NotFound}. */
  public Execution describe(String executionArn) {
    return parts.executions().describe(executionArn);
  }

  /** Top-level executions, newest first; {@code status} and {@code machine} may be null. */
  public List<Execution> list(ExecutionStatus status, String machine, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be within 1..1000 but was " + limit);
    }
    return parts.executions().list(status, machine, limit);
  }

  /**
   * The execution's events, oldest first, numbered 1, 2, … with the events of its Parallel branches
   * and Map iterations inline (as Step Functions shows them).
   */
  public List<HistoryEvent> history(String executionArn) {
    return parts.executions().history(executionArn);
  }

  /** Aborts a RUNNING execution; {@code error}/{@code cause} may be null. */
  public Execution stop(String executionArn, String error, String cause) {
    return parts.control().stop(executionArn, error, cause);
  }

  /**
   * Runs a FAILED execution again from the state that failed.
   *
   * @throws StatesException.Forbidden for an execution of one of the server's {@linkplain
   *     Builder#ownTask own machines} (their owner compensates failures its own way)
   */
  public Execution redrive(String executionArn) {
    refuseOwn(describe(executionArn).stateMachineName(), "redriven");
    return parts.control().redrive(executionArn);
  }

  /**
   * Whether {@code machine} is one of the server's own (it has {@link Builder#ownTask} bindings).
   */
  public boolean isOwn(String machine) {
    return ownMachines.contains(machine);
  }

  private void refuseOwn(String machine, String what) {
    if (machine != null && ownMachines.contains(machine)) {
      throw new StatesException.Forbidden(
          machine,
          "state machine "
              + machine
              + " belongs to the server and cannot be "
              + what
              + "; its executions can be read, and stopped");
    }
  }

  /** Completes a parked {@code .waitForTaskToken} task with {@code output}. */
  public void sendTaskSuccess(String taskToken, JsonNode output) {
    parts.control().sendTaskSuccess(taskToken, output == null ? Json.object() : output);
  }

  /** Fails a parked {@code .waitForTaskToken} task. */
  public void sendTaskFailure(String taskToken, String error, String cause) {
    parts.control().sendTaskFailure(taskToken, error, cause);
  }

  /** Records that a parked task is alive. */
  public void sendTaskHeartbeat(String taskToken) {
    parts.control().sendTaskHeartbeat(taskToken);
  }

  /** Stops this process's workers (waiting for the steps in hand); the data stays. */
  @Override
  public void close() {
    parts.workers().close();
  }

  private static void requireName(String name, String what) {
    try {
      Check.matches(what, name, NAME, "1-80 of A-Z a-z 0-9 _ . -");
    } catch (IllegalArgumentException e) {
      throw new StatesException.Invalid(
          e.getMessage(), List.of("$." + what.replace(' ', '_') + ": invalid"), e);
    }
  }

  /**
   * Step Functions' quota of history events per execution, the default of {@link
   * Builder#historyLimit}.
   */
  public static final int DEFAULT_HISTORY_LIMIT = 25_000;

  /** Builder; every setting has a default. */
  public static final class Builder {
    private final Database database;
    private final Map<String, DurableTaskHandler> tasks = new HashMap<>();
    private final Map<String, Map<String, DurableTaskHandler>> ownTasks = new HashMap<>();
    private final Map<String, CompletionListener> listeners = new HashMap<>();
    private DurableTaskHandler anyTask;
    private TaskFailureListener taskFailures;
    private Clock clock = Clock.systemUTC();
    private int workers = 4;
    private Duration lease = Duration.ofSeconds(60);
    private Duration pollInterval = Duration.ofMillis(100);
    private Duration httpTimeout = Duration.ofSeconds(30);
    private final Set<String> httpTaskHosts = new HashSet<>();
    private MeterRegistry registry = new SimpleMeterRegistry();
    private int historyLimit = DEFAULT_HISTORY_LIMIT;

    private Builder(Database database) {
      this.database = database;
    }

    /**
     * Binds Task states whose {@code Resource} is {@code resource} (also with a {@code
     * .waitForTaskToken} suffix) to {@code handler}. Resources that are {@code http(s)://} URLs
     * need no binding: they are POSTed to.
     */
    public Builder task(String resource, DurableTaskHandler handler) {
      if (resource == null || resource.isBlank()) {
        throw new IllegalArgumentException("resource must not be blank");
      }
      tasks.put(resource, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Binds Task states whose {@code Resource} is {@code resource} (also with a {@code
     * .waitForTaskToken} suffix) to {@code handler} for the executions of state machine {@code
     * machine} only, with their Parallel branches and Map iterations: the server's own functions,
     * which no other machine can call (another machine's Task on {@code resource} gets the binding
     * of {@link #task} if there is one, else fails with {@code States.TaskFailed}). {@code machine}
     * becomes one of the server's own machines: {@link Engine#createStateMachine}, {@link
     * Engine#start} and {@link Engine#redrive} refuse it with {@link StatesException.Forbidden}, so
     * an API caller can neither redefine it nor run it on an execution name of their choosing; its
     * owner defines it with {@link Engine#createOwnStateMachine} and starts it with {@link
     * Engine#startOwn}.
     */
    public Builder ownTask(String machine, String resource, DurableTaskHandler handler) {
      if (machine == null || machine.isBlank()) {
        throw new IllegalArgumentException("machine must not be blank");
      }
      if (resource == null || resource.isBlank()) {
        throw new IllegalArgumentException("resource must not be blank");
      }
      ownTasks
          .computeIfAbsent(machine, m -> new HashMap<>())
          .put(resource, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /** Binds every resource that has no binding of its own to {@code handler}. */
    public Builder anyTask(DurableTaskHandler handler) {
      anyTask = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Calls {@code listener} when a top-level execution of state machine {@code machine} ends, in
     * the transaction that records the end (see {@link CompletionListener}); one per machine.
     */
    public Builder onCompletion(String machine, CompletionListener listener) {
      if (machine == null || machine.isBlank()) {
        throw new IllegalArgumentException("machine must not be blank");
      }
      listeners.put(machine, Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Calls {@code listener} when a Task state's failure ends a top-level execution of any machine
     * (its Retry attempts ran out and no Catch took it), in the transaction that records the
     * failure (see {@link TaskFailureListener}); default none. The execution fails the same way
     * with or without it.
     */
    public Builder onTaskFailure(TaskFailureListener listener) {
      this.taskFailures = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The clock for timers and dates; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Worker threads in this process; default 4; 0 for an API-only engine. */
    public Builder workers(int workers) {
      if (workers < 0 || workers > 256) {
        throw new IllegalArgumentException("workers must be within 0..256 but was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * How long a claimed step stays owned by its worker (longer than the slowest task); after it
     * runs out another worker takes the step over. Default 60 s.
     */
    public Builder lease(Duration lease) {
      if (lease == null || lease.compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalArgumentException("lease must be >= 100ms but was " + lease);
      }
      this.lease = lease;
      return this;
    }

    /** How often idle workers look for due work; default 100 ms. */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Check.positive("pollInterval", pollInterval);
      return this;
    }

    /** Timeout of HTTP task calls; default 30 s. */
    public Builder httpTimeout(Duration httpTimeout) {
      this.httpTimeout = Check.positive("httpTimeout", httpTimeout);
      return this;
    }

    /**
     * Allows HTTP task resources ({@code http(s)://host[:port]/…}) to call {@code hosts}: each
     * entry a host name or IP literal (any port) or {@code host:port}, compared without case.
     * Default none: a definition with an HTTP task resource of any other host, or a URL of another
     * scheme, is refused when created ({@link StatesException.Invalid} naming the state), and a
     * call to a host no longer allowed fails its task with {@code States.TaskFailed}. Host names
     * are compared as written: allow only names whose DNS you control.
     */
    public Builder httpTaskHosts(Collection<String> hosts) {
      hosts.forEach(host -> httpTaskHosts.add(checkHttpTaskHost(host)));
      return this;
    }

    /**
     * The most history events one execution may have; default {@value
     * Engine#DEFAULT_HISTORY_LIMIT}, Step Functions' quota. An execution that would grow past it (a
     * state looping on itself, say) fails with {@code States.Runtime} naming the limit, its {@code
     * ExecutionFailed} event the last within it.
     *
     * @throws IllegalArgumentException when below 10
     */
    public Builder historyLimit(int events) {
      if (events < 10) {
        throw new IllegalArgumentException("historyLimit must be >= 10 but was " + events);
      }
      this.historyLimit = events;
      return this;
    }

    /**
     * Where the engine's meters go ({@code bulwark.states.executions.started}, {@code
     * .executions.ended} by machine and status, {@code .executions.redriven}, {@code
     * .execution.time}, {@code .tasks} by outcome, and the backlog gauges {@code
     * bulwark.states.work.due} and {@code .work.lag}); default a registry nobody reads.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The engine; workers start with {@link Engine#startWorkers()}. */
    public Engine build() {
      return new Engine(
          EngineParts.wire(
              database.dataSource(),
              tasks,
              ownTasks,
              anyTask,
              listeners,
              taskFailures,
              clock,
              workers,
              lease,
              pollInterval,
              httpTimeout,
              httpTaskHosts,
              historyLimit,
              () -> database.pool().isClosed(),
              registry),
          ownTasks.keySet());
    }
  }
}
