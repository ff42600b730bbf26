package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.states.durable.TaskTransaction;
import io.bulwark.states.internal.Decision;
import io.bulwark.states.internal.TaskInvoker;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Calls the durable engine's task handlers: finds the handler bound to a resource for the
 * execution's state machine (a machine's own binding, else the binding for every machine, else an
 * HTTP task for a URL, else the catch-all), builds its {@link TaskRequest} and calls it through the
 * {@link TaskInvoker} the in-memory runner uses too (timeouts, heartbeats, error names), outside
 * any transaction or, for a handler that joins it, inside the step's transaction behind a
 * savepoint.
 */
public final class TaskInvocation {
  private static final String CALLBACK = ".waitForTaskToken";

  private final Map<String, DurableTaskHandler> handlers;
  private final Map<String, Map<String, DurableTaskHandler>> ownHandlers;
  private final DurableTaskHandler anyResource;
  private final HttpTasks http;
  private final PostgresTransactions transactions;

  /**
   * Handlers by resource for every machine, {@code ownHandlers} by machine and resource for the
   * executions of that machine only, {@code anyResource} (null for none) for the resources bound to
   * none, and HTTP calls through {@code http}.
   */
  TaskInvocation(
      PostgresTransactions transactions,
      Map<String, DurableTaskHandler> handlers,
      Map<String, Map<String, DurableTaskHandler>> ownHandlers,
      DurableTaskHandler anyResource,
      HttpTasks http) {
    this.handlers = Map.copyOf(handlers);
    Map<String, Map<String, DurableTaskHandler>> own = new java.util.HashMap<>();
    ownHandlers.forEach((machine, bound) -> own.put(machine, Map.copyOf(bound)));
    this.ownHandlers = Map.copyOf(own);
    this.anyResource = anyResource;
    this.http = http;
    this.transactions = transactions;
  }

  /**
   * Why the Task resources of {@code definition}, registered as state machine {@code machine}, may
   * not be called (a URL of a scheme other than http(s), or of a host not on the HTTP task
   * allow-list), each as {@code <JSON path>: <reason>}; empty when all may.
   */
  public List<String> refusals(String machine, JsonNode definition) {
    Map<String, DurableTaskHandler> own = ownHandlers.getOrDefault(machine, Map.of());
    return http.refusals(definition, r -> bound(own, r) != null || bound(handlers, r) != null);
  }

  /** Whether {@code resource} is a {@code .waitForTaskToken} task, completed by a callback. */
  static boolean isCallback(String resource) {
    return resource.endsWith(CALLBACK);
  }

  /**
   * The handler of {@code resource} for an execution of state machine {@code machine}: the
   * machine's own binding, else the binding for every machine, else the HTTP tasks or the
   * catch-all; null if none. A machine's own binding is never seen by another machine's tasks.
   */
  DurableTaskHandler handler(String machine, String resource) {
    DurableTaskHandler handler = bound(ownHandlers.getOrDefault(machine, Map.of()), resource);
    if (handler == null) {
      handler = bound(handlers, resource);
    }
    if (handler == null && HttpTasks.handles(resource)) {
      handler = http;
    }
    return handler == null ? anyResource : handler;
  }

  private static DurableTaskHandler bound(Map<String, DurableTaskHandler> byResource, String r) {
    DurableTaskHandler handler = byResource.get(r);
    if (handler == null && isCallback(r)) {
      handler = byResource.get(r.substring(0, r.length() - CALLBACK.length()));
    }
    return handler;
  }

  /** What a handler is given for the current visit of {@code e}'s Task state. */
  static TaskRequest request(ExecutionRow e, Decision.InvokeTask t) {
    return new TaskRequest(
        e.arn,
        e.currentState,
        t.resource(),
        t.payload(),
        t.retry().attempt(),
        idempotencyToken(e, t.retry().attempt()),
        null);
  }

  /** The same for every delivery of attempt {@code attempt} of {@code e}'s current state visit. */
  static String idempotencyToken(ExecutionRow e, int attempt) {
    return e.arn + "/" + e.currentState + "/" + e.enteredEventId + "/" + attempt;
  }

  /**
   * The handler that runs task {@code t} inside the step's transaction, or null when it runs
   * outside: it is bound, has no TimeoutSeconds or HeartbeatSeconds and {@linkplain
   * DurableTaskHandler#joinsTransaction asks to join}.
   */
  DurableTaskHandler joining(String machine, Decision.InvokeTask t, TaskRequest request) {
    DurableTaskHandler handler = handler(machine, t.resource());
    return handler != null
            && t.timeout() == null
            && t.heartbeat() == null
            && handler.joinsTransaction(request)
        ? handler
        : null;
  }

