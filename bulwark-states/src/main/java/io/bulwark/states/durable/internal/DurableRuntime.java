package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.CompletionListener;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.states.durable.StateMachineVersion;
import io.bulwark.states.durable.StatesException;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.states.durable.TaskTransaction;
import io.bulwark.states.internal.ContextObject;
import io.bulwark.states.internal.Decision;
import io.bulwark.states.internal.Interpreter;
import io.bulwark.states.internal.RetryState;
import io.bulwark.states.internal.Variables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable engine's machinery: executions, history and work in PostgreSQL, and workers that
 * claim due work with {@code FOR UPDATE SKIP LOCKED} under a lease and carry out the {@link
 * Interpreter}'s decisions, committing each step with its history events.
 */
public final class DurableRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DurableRuntime.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String CALLBACK = ".waitForTaskToken";

  /** Key of the handler for resources without a binding of their own. */
  public static final String ANY_RESOURCE = "*";

  private final DataSource dataSource;
  private final Transactions transactions;
  private final Interpreter interpreter = new Interpreter();
  private final Map<String, DurableTaskHandler> handlers;
  private final Map<String, CompletionListener> listeners;
  private final HttpTasks http;
  private final Clock clock;
  private final Duration lease;
  private final Duration pollInterval;
  private final int workerCount;
  private final Map<String, JsonNode> definitions = new ConcurrentHashMap<>();

  /**
   * The latest version of each machine as last read, for up to a second: starting an execution need
   * not ask the database every time. Like Step Functions, an execution started within moments of an
   * update made by another process may still run the previous version.
   */
  private final Map<String, Latest> latestVersions = new ConcurrentHashMap<>();

  private static final long LATEST_TTL_NANOS = 1_000_000_000L;

  private record Latest(int version, long expiresAtNanos) {}

  private final Object signal = new Object();
  private final ScheduledExecutorService renewer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "states-lease-renewer");
            t.setDaemon(true);
            return t;
          });
  private final List<Thread> workers = new ArrayList<>();

  /** Set while {@link #runOnce} works in the caller's thread, which no shutdown stops. */
  private final ThreadLocal<Boolean> inline = ThreadLocal.withInitial(() -> false);

  private final WorkQueue queue;
  private final EngineMetrics metrics;
  private volatile boolean running;
  private final java.util.function.BooleanSupplier closed;

  /** A runtime on {@code dataSource}; call {@link #startWorkers()} to process executions. */
  public DurableRuntime(
      DataSource dataSource,
      Map<String, DurableTaskHandler> handlers,
      Map<String, CompletionListener> listeners,
      Clock clock,
      int workerCount,
      Duration lease,
      Duration pollInterval,
      Duration httpTimeout,
      java.util.function.BooleanSupplier closed,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.closed = closed;
    this.metrics = new EngineMetrics(registry, dataSource, clock);
    this.dataSource = dataSource;
    this.transactions = new Transactions(dataSource);
    this.queue = new WorkQueue(transactions, clock, lease);
    this.handlers = Map.copyOf(handlers);
    this.listeners = Map.copyOf(listeners);
    this.http = new HttpTasks(httpTimeout);
    this.clock = clock;
    this.workerCount = workerCount;
    this.lease = lease;
    this.pollInterval = pollInterval;
  }

  // ---------------------------------------------------------------- operations

  /** Registers {@code definition} under {@code name}: a new version unless it is unchanged. */
  public StateMachineVersion createStateMachine(String name, JsonNode definition) {
    StateMachineVersion created =
        transactions.inTransaction(c -> createStateMachine(c, name, definition));
    // this process starts the new version at once (others within a second)
    latestVersions.put(name, new Latest(created.version(), System.nanoTime() + LATEST_TTL_NANOS));
    return created;
  }

  private StateMachineVersion createStateMachine(Connection c, String name, JsonNode definition)
      throws SQLException {
    try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
      lock.setString(1, "states:" + name);
      lock.executeQuery().close();
    }
    StateMachineVersion latest = latest(c, name);
    if (latest != null && latest.definition().equals(definition)) {
      return latest;
    }
    int version = latest == null ? 1 : latest.version() + 1;
    Instant now = clock.instant();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_state_machines (name, version, definition, created_at)"
                + " values (?, ?, ?::jsonb, ?)")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      ps.setString(3, definition.toString());
      ps.setTimestamp(4, Timestamp.from(now));
      ps.executeUpdate();
    }
    return new StateMachineVersion(name, version, definition, now);
  }

  /** The latest version of machine {@code name}, or null. */
  public StateMachineVersion stateMachine(String name) {
    return transactions.inTransaction(c -> latest(c, name));
  }

  /** The latest version number of machine {@code name}, 0 when there is none. */
  private int latestVersion(Connection c, String name) throws SQLException {
    long now = System.nanoTime();
    Latest known = latestVersions.get(name);
    if (known != null && now - known.expiresAtNanos() < 0) {
      return known.version();
    }
    try (PreparedStatement ps =
        c.prepareStatement("select max(version) from states_state_machines where name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int version = rs.getInt(1);
        if (version > 0) {
          latestVersions.put(name, new Latest(version, now + LATEST_TTL_NANOS));
        }
        return version;
      }
    }
  }

  private StateMachineVersion latest(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select version, definition, created_at from states_state_machines where name = ?"
                + " order by version desc limit 1")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new StateMachineVersion(
            name, rs.getInt(1), Json.parse(rs.getString(2)), rs.getTimestamp(3).toInstant());
      }
    }
  }

  /** Starts an execution of the latest version of {@code machineName}. */
  public Execution start(String machineName, String executionName, JsonNode input) {
    Execution started =
        transactions.inTransaction(c -> start(c, machineName, executionName, input, 0));
    wake();
    return started;
  }

  /**
   * Starts an execution inside the caller's open transaction {@code c}: it exists, and its workers
   * see it, only once the caller commits.
   */
  public Execution start(
      Connection c, String machineName, String executionName, JsonNode input, int priority)
      throws SQLException {
    int version = latestVersion(c, machineName);
    if (version == 0) {
      throw new StatesException.NotFound(
          "state-machine", "state machine " + machineName + " does not exist");
    }
    Instant now = clock.instant();
    ExecutionRow e = new ExecutionRow();
    e.name = executionName;
    e.arn = Engine.executionArn(machineName, executionName);
    e.machineName = machineName;
    e.machineVersion = version;
    e.pointer = "";
    JsonNode machine = machine(c, e);
    e.status = ExecutionStatus.RUNNING;
    e.input = input;
    e.startDate = now;
    e.context = ContextObject.execution(e.arn, executionName, input, now, machineName);
    e.event(
        "ExecutionStarted",
        now,
        Events.executionStarted(input, Engine.stateMachineArn(machineName)));
    enter(e, machine, machine.path("StartAt").asText(), input, now);
    try {
      e.insert(c);
    } catch (ExecutionRow.DuplicateExecution d) {
      throw new StatesException.Conflict(
          "execution-already-exists",
          "execution " + executionName + " of " + machineName + " already exists");
    }
    if (priority != 0) {
      try (PreparedStatement ps =
          c.prepareStatement("update states_executions set priority = ? where arn = ?")) {
        ps.setInt(1, priority);
        ps.setString(2, e.arn);
        ps.executeUpdate();
      }
    }
    WorkQueue.insert(c, e.arn, "STEP", now, null);
    metrics.started(machineName);
    if (machine.has("TimeoutSeconds")) {
      WorkQueue.insert(
          c, e.arn, "TIMEOUT", now.plusSeconds(machine.get("TimeoutSeconds").asLong()), null);
    }
    return e.toExecution();
  }

  /** The execution {@code arn}; throws NotFound. */
  public Execution describe(String arn) {
    return transactions.inTransaction(c -> found(ExecutionRow.read(c, arn), arn)).toExecution();
  }

  private static ExecutionRow found(ExecutionRow e, String arn) {
    if (e == null) {
      throw new StatesException.NotFound("execution", "execution " + arn + " does not exist");
    }
    return e;
  }

  /** Top-level executions, newest first, optionally of one status and/or machine. */
  public List<Execution> list(ExecutionStatus status, String machineName, int limit) {
    return transactions.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select "
                      + ExecutionRow.COLUMNS
                      + " from states_executions where parent_arn is null"
                      + " and (?::text is null or status = ?) and (?::text is null or machine_name = ?)"
                      + " order by start_date desc, arn limit ?")) {
            String s = status == null ? null : status.name();
            ps.setString(1, s);
            ps.setString(2, s);
            ps.setString(3, machineName);
            ps.setString(4, machineName);
            ps.setInt(5, limit);
            List<Execution> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(ExecutionRow.from(rs).toExecution());
              }
            }
            return out;
          }
        });
  }

  /** The execution's history, oldest first; throws NotFound. */
  public List<HistoryEvent> history(String arn) {
    return transactions.inTransaction(
        c -> {
          found(ExecutionRow.read(c, arn), arn);
          // The events of Parallel branches and Map iterations (child executions) are shown
          // inline, in time order and numbered as one history, as Step Functions shows them.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select execution_arn, ts, type, details from states_history"
                      + " where execution_arn = ? or starts_with(execution_arn, ?)"
                      + " order by ts, length(execution_arn)"
                      + " - length(replace(execution_arn, '/', '')), execution_arn, id")) {
            ps.setString(1, arn);
            ps.setString(2, arn + "/");
            List<HistoryEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String type = rs.getString(3);
                if (!rs.getString(1).equals(arn) && type.startsWith("Execution")) {
                  continue;
                }
                out.add(
                    new HistoryEvent(
                        out.size() + 1,
                        out.size(),
                        rs.getTimestamp(2).toInstant(),
                        type,
                        Json.parse(rs.getString(4))));
              }
            }
            return out;
          }
        });
  }

  /** Stops a RUNNING execution (ABORTED), with its branches; throws NotFound or Conflict. */
  public Execution stop(String arn, String error, String cause) {
    return transactions.inTransaction(
        c -> {
          ExecutionRow e = found(ExecutionRow.lock(c, arn), arn);
          if (e.status != ExecutionStatus.RUNNING) {
            throw new StatesException.Conflict(
                "execution-not-running", "execution " + arn + " is " + e.status + ", not RUNNING");
          }
          Instant now = clock.instant();
          e.status = ExecutionStatus.ABORTED;
          e.stopDate = now;
          e.error = error;
          e.cause = cause;
          e.event(
              "ExecutionAborted",
              now,
              Events.errorDetails("executionAbortedEventDetails", error, cause));
          e.save(c);
          abortDescendants(c, arn, now);
          Execution stopped = e.toExecution();
          if (e.parentArn == null) {
            completed(c, stopped);
          }
          return stopped;
        });
  }

  private static void abortDescendants(Connection c, String arn, Instant now) throws SQLException {
    for (String sql :
        List.of(
            "delete from states_work where execution_arn = ? or starts_with(execution_arn, ?)",
            "delete from states_task_tokens where execution_arn = ? or starts_with(execution_arn, ?)")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, arn);
        ps.setString(2, arn + "/");
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "update states_executions set status = 'ABORTED', stop_date = ?"
                + " where starts_with(arn, ?) and status = 'RUNNING'")) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setString(2, arn + "/");
      ps.executeUpdate();
    }
  }

  /** Runs a FAILED execution again from the state that failed; throws NotFound or Conflict. */
  public Execution redrive(String arn) {
    Execution redriven =
        transactions.inTransaction(
            c -> {
              ExecutionRow e = found(ExecutionRow.lock(c, arn), arn);
              if (e.parentArn != null || e.status != ExecutionStatus.FAILED) {
                throw new StatesException.Conflict(
                    "execution-not-redrivable",
                    "execution "
                        + arn
                        + " is "
                        + (e.parentArn != null ? "a branch of " + e.parentArn : e.status)
                        + "; only a FAILED execution can be redriven");
              }
              Instant now = clock.instant();
              e.redriveCount++;
              e.status = ExecutionStatus.RUNNING;
              e.stopDate = null;
              e.error = null;
              e.cause = null;
              e.output = null;
              e.event("ExecutionRedriven", now, Events.executionRedriven(e.redriveCount));
              metrics.redriven(e.machineName);
              enter(e, machine(c, e), e.currentState, e.currentInput, now);
              e.save(c);
              WorkQueue.insert(c, e.arn, "STEP", now, null);
              return e.toExecution();
            });
    wake();
    return redriven;
  }

  /** Completes the parked task of {@code token} with {@code output}. */
  public void sendTaskSuccess(String token, JsonNode output) {
    callback(token, null, output);
  }

  /** Fails the parked task of {@code token} with {@code error}/{@code cause}. */
  public void sendTaskFailure(String token, String error, String cause) {
    callback(token, new StatesError(error, cause), null);
  }

  private void callback(String token, StatesError failure, JsonNode output) {
    transactions.inTransaction(
        c -> {
          String[] parked = takeToken(c, token);
          if (parked == null) {
            throw tokenNotFound(token);
          }
          ExecutionRow e = ExecutionRow.lock(c, parked[0]);
          if (e == null || e.status != ExecutionStatus.RUNNING) {
            throw tokenNotFound(token);
          }
          Instant now = clock.instant();
          JsonNode machine = machine(c, e);
          retryCount(e);
          Decision d;
          if (failure == null) {
            e.event("TaskSucceeded", now, Events.taskSucceeded(parked[1], output));
            metrics.task("succeeded");
            d =
                interpreter.taskSucceeded(
                    machine, e.currentState, e.currentInput, e.context, output, e.retry);
          } else {
            e.event(
                "TaskFailed",
                now,
                Events.taskFailed(parked[1], failure.error(), failure.causeText()));
            metrics.task("failed");
            d =
                interpreter.taskFailed(
                    machine, e.currentState, e.currentInput, e.context, failure, e.retry);
          }
          apply(c, e, machine, null, d);
          return null;
        });
    wake();
  }

  private static StatesException tokenNotFound(String token) {
    return new StatesException.NotFound(
        "task-token",
        "task token "
            + token
            + " is not waiting: it was never issued, or its task already completed, timed out"
            + " or was stopped");
  }

  /** The last heartbeat (or the start) of a parked token; null when it is gone. */
  private static Instant lastHeartbeat(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select coalesce(heartbeat_at, created_at) from states_task_tokens where token = ?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1).toInstant() : null;
      }
    }
  }

  /** Deletes a parked token; returns {execution arn, resource} or null. */
  private static String[] takeToken(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "delete from states_task_tokens where token = ? returning execution_arn, resource")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
      }
    }
  }

  /** Records a heartbeat of the parked task of {@code token}. */
  public void sendTaskHeartbeat(String token) {
    transactions.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update states_task_tokens set heartbeat_at = ? where token = ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant()));
            ps.setString(2, token);
            if (ps.executeUpdate() == 0) {
              throw tokenNotFound(token);
            }
          }
          return null;
        });
  }

  // ---------------------------------------------------------------- workers

  /** Starts the worker threads. */
  public synchronized void startWorkers() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < workerCount; i++) {
      Thread t = new Thread(this::workLoop, "states-worker-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    wake();
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    workers.clear();
    renewer.shutdownNow();
  }

  /** Wakes idle workers of this process: new work is due. */
  public void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void workLoop() {
    while (running) {
      boolean worked;
      try {
        worked = claimAndProcess();
      } catch (RuntimeException e) {
        if (closed.getAsBoolean()) {
          running = false;
          return;
        }
        log.warn("claiming states work failed; retrying", e);
        idle();
        continue;
      }
      if (!worked) {
        idle();
      }
    }
  }

  /**
   * Claims the most urgent due work and carries it out in the calling thread; false when nothing
   * was due. The first move of a claimed STEP commits together with the claim, so an execution's
   * claim costs no transaction of its own. Throws only when claiming failed; a failure while
   * processing is logged and the work retried once its lease ends.
   */
  private boolean claimAndProcess() {
    WorkQueue.Work[] claimed = new WorkQueue.Work[1];
    Joined joined = new Joined();
    Object first;
    try {
      first =
          transactions.inTransaction(
              c -> {
                WorkQueue.Work w = queue.claim(c);
                claimed[0] = w;
                if (w == null || !"STEP".equals(w.kind)) {
                  return null;
                }
                ExecutionRow e = owned(c, w);
                return e == null ? Boolean.FALSE : prepare(c, e, w, joined.begin(c));
              });
    } catch (RuntimeException e) {
      WorkQueue.Work w = claimed[0];
      if (w == null) {
        throw e;
      }
      queue.hold(w); // the claim rolled back with the step: keep others off it for a lease
      failed(w, e);
      return true;
    }
    WorkQueue.Work w = claimed[0];
    if (w == null) {
      return false;
    }
    try {
      if (first == null || callTasks(w, first)) {
        process(w);
      }
    } catch (RuntimeException e) {
      failed(w, e);
    }
    return true;
  }

  private static void failed(WorkQueue.Work w, RuntimeException e) {
    log.error("processing {} of {} failed; it is retried once its lease ends", w.kind, w.arn, e);
  }

  private void idle() {
    synchronized (signal) {
      try {
        signal.wait(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }

  /**
   * Claims one piece of due work and carries it out in the calling thread (stepping its execution
   * as far as it goes without waiting); false when nothing was due.
   */
  public boolean runOnce() {
    inline.set(true);
    try {
      return claimAndProcess();
    } finally {
      inline.remove();
    }
  }

  private void process(WorkQueue.Work w) {
    boolean more = true;
    while (more) {
      if (!running && !inline.get()) {
        queue.release(w);
        return;
      }
      more =
          switch (w.kind) {
            case "STEP" -> step(w);
            case "DISPATCH" -> dispatch(w);
            default -> transactions.inTransaction(c -> settle(c, w));
          };
    }
  }

  /**
   * The running execution of {@code w}, locked together with the work row in one round trip, while
   * this claim still owns the work; else null (and work whose execution has ended or is gone
   * dropped).
   */
  private static ExecutionRow owned(Connection c, WorkQueue.Work w) throws SQLException {
    ExecutionRow e = ExecutionRow.lockWithWork(c, w.arn, w.id, w.owner);
    if (e == null) {
      // not ours any more, or ours but its execution is gone: tell which by the work row alone
      if (WorkQueue.owns(c, w)) {
        WorkQueue.delete(c, w.id);
      }
      return null;
    }
    if (e.status != ExecutionStatus.RUNNING) {
      WorkQueue.delete(c, w.id);
      return null;
    }
    return e;
  }

  private record TaskCall(
      ExecutionRow snapshot, Decision.InvokeTask task, TaskRequest request, Instant scheduledAt) {}

  /**
   * Runs the STEP work {@code w}: decides the current state's next move and carries it out. A Task
   * is called outside any transaction; the transaction that records its outcome also decides the
   * next state's move, so a chain of tasks costs one transaction per task, not two.
   */
  private boolean step(WorkQueue.Work w) {
    Joined joined = new Joined();
    return callTasks(
        w,
        transactions.inTransaction(
            c -> {
              ExecutionRow e = owned(c, w);
              return e == null ? Boolean.FALSE : prepare(c, e, w, joined.begin(c));
            }));
  }

  /**
   * Calls the task {@code next} asks for, and the tasks after it, each outside any transaction;
   * returns whether the worker goes on stepping under its claim.
   */
  private boolean callTasks(WorkQueue.Work w, Object next) {
    while (next instanceof TaskCall call) {
      if (!running && !inline.get()) {
        queue.release(w);
        return false;
      }
      next = call(w, call);
    }
    return (Boolean) next;
  }

  /**
   * Decides the move of {@code e}'s current state: a Task to call (returned, to be called outside
   * the transaction), or anything else carried out at once (returns whether to go on), including a
   * Task whose handler joins the transaction.
   */
  private Object prepare(Connection c, ExecutionRow e, WorkQueue.Work w, Joined joined)
      throws SQLException {
    JsonNode machine = machine(c, e);
    Decision d = interpreter.step(machine, e.currentState, e.currentInput, e.context, e.retry);
    if (d instanceof Decision.InvokeTask t && !t.resource().endsWith(CALLBACK)) {
      TaskRequest request = request(e, t);
      DurableTaskHandler handler = handler(t.resource());
      if (handler != null
          && t.timeout() == null
          && t.heartbeat() == null
          && handler.joinsTransaction(request)) {
        if (joined.budget == 0) {
          return Boolean.TRUE; // commit what the transaction did; the next one runs this task
        }
        joined.budget--;
        return invokeJoined(c, e, machine, w, t, request, handler, joined);
      }
      return new TaskCall(e, t, request, clock.instant());
    }
    return apply(c, e, machine, w, d);
  }

  /**
   * Runs a task inside the step's transaction, behind a savepoint that a failure rolls back to, and
   * records its outcome in the same transaction.
   */
  private Object invokeJoined(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.InvokeTask t,
      TaskRequest request,
      DurableTaskHandler handler,
      Joined joined)
      throws SQLException {
    Instant scheduledAt = clock.instant();
    Savepoint before = c.setSavepoint();
    JsonNode result = null;
    StatesError failure = null;
    try {
      result = handler.invoke(request, joined);
      joined.pending.forEach(Transactions::afterCommit);
    } catch (RuntimeException ex) {
      c.rollback(before);
      failure = asStatesError(ex);
    } finally {
      joined.pending.clear();
    }
    return recordOutcome(c, e, machine, w, t, scheduledAt, result, failure, joined);
  }

  /** Calls the task of {@code call}, records the outcome and prepares what comes next. */
  private Object call(WorkQueue.Work w, TaskCall call) {
    ExecutionRow s = call.snapshot();
    Decision.InvokeTask t = call.task();
    TaskRequest request = call.request();
    JsonNode result = null;
    StatesError failure = null;
    ScheduledFuture<?> renewal =
        renewer.scheduleAtFixedRate(
            () -> queue.renew(w),
            lease.toMillis() / 3,
            lease.toMillis() / 3,
            TimeUnit.MILLISECONDS);
    try {
      result = invokeWithin(request, t.timeout(), t.heartbeat());
    } catch (StatesError e) {
      failure = e;
    } finally {
      renewal.cancel(false);
    }
    JsonNode taskResult = result;
    StatesError taskFailure = failure;
    Joined joined = new Joined();
    Object next =
        transactions.inTransaction(
            c -> {
              ExecutionRow e = owned(c, w);
              if (e == null) {
                return Boolean.FALSE;
              }
              if (e.enteredEventId != s.enteredEventId
                  || e.retry.attempt() != t.retry().attempt()) {
                return Boolean.FALSE;
              }
              return recordOutcome(
                  c,
                  e,
                  machine(c, e),
                  w,
                  t,
                  call.scheduledAt(),
                  taskResult,
                  taskFailure,
                  joined.begin(c));
            });
    return next;
  }

  /**
   * Records a task's outcome in {@code e}'s history, carries out what the state machine decides
   * next and, when the execution goes on stepping, prepares its next state in the same transaction.
   */
  private Object recordOutcome(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.InvokeTask t,
      Instant scheduledAt,
      JsonNode taskResult,
      StatesError taskFailure,
      Joined joined)
      throws SQLException {
    Instant now = clock.instant();
    retryCount(e);
    e.event(
        "TaskScheduled",
        scheduledAt,
        Events.taskScheduled(t.resource(), t.payload(), seconds(t.timeout())));
    e.event("TaskStarted", scheduledAt, Events.taskStarted(t.resource()));
    Decision d;
    if (taskFailure == null) {
      e.event("TaskSucceeded", now, Events.taskSucceeded(t.resource(), taskResult));
      metrics.task("succeeded");
      d =
          interpreter.taskSucceeded(
              machine, e.currentState, e.currentInput, e.context, taskResult, e.retry);
    } else {
      boolean timedOut =
          "States.Timeout".equals(taskFailure.error())
              || "States.HeartbeatTimeout".equals(taskFailure.error());
      e.event(
          timedOut ? "TaskTimedOut" : "TaskFailed",
          now,
          timedOut
              ? Events.taskTimedOut(t.resource(), taskFailure.error(), taskFailure.causeText())
              : Events.taskFailed(t.resource(), taskFailure.error(), taskFailure.causeText()));
      metrics.task(timedOut ? "timed_out" : "failed");
      d =
          interpreter.taskFailed(
              machine, e.currentState, e.currentInput, e.context, taskFailure, e.retry);
    }
    boolean more = apply(c, e, machine, w, d);
    return more && "STEP".equals(w.kind) ? prepare(c, e, w, joined) : more;
  }

  /** What a handler is given for the current visit of {@code e}'s Task state. */
  private static TaskRequest request(ExecutionRow e, Decision.InvokeTask t) {
    return new TaskRequest(
        e.arn,
        e.currentState,
        t.resource(),
        t.payload(),
        t.retry().attempt(),
        idempotencyToken(e, t.retry().attempt()),
        null);
  }

  /**
   * The transaction of one step as offered to tasks that join it, with what the running task wants
   * done after the commit (handed on only if it succeeds), and how many more tasks may join it (a
   * loop of joining tasks still commits now and then).
   */
  private static final class Joined implements TaskTransaction {
    private static final int TASKS_PER_TRANSACTION = 8;

    private Connection connection;
    private final List<Runnable> pending = new ArrayList<>();
    private int budget;

    /** Starts (or, on a retried transaction, starts again) on {@code c}. */
    Joined begin(Connection c) {
      connection = c;
      pending.clear();
      budget = TASKS_PER_TRANSACTION;
      return this;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public void afterCommit(Runnable action) {
      pending.add(java.util.Objects.requireNonNull(action, "action"));
    }
  }

  private static Integer seconds(Duration d) {
    return d == null ? null : (int) Math.min(Integer.MAX_VALUE, d.toSeconds());
  }

  /**
   * Calls the task bounded by its TimeoutSeconds and HeartbeatSeconds (a directly called handler
   * sends no heartbeats, so the shorter of the two applies), like the in-memory runner.
   */
  private JsonNode invokeWithin(TaskRequest request, Duration timeout, Duration heartbeat) {
    if (timeout == null && heartbeat == null) {
      return invoke(request);
    }
    boolean heartbeatFirst =
        heartbeat != null && (timeout == null || heartbeat.compareTo(timeout) < 0);
    Duration limit = heartbeatFirst ? heartbeat : timeout;
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<JsonNode> future = executor.submit(() -> invoke(request));
      try {
        return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        future.cancel(true);
        throw new StatesError(heartbeatFirst ? "States.HeartbeatTimeout" : "States.Timeout", null);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatesError error) {
          throw error;
        }
        throw new StatesError(
            e.getCause().getClass().getName(), String.valueOf(e.getCause().getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StatesError(
            "States.Runtime", "interrupted while running task " + request.stateName());
      }
    }
  }

  private static String idempotencyToken(ExecutionRow e, int attempt) {
    return e.arn + "/" + e.currentState + "/" + e.enteredEventId + "/" + attempt;
  }

  private static void retryCount(ExecutionRow e) {
    JsonNode state = e.context.get("State");
    if (state instanceof ObjectNode s) {
      s.put("RetryCount", e.retry.attempt());
    }
  }

  private JsonNode invoke(TaskRequest request) {
    DurableTaskHandler handler = handler(request.resource());
    if (handler == null) {
      throw new StatesError(
          "States.TaskFailed", "no task handler is registered for resource " + request.resource());
    }
    try {
      return handler.invoke(request);
    } catch (RuntimeException e) {
      throw asStatesError(e);
    }
  }

  /** The handler bound to {@code resource}, else the HTTP tasks or the catch-all; null if none. */
  private DurableTaskHandler handler(String resource) {
    DurableTaskHandler handler = handlers.get(resource);
    if (handler == null && resource.endsWith(CALLBACK)) {
      handler = handlers.get(resource.substring(0, resource.length() - CALLBACK.length()));
    }
    if (handler == null && HttpTasks.handles(resource)) {
      handler = http;
    }
    return handler == null ? handlers.get(ANY_RESOURCE) : handler;
  }

  /** A handler's exception as the task's error: its class name, unless it names one itself. */
  private static StatesError asStatesError(RuntimeException e) {
    return e instanceof StatesError error
        ? error
        : new StatesError(e.getClass().getName(), e.getMessage());
  }

  /** Calls the handler of a parked {@code .waitForTaskToken} task (at-least-once). */
  private boolean dispatch(WorkQueue.Work w) {
    JsonNode p = w.payload;
    String token = p.path("token").asText();
    TaskRequest request =
        new TaskRequest(
            w.arn,
            p.path("state").asText(),
            p.path("resource").asText(),
            p.get("input"),
            p.path("attempt").asInt(),
            p.path("idempotencyToken").asText(),
            token);
    StatesError failure = null;
    try {
      invoke(request);
    } catch (StatesError e) {
      failure = e;
    }
    StatesError taskFailure = failure;
    return transactions.inTransaction(
        c -> {
          if (!WorkQueue.owns(c, w)) {
            return false;
          }
          WorkQueue.delete(c, w.id);
          if (taskFailure == null) {
            return false;
          }
          String[] parked = takeToken(c, token);
          if (parked == null) {
            return false;
          }
          ExecutionRow e = ExecutionRow.lock(c, w.arn);
          if (e == null || e.status != ExecutionStatus.RUNNING) {
            return false;
          }
          JsonNode machine = machine(c, e);
          retryCount(e);
          e.event(
              "TaskFailed",
              clock.instant(),
              Events.taskFailed(parked[1], taskFailure.error(), taskFailure.causeText()));
          metrics.task("failed");
          apply(
              c,
              e,
              machine,
              null,
              interpreter.taskFailed(
                  machine, e.currentState, e.currentInput, e.context, taskFailure, e.retry));
          return false;
        });
  }

  /** AFTER_WAIT, BRANCHES_DONE, TIMEOUT and TOKEN_TIMEOUT work, in one transaction. */
  private boolean settle(Connection c, WorkQueue.Work w) throws SQLException {
    ExecutionRow e = owned(c, w);
    if (e == null) {
      return false;
    }
    Instant now = clock.instant();
    JsonNode machine = machine(c, e);
    switch (w.kind) {
      case "AFTER_WAIT" -> {
        return apply(c, e, machine, w, decision(w.payload));
      }
      case "BRANCHES_DONE" -> {
        if (e.childrenPrefix == null || e.pendingChildren > 0) {
          WorkQueue.delete(c, w.id);
          return false;
        }
        List<Decision.BranchOutcome> outcomes = outcomes(c, e);
        boolean allSucceeded =
            outcomes.stream().allMatch(o -> o instanceof Decision.BranchOutcome.Succeeded);
        String type = machine.get("States").get(e.currentState).path("Type").asText();
        e.event(type + (allSucceeded ? "StateSucceeded" : "StateFailed"), now, Events.none());
        e.childrenPrefix = null;
        retryCount(e);
        return apply(
            c,
            e,
            machine,
            w,
            interpreter.branchesCompleted(
                machine, e.currentState, e.currentInput, e.context, outcomes, e.retry));
      }
      case "TIMEOUT" -> {
        WorkQueue.delete(c, w.id);
        finish(
            c,
            e,
            ExecutionStatus.TIMED_OUT,
            null,
            "States.Timeout",
            "The execution timed out after its TimeoutSeconds",
            "ExecutionTimedOut",
            Events.errorDetails(
                "executionTimedOutEventDetails",
                "States.Timeout",
                "The execution timed out after its TimeoutSeconds"),
            now);
        abortDescendants(c, e.arn, now);
        return false;
      }
      case "TOKEN_TIMEOUT" -> {
        String token = w.payload.path("token").asText();
        StatesError timeout = new StatesError("States.Timeout", null);
        if (w.payload.has("heartbeatMillis")) {
          Duration beat = Duration.ofMillis(w.payload.get("heartbeatMillis").asLong());
          Instant last = lastHeartbeat(c, token);
          if (last != null && last.plus(beat).isAfter(now)) {
            return queue.reschedule(
                c, e.arn, w, "TOKEN_TIMEOUT", last.plus(beat), w.payload, false);
          }
          timeout = new StatesError("States.HeartbeatTimeout", null);
        }
        WorkQueue.delete(c, w.id);
        String[] parked = takeToken(c, token);
        if (parked == null) {
          return false;
        }
        e.event(
            "TaskTimedOut",
            now,
            Events.taskTimedOut(parked[1], timeout.error(), timeout.causeText()));
        metrics.task("timed_out");
        retryCount(e);
        apply(
            c,
            e,
            machine,
            null,
            interpreter.taskFailed(
                machine, e.currentState, e.currentInput, e.context, timeout, e.retry));
        return false;
      }
      default -> {
        log.warn("dropping unknown states work kind {} of {}", w.kind, w.arn);
        WorkQueue.delete(c, w.id);
        return false;
      }
    }
  }

  // ---------------------------------------------------------------- decisions

  /**
   * Carries out {@code d} for execution {@code e} inside transaction {@code c}. {@code w} is the
   * claimed work row to reuse (null outside a worker: new work rows are inserted). Returns true
   * when the worker should go on stepping the same execution under the same claim.
   */
  private boolean apply(
      Connection c, ExecutionRow e, JsonNode machine, WorkQueue.Work w, Decision d)
      throws SQLException {
    Instant now = clock.instant();
    String type = machine.get("States").get(e.currentState).path("Type").asText();
    switch (d) {
      case Decision.Next n -> {
        e.event(type + "StateExited", now, Events.stateExited(e.currentState, n.output()));
        enter(e, machine, n.state(), n.output(), now);
        e.save(c);
        return queue.reschedule(c, e.arn, w, "STEP", now, null, true);
      }
      case Decision.Succeed s -> {
        e.event(type + "StateExited", now, Events.stateExited(e.currentState, s.output()));
        finish(
            c,
            e,
            ExecutionStatus.SUCCEEDED,
            s.output(),
            null,
            null,
            "ExecutionSucceeded",
            Events.executionSucceeded(s.output()),
            now);
        return false;
      }
      case Decision.Fail f -> {
        finish(
            c,
            e,
            ExecutionStatus.FAILED,
            null,
            f.error(),
            f.cause(),
            "ExecutionFailed",
            Events.errorDetails("executionFailedEventDetails", f.error(), f.cause()),
            now);
        return false;
      }
      case Decision.Wait wait -> {
        if (wait.duration().isZero() || wait.duration().isNegative()) {
          return apply(c, e, machine, w, wait.then());
        }
        e.save(c);
        return queue.reschedule(
            c, e.arn, w, "AFTER_WAIT", now.plus(wait.duration()), decisionJson(wait.then()), false);
      }
      case Decision.Retry r -> {
        e.retry = r.retry();
        e.save(c);
        return queue.reschedule(c, e.arn, w, "STEP", now.plus(r.delay()), null, false);
      }
      case Decision.InvokeTask t -> {
        return park(c, e, machine, w, t, now);
      }
      case Decision.RunBranches b -> {
        return fork(c, e, machine, w, b, type, now);
      }
    }
  }

  private boolean park(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.InvokeTask t,
      Instant now)
      throws SQLException {
    String token = e.context.path("Task").path("Token").asText(null);
    if (token == null) {
      token = newToken();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into states_task_tokens (token, execution_arn, state_name, resource,"
                + " created_at) values (?, ?, ?, ?, ?) on conflict (token) do nothing")) {
      ps.setString(1, token);
      ps.setString(2, e.arn);
      ps.setString(3, e.currentState);
      ps.setString(4, t.resource());
      ps.setTimestamp(5, Timestamp.from(now));
      ps.executeUpdate();
    }
    e.event(
        "TaskScheduled",
        now,
        Events.taskScheduled(t.resource(), t.payload(), seconds(t.timeout())));
    e.event("TaskStarted", now, Events.taskStarted(t.resource()));
    e.save(c);
    if (t.timeout() != null) {
      ObjectNode p = F.objectNode();
      p.put("token", token);
      WorkQueue.insert(c, e.arn, "TOKEN_TIMEOUT", now.plus(t.timeout()), p);
    }
    if (t.heartbeat() != null) {
      ObjectNode p = F.objectNode();
      p.put("token", token);
      p.put("heartbeatMillis", t.heartbeat().toMillis());
      WorkQueue.insert(c, e.arn, "TOKEN_TIMEOUT", now.plus(t.heartbeat()), p);
    }
    ObjectNode p = F.objectNode();
    p.put("token", token);
    p.put("state", e.currentState);
    p.put("resource", t.resource());
    p.set("input", t.payload());
    p.put("attempt", t.retry().attempt());
    p.put("idempotencyToken", idempotencyToken(e, t.retry().attempt()));
    return queue.reschedule(c, e.arn, w, "DISPATCH", now, p, true);
  }

  private boolean fork(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.RunBranches b,
      String type,
      Instant now)
      throws SQLException {
    e.retry = b.retry();
    if (b.branches().isEmpty()) {
      return apply(
          c,
          e,
          machine,
          w,
          interpreter.branchesCompleted(
              machine, e.currentState, e.currentInput, e.context, List.of(), b.retry()));
    }
    boolean map = "Map".equals(type);
    e.event(
        type + "StateStarted",
        now,
        map ? Events.mapStateStarted(b.branches().size()) : Events.none());
    String prefix = e.arn + "/" + e.lastEventId + "/";
    JsonNode state = machine.get("States").get(e.currentState);
    String statePointer = e.pointer + "/States/" + escape(e.currentState);
    int maxConcurrency = map ? state.path("MaxConcurrency").asInt(0) : 0;
    int i = 0;
    for (Decision.Branch branch : b.branches()) {
      ExecutionRow child = new ExecutionRow();
      child.arn = prefix + i;
      child.name = e.name + "/" + e.currentState + "/" + i;
      child.machineName = e.machineName;
      child.machineVersion = e.machineVersion;
      child.pointer =
          statePointer
              + (map
                  ? (state.has("ItemProcessor") ? "/ItemProcessor" : "/Iterator")
                  : "/Branches/" + i);
      child.parentArn = e.arn;
      child.branchIndex = i;
      child.status = ExecutionStatus.RUNNING;
      child.input = branch.input();
      child.startDate = now;
      child.context = branch.context();
      child.event("ExecutionStarted", now, Events.executionStarted(branch.input(), null));
      enter(
          child, branch.machine(), branch.machine().path("StartAt").asText(), branch.input(), now);
      child.insert(c);
      if (maxConcurrency > 0 && i >= maxConcurrency) {
        ObjectNode queued = F.objectNode();
        queued.put("parent", e.arn);
        WorkQueue.insert(c, child.arn, "QUEUED", WorkQueue.NEVER, queued);
      } else {
        WorkQueue.insert(c, child.arn, "STEP", now, null);
      }
      if (map) {
        e.event(
            "MapIterationStarted",
            now,
            Events.mapIteration("mapIterationStartedEventDetails", e.currentState, i));
      }
      i++;
    }
    e.childrenPrefix = prefix;
    e.pendingChildren = b.branches().size();
    e.save(c);
    if (w != null) {
      WorkQueue.delete(c, w.id);
    }
    return false;
  }

  private static String escape(String pointerSegment) {
    return pointerSegment.replace("~", "~0").replace("/", "~1");
  }

  private void finish(
      Connection c,
      ExecutionRow e,
      ExecutionStatus status,
      JsonNode output,
      String error,
      String cause,
      String eventType,
      JsonNode details,
      Instant now)
      throws SQLException {
    e.status = status;
    e.output = output;
    e.error = error;
    e.cause = cause;
    e.stopDate = now;
    e.event(eventType, now, details);
    e.save(c);
    for (String sql :
        List.of(
            "delete from states_work where execution_arn = ?",
            "delete from states_task_tokens where execution_arn = ?")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, e.arn);
        ps.executeUpdate();
      }
    }
    if (e.parentArn != null) {
      notifyParent(c, e, now);
    } else {
      completed(c, e.toExecution());
    }
  }

  private void completed(Connection c, Execution e) throws SQLException {
    metrics.ended(e);
    CompletionListener listener = listeners.get(e.stateMachineName());
    if (listener != null) {
      listener.completed(c, e);
    }
  }

  private void notifyParent(Connection c, ExecutionRow child, Instant now) throws SQLException {
    ExecutionRow p = ExecutionRow.lock(c, child.parentArn);
    if (p == null
        || p.status != ExecutionStatus.RUNNING
        || p.childrenPrefix == null
        || !child.arn.startsWith(p.childrenPrefix)) {
      return;
    }
    p.pendingChildren--;
    JsonNode machine = machine(c, p);
    if ("Map".equals(machine.get("States").get(p.currentState).path("Type").asText())) {
      boolean ok = child.status == ExecutionStatus.SUCCEEDED;
      p.event(
          ok ? "MapIterationSucceeded" : "MapIterationFailed",
          now.plusNanos(1_000), // after the iteration's last event in the same transaction
          Events.mapIteration(
              ok ? "mapIterationSucceededEventDetails" : "mapIterationFailedEventDetails",
              p.currentState,
              child.branchIndex));
    }
    if (p.pendingChildren > 0 && child.status != ExecutionStatus.SUCCEEDED && settled(c, p)) {
      // A failure that decides the state (any in a Parallel, an untolerated one in a Map) stops
      // the branches still running, as Step Functions does.
      try (PreparedStatement ps =
          c.prepareStatement(
              "update states_executions set status = 'ABORTED', stop_date = ?"
                  + " where parent_arn = ? and starts_with(arn, ?) and status = 'RUNNING'"
                  + " returning arn")) {
        ps.setTimestamp(1, Timestamp.from(now));
        ps.setString(2, p.arn);
        ps.setString(3, p.childrenPrefix);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            abortDescendants(c, rs.getString(1), now);
          }
        }
      }
      p.pendingChildren = 0;
    }
    if (p.pendingChildren == 0) {
      WorkQueue.insert(c, p.arn, "BRANCHES_DONE", now, null);
    } else {
      WorkQueue.startNextQueued(c, p.arn, now);
    }
    p.save(c);
  }

  /** Whether the ended branches of {@code p} already decide its Parallel or Map state. */
  private boolean settled(Connection c, ExecutionRow p) throws SQLException {
    List<Decision.BranchOutcome> ended = outcomes(c, p);
    int total;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select count(*) from states_executions where parent_arn = ? and starts_with(arn, ?)")) {
      ps.setString(1, p.arn);
      ps.setString(2, p.childrenPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        total = rs.getInt(1);
      }
    }
    return interpreter.branchesSettled(machine(c, p), p.currentState, ended, total);
  }

  /** Outcomes of the ended (not aborted) branches of {@code p}, in branch order. */
  private static List<Decision.BranchOutcome> outcomes(Connection c, ExecutionRow p)
      throws SQLException {
    List<Decision.BranchOutcome> outcomes = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select status, output, error, cause from states_executions"
                + " where parent_arn = ? and starts_with(arn, ?)"
                + " and status in ('SUCCEEDED', 'FAILED', 'TIMED_OUT') order by branch_index")) {
      ps.setString(1, p.arn);
      ps.setString(2, p.childrenPrefix);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if ("SUCCEEDED".equals(rs.getString(1))) {
            String out = rs.getString(2);
            outcomes.add(
                new Decision.BranchOutcome.Succeeded(
                    out == null ? NullNode.instance : Json.parse(out)));
          } else {
            outcomes.add(new Decision.BranchOutcome.Failed(rs.getString(3), rs.getString(4)));
          }
        }
      }
    }
    return outcomes;
  }

  /** Sets {@code e} into state {@code name} with {@code input} and records the entry. */
  private static void enter(
      ExecutionRow e, JsonNode machine, String name, JsonNode input, Instant now) {
    JsonNode state = machine.get("States").get(name);
    String type = state.path("Type").asText();
    e.currentState = name;
    e.currentInput = input;
    e.retry = RetryState.initial();
    ContextObject.enterState(e.context, name, now);
    e.context.remove("Task");
    if ("Task".equals(type) && state.path("Resource").asText().endsWith(CALLBACK)) {
      e.context.putObject("Task").put("Token", newToken());
    }
    e.enteredEventId = e.event(type + "StateEntered", now, Events.stateEntered(name, input));
    Variables.enteredEventId(e.context, e.enteredEventId);
  }

  private static String newToken() {
    return UUID.randomUUID().toString().replace("-", "")
        + UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * The (sub-)machine {@code e} runs. A version's definition never changes, so it is read and
   * parsed once per process, on {@code c}, the caller's connection (taking a second one could wait
   * forever on a saturated pool).
   */
  private JsonNode machine(Connection c, ExecutionRow e) throws SQLException {
    String key = e.machineName + ":" + e.machineVersion;
    JsonNode definition = definitions.get(key);
    if (definition == null) {
      definition = definition(c, e.machineName, e.machineVersion);
      definitions.putIfAbsent(key, definition);
    }
    return e.pointer.isEmpty() ? definition : definition.at(e.pointer);
  }

  private static JsonNode definition(Connection c, String name, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select definition from states_state_machines where name = ? and version = ?")) {
      ps.setString(1, name);
      ps.setInt(2, version);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "version " + version + " of state machine " + name + " is missing");
        }
        return Json.parse(rs.getString(1));
      }
    }
  }

  private static ObjectNode decisionJson(Decision d) {
    ObjectNode n = F.objectNode();
    switch (d) {
      case Decision.Next next -> {
        n.put("type", "Next");
        n.put("state", next.state());
        n.set("output", next.output());
      }
      case Decision.Succeed s -> {
        n.put("type", "Succeed");
        n.set("output", s.output());
      }
      default -> throw new IllegalStateException("a Wait ends only in Next or Succeed: " + d);
    }
    return n;
  }

  private static Decision decision(JsonNode n) {
    return "Next".equals(n.path("type").asText())
        ? new Decision.Next(n.path("state").asText(), n.get("output"))
        : new Decision.Succeed(n.get("output"));
  }

  // ---------------------------------------------------------------- work rows

  /** The data source (for tests and benchmarks that look at the tables). */
  public DataSource dataSource() {
    return dataSource;
  }
}
