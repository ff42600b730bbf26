package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.TaskRequest;
import io.bulwark.states.internal.Decision;
import io.bulwark.states.internal.Interpreter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one piece of claimed work: a STEP (decide the current state's move with the {@link
 * Interpreter}, call its task outside any transaction while the claim's lease is renewed — with the
 * task's own work before and after the call, if it has any, in the transactions on either side —
 * record the outcome, and go on with the next state under the same claim), a DISPATCH of a parked
 * task's handler, or a fired timer (AFTER_WAIT, BRANCHES_DONE, TIMEOUT, TOKEN_TIMEOUT). Every
 * transaction checks first that the claim still owns the work.
 */
final class StepRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

  private final PostgresTransactions transactions;
  private final Interpreter interpreter;
  private final MachineRegistry machines;
  private final WorkQueue queue;
  private final TaskInvocation tasks;
  private final StepSettlement settlement;
  private final Clock clock;
  private final Duration lease;
  private final ScheduledExecutorService renewer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "states-lease-renewer");
            t.setDaemon(true);
            return t;
          });

  StepRunner(
      PostgresTransactions transactions,
      Interpreter interpreter,
      MachineRegistry machines,
      WorkQueue queue,
      TaskInvocation tasks,
      StepSettlement settlement,
      Clock clock,
      Duration lease) {
    this.transactions = transactions;
    this.interpreter = interpreter;
    this.machines = machines;
    this.queue = queue;
    this.tasks = tasks;
    this.settlement = settlement;
    this.clock = clock;
    this.lease = lease;
  }

  /**
   * A task to call outside the transaction, as prepared for the execution's current state: with its
   * handler when that {@linkplain DurableTaskHandler#worksAroundCall works around the call} (else
   * null), and what its part before the call returned.
   */
  private record TaskCall(
      ExecutionRow snapshot,
      Decision.InvokeTask task,
      TaskRequest request,
      Instant scheduledAt,
      DurableTaskHandler around,
      JsonNode prepared) {}

  /**
   * The first move of the claimed work {@code w} inside the claim's transaction {@code c}: for a
   * STEP, its current state's move (a task to call next, or whether to go on), else null (the work
   * is carried out by {@link #process}).
   */
  Object firstMove(Connection c, WorkQueue.Work w, TaskInvocation.JoinedTransaction joined)
      throws SQLException {
    if (!"STEP".equals(w.kind)) {
      return null;
    }
    ExecutionRow e = owned(c, w);
    return e == null ? Boolean.FALSE : prepare(c, e, w, joined.begin(c));
  }

  /**
   * Carries out the claimed work {@code w} after its {@link #firstMove}, and the work that follows
   * under the same claim, while {@code goOn} says so (else the claim is released).
   */
  void process(WorkQueue.Work w, Object firstMove, BooleanSupplier goOn) {
    if (firstMove != null && !callTasks(w, firstMove, goOn)) {
      return;
    }
    boolean more = true;
    while (more) {
      if (!goOn.getAsBoolean()) {
        queue.release(w);
        return;
      }
      more =
          switch (w.kind) {
            case "STEP" -> step(w, goOn);
            case "DISPATCH" -> dispatch(w);
            default -> transactions.inNewTransaction(c -> fired(c, w));
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

  /**
   * Runs the STEP work {@code w}: decides the current state's next move and carries it out. A Task
   * is called outside any transaction; the transaction that records its outcome also decides the
   * next state's move, so a chain of tasks costs one transaction per task, not two.
   */
  private boolean step(WorkQueue.Work w, BooleanSupplier goOn) {
    TaskInvocation.JoinedTransaction joined = new TaskInvocation.JoinedTransaction();
    return callTasks(
        w,
        transactions.inNewTransaction(
            c -> {
              ExecutionRow e = owned(c, w);
              return e == null ? Boolean.FALSE : prepare(c, e, w, joined.begin(c));
            }),
        goOn);
  }

  /**
   * Calls the task {@code next} asks for, and the tasks after it, each outside any transaction;
   * returns whether the worker goes on stepping under its claim.
   */
  private boolean callTasks(WorkQueue.Work w, Object next, BooleanSupplier goOn) {
    while (next instanceof TaskCall call) {
      if (!goOn.getAsBoolean()) {
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
  private Object prepare(
      Connection c, ExecutionRow e, WorkQueue.Work w, TaskInvocation.JoinedTransaction joined)
      throws SQLException {
    JsonNode machine = machines.machine(c, e);
    Decision d = interpreter.step(machine, e.currentState, e.currentInput, e.context, e.retry);
    if (d instanceof Decision.InvokeTask t && !TaskInvocation.isCallback(t.resource())) {
      TaskRequest request = TaskInvocation.request(e, t);
      DurableTaskHandler handler = tasks.joining(e.machineName, t, request);
      e.flush(c); // the states before the task are saved before it runs, whatever it does
      if (handler == null) {
        Instant scheduledAt = clock.instant();
        DurableTaskHandler around = tasks.around(e.machineName, t, request);
        if (around == null) {
          return new TaskCall(e, t, request, scheduledAt, null, null);
        }
        TaskOutcome before = tasks.before(c, request, around, joined);
        return before.succeeded()
            ? new TaskCall(e, t, request, scheduledAt, around, before.result())
            : taskEnded(c, e, machine, w, t, scheduledAt, before, joined);
      }
      if (!joined.admit()) {
        return Boolean.TRUE; // commit what the transaction did; the next one runs this task
      }
      Instant scheduledAt = clock.instant();
      TaskOutcome outcome = tasks.callJoined(c, request, handler, joined);
      return taskEnded(c, e, machine, w, t, scheduledAt, outcome, joined);
    }
    return next(c, e, w, joined, settlement.apply(c, e, machine, w, d));
  }

  /**
   * After a state's move in transaction {@code c}: when the execution goes on stepping ({@code
   * more}), prepares its next state in the same transaction while the transaction's budget of
   * states lasts, so a run of states that call nothing outside (Pass, Choice, Wait 0, tasks that
   * join the transaction) commits once and saves the execution's row once; else saves what is left
   * unsaved and returns {@code more} (true: the next transaction goes on). Every state still
   * records its own events, in the same order.
   */
  private Object next(
      Connection c,
      ExecutionRow e,
      WorkQueue.Work w,
      TaskInvocation.JoinedTransaction joined,
      boolean more)
      throws SQLException {
    if (more && "STEP".equals(w.kind) && joined.admitState()) {
      return prepare(c, e, w, joined);
    }
    e.flush(c);
    return more;
  }

  /** Calls the task of {@code call}, records the outcome and prepares what comes next. */
  private Object call(WorkQueue.Work w, TaskCall call) {
    ExecutionRow s = call.snapshot();
    Decision.InvokeTask t = call.task();
    ScheduledFuture<?> renewal =
        renewer.scheduleAtFixedRate(
            () -> queue.renew(w),
            lease.toMillis() / 3,
            lease.toMillis() / 3,
            TimeUnit.MILLISECONDS);
    TaskOutcome outcome;
    try {
      outcome =
          tasks.call(
              s.machineName,
              call.request(),
              t.timeout(),
              t.heartbeat(),
              call.around(),
              call.prepared());
    } finally {
      renewal.cancel(false);
    }
    TaskInvocation.JoinedTransaction joined = new TaskInvocation.JoinedTransaction();
    return transactions.inNewTransaction(
        c -> {
          ExecutionRow e = owned(c, w);
          if (e == null
              || e.enteredEventId != s.enteredEventId
              || e.retry.attempt() != t.retry().attempt()) {
            return Boolean.FALSE;
          }
          TaskInvocation.JoinedTransaction j = joined.begin(c);
          TaskOutcome ended =
              call.around() != null && outcome.succeeded()
                  ? tasks.after(c, call.request(), call.around(), outcome.result(), j)
                  : outcome;
          return taskEnded(c, e, machines.machine(c, e), w, t, call.scheduledAt(), ended, j);
        });
  }

  /**
   * Records a called task in {@code e}'s history, carries out what the state machine decides next
   * and, when the execution goes on stepping, prepares its next state in the same transaction.
   */
  private Object taskEnded(
      Connection c,
      ExecutionRow e,
      JsonNode machine,
      WorkQueue.Work w,
      Decision.InvokeTask t,
      Instant scheduledAt,
      TaskOutcome outcome,
      TaskInvocation.JoinedTransaction joined)
      throws SQLException {
    e.event(
        "TaskScheduled",
        scheduledAt,
        Events.taskScheduled(t.resource(), t.payload(), StepSettlement.seconds(t.timeout())));
    e.event("TaskStarted", scheduledAt, Events.taskStarted(t.resource()));
    return next(c, e, w, joined, settlement.taskEnded(c, e, machine, w, t.resource(), outcome));
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
    // the result is ignored: the task ends with a callback; a failure to deliver ends it now
    String machine =
        p.hasNonNull("machine") // work queued before the engine recorded it: ask the execution
            ? p.get("machine").asText()
            : transactions.inNewTransaction(c -> ExecutionRow.read(c, w.arn).machineName);
    StatesError failure = tasks.call(machine, request, null, null).failure();
    return transactions.inNewTransaction(
        c -> {
          if (!WorkQueue.owns(c, w)) {
            return false;
          }
          WorkQueue.delete(c, w.id);
          if (failure == null) {
            return false;
          }
          TaskTokens.Parked parked = TaskTokens.take(c, token);
          if (parked == null) {
            return false;
          }
          ExecutionRow e = ExecutionRow.lock(c, w.arn);
          if (e == null || e.status != ExecutionStatus.RUNNING) {
            return false;
          }
          settlement.taskEnded(
              c, e, machines.machine(c, e), null, parked.resource(), TaskOutcome.failed(failure));
          return false;
        });
  }

  /** AFTER_WAIT, BRANCHES_DONE, TIMEOUT and TOKEN_TIMEOUT work, in one transaction. */
  private boolean fired(Connection c, WorkQueue.Work w) throws SQLException {
    ExecutionRow e = owned(c, w);
    if (e == null) {
      return false;
    }
    JsonNode machine = machines.machine(c, e);
    switch (w.kind) {
      case "AFTER_WAIT" -> {
        boolean more = settlement.apply(c, e, machine, w, StepSettlement.afterWait(w.payload));
        e.flush(c);
        return more;
      }
      case "BRANCHES_DONE" -> {
        if (e.childrenPrefix == null || e.pendingChildren > 0) {
          WorkQueue.delete(c, w.id);
          return false;
        }
        boolean more = settlement.branchesDone(c, e, machine, w);
        e.flush(c);
        return more;
      }
      case "TIMEOUT" -> {
        WorkQueue.delete(c, w.id);
        settlement.timedOut(c, e);
        return false;
      }
      case "TOKEN_TIMEOUT" -> {
        return tokenTimeout(c, e, machine, w);
      }
      default -> {
        log.warn("dropping unknown states work kind {} of {}", w.kind, w.arn);
        WorkQueue.delete(c, w.id);
        return false;
      }
    }
  }

  /**
   * A parked task's TimeoutSeconds or HeartbeatSeconds may have run out: fails it with {@code
   * States.Timeout} or {@code States.HeartbeatTimeout}, unless a heartbeat came in time (then
   * checks again one heartbeat interval after it).
   */
  private boolean tokenTimeout(Connection c, ExecutionRow e, JsonNode machine, WorkQueue.Work w)
      throws SQLException {
    String token = w.payload.path("token").asText();
    StatesError timeout = new StatesError("States.Timeout", null);
    if (w.payload.has("heartbeatMillis")) {
      Duration beat = Duration.ofMillis(w.payload.get("heartbeatMillis").asLong());
      Instant last = TaskTokens.lastHeartbeat(c, token);
      if (last != null && last.plus(beat).isAfter(clock.instant())) {
        return queue.reschedule(c, e.arn, w, "TOKEN_TIMEOUT", last.plus(beat), w.payload, false);
      }
      timeout = new StatesError("States.HeartbeatTimeout", null);
    }
    WorkQueue.delete(c, w.id);
    TaskTokens.Parked parked = TaskTokens.expire(c, token, clock.instant());
    if (parked == null) {
      return false;
    }
    settlement.taskEnded(c, e, machine, null, parked.resource(), TaskOutcome.timedOut(timeout));
    return false;
  }

  @Override
  public void close() {
    renewer.shutdownNow();
  }
}