  /**
   * The handler of task {@code t} when it is called outside the transaction and {@linkplain
   * DurableTaskHandler#worksAroundCall works in the transactions around the call}, else null.
   */
  DurableTaskHandler around(String machine, Decision.InvokeTask t, TaskRequest request) {
    DurableTaskHandler handler = handler(machine, t.resource());
    return handler != null && handler.worksAroundCall(request) ? handler : null;
  }

  /**
   * Calls the task of {@code request} (of an execution of {@code machine}) outside any transaction,
   * bounded by its limits: through {@code around}'s {@link DurableTaskHandler#call} with {@code
   * prepared} when it works around the call (not null), else the resource's handler.
   */
  TaskOutcome call(
      String machine,
      TaskRequest request,
      Duration timeout,
      Duration heartbeat,
      DurableTaskHandler around,
      JsonNode prepared) {
    try {
      return TaskOutcome.succeeded(
          TaskInvoker.invoke(
              request.stateName(),
              timeout,
              heartbeat,
              null,
              () -> around != null ? around.call(request, prepared) : invoke(machine, request)));
    } catch (StatesError e) {
      return TaskOutcome.ofCall(e);
    }
  }

  /** As {@link #call(String, TaskRequest, Duration, Duration, DurableTaskHandler, JsonNode)}. */
  TaskOutcome call(String machine, TaskRequest request, Duration timeout, Duration heartbeat) {
    return call(machine, request, timeout, heartbeat, null, null);
  }

  /**
   * Calls a handler that joins the step's transaction {@code c} behind a savepoint: a failure rolls
   * back what the task wrote; a success hands its after-commit actions on to the transaction.
   */
  TaskOutcome callJoined(
      Connection c, TaskRequest request, DurableTaskHandler handler, JoinedTransaction joined)
      throws SQLException {
    return inTransaction(c, request, joined, () -> handler.invoke(request, joined));
  }

  /**
   * {@code around}'s part before its call, in the step's transaction {@code c}, as a joined task.
   */
  TaskOutcome before(
      Connection c, TaskRequest request, DurableTaskHandler around, JoinedTransaction joined)
      throws SQLException {
    return inTransaction(c, request, joined, () -> around.before(request, joined));
  }

  /**
   * {@code around}'s part after its call succeeded with {@code result}, in the transaction {@code
   * c} that records the outcome, as a joined task.
   */
  TaskOutcome after(
      Connection c,
      TaskRequest request,
      DurableTaskHandler around,
      JsonNode result,
      JoinedTransaction joined)
      throws SQLException {
    return inTransaction(c, request, joined, () -> around.after(request, result, joined));
  }

  private TaskOutcome inTransaction(
      Connection c, TaskRequest request, JoinedTransaction joined, TaskInvoker.Call work)
      throws SQLException {
    Savepoint before = c.setSavepoint();
    try {
      JsonNode result = TaskInvoker.invoke(request.stateName(), null, null, null, work);
      joined.pending.forEach(transactions::afterCommit);
      return TaskOutcome.succeeded(result);
    } catch (StatesError e) {
      c.rollback(before);
      return TaskOutcome.ofCall(e);
    } finally {
      joined.pending.clear();
    }
  }

  private JsonNode invoke(String machine, TaskRequest request) {
    DurableTaskHandler handler = handler(machine, request.resource());
    if (handler == null) {
      throw new StatesError(
          "States.TaskFailed", "no task handler is registered for resource " + request.resource());
    }
    return handler.invoke(request);
  }

  /**
   * The transaction of one step as offered to tasks that join it, with what the running task wants
   * done after the commit (handed on only if it succeeds), how many more tasks may join it and how
   * many more states it may carry out after its first (a loop of joining tasks or of Pass and
   * Choice states still commits now and then, and a stop waits for at most one such transaction).
   */
  static final class JoinedTransaction implements TaskTransaction {
    private static final int TASKS_PER_TRANSACTION = 8;

    /** States after the first that one step transaction carries out at most. */
    static final int STATES_PER_TRANSACTION = 32;

    private Connection connection;
    private final List<Runnable> pending = new ArrayList<>();
    private int budget;
    private int states;

    /** Starts (or, on a retried transaction, starts again) on {@code c}. */
    JoinedTransaction begin(Connection c) {
      connection = c;
      pending.clear();
      budget = TASKS_PER_TRANSACTION;
      states = STATES_PER_TRANSACTION;
      return this;
    }

    /** Takes the place of one more state in this transaction; false when the budget is spent. */
    boolean admitState() {
      if (states == 0) {
        return false;
      }
      states--;
      return true;
    }

    /** Takes one task's place in this transaction; false when the budget is spent. */
    boolean admit() {
      if (budget == 0) {
        return false;
      }
      budget--;
      return true;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public void afterCommit(Runnable action) {
      pending.add(Objects.requireNonNull(action, "action"));
    }
  }
}
