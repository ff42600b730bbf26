package io.bulwark.states.durable.internal;

import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.CompletionListener;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskFailureListener;
import io.bulwark.states.internal.Interpreter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * The parts of a durable engine, wired together; the public {@code Engine} is the facade over them.
 * Each part does one job: the {@link MachineRegistry} keeps the state machines' versions, the
 * {@link ExecutionStore} reads executions and their histories, the {@link ExecutionControl} starts,
 * stops and redrives executions and takes task callbacks, and the {@link WorkerLoop} claims due
 * work, which a {@code StepRunner} carries out: {@code TaskInvocation} calls the tasks and {@code
 * StepSettlement} records each step with its next work. Every transaction is opened by the one
 * {@code PostgresTransactions} they share.
 *
 * @param machines the state machines' versions
 * @param catalog the machines' attributes, deletions and the tags of machines and executions
 * @param executions reads of executions and histories
 * @param control operations on executions and parked tasks
 * @param workers this process's worker threads
 * @param tasks the calls of Task states, which also say which resources may not be called
 */
public record EngineParts(
    MachineRegistry machines,
    MachineCatalog catalog,
    ExecutionStore executions,
    ExecutionControl control,
    WorkerLoop workers,
    TaskInvocation tasks) {

  /**
   * Wires the parts of an engine on {@code dataSource} (migrated with module "states").
   *
   * @param handlers task handlers by resource, for every machine
   * @param ownHandlers task handlers by machine and resource, for that machine's executions only
   * @param anyResource the handler of resources bound to none; null for none
   * @param listeners completion listeners by state machine name
   * @param taskFailures told when a Task state's failure ends a top-level execution; null for none
   * @param httpTaskHosts the hosts (or {@code host:port}) HTTP task resources may call
   * @param historyLimit the most history events of one execution
   * @param databaseClosed whether the database is gone for good (workers then stop)
   */
  public static EngineParts wire(
      DataSource dataSource,
      Map<String, DurableTaskHandler> handlers,
      Map<String, Map<String, DurableTaskHandler>> ownHandlers,
      DurableTaskHandler anyResource,
      Map<String, CompletionListener> listeners,
      TaskFailureListener taskFailures,
      Clock givenClock,
      int workerCount,
      Duration lease,
      Duration pollInterval,
      Duration httpTimeout,
      Collection<String> httpTaskHosts,
      int historyLimit,
      BooleanSupplier databaseClosed,
      MeterRegistry registry) {
    // PostgreSQL keeps microseconds: an engine that reads time in microseconds answers a start
    // with the startDate that later reads of the execution return
    Clock clock = Clock.tick(givenClock, Duration.ofNanos(1_000));
    PostgresTransactions transactions = PostgresTransactions.of(dataSource);
    EngineMetrics metrics = new EngineMetrics(registry, transactions, clock);
    Interpreter interpreter = new Interpreter(clock);
    MachineRegistry machines = new MachineRegistry(transactions, clock);
    WorkQueue queue = new WorkQueue(transactions, clock, lease);
    StepSettlement settlement =
        new StepSettlement(
            interpreter, machines, queue, metrics, listeners, taskFailures, historyLimit, clock);
    TaskInvocation tasks =
        new TaskInvocation(
            transactions,
            handlers,
            ownHandlers,
            anyResource,
            new HttpTasks(httpTimeout, httpTaskHosts));
    StepRunner runner =
        new StepRunner(transactions, interpreter, machines, queue, tasks, settlement, clock, lease);
    WorkerLoop workers =
        new WorkerLoop(transactions, queue, runner, workerCount, pollInterval, databaseClosed);
    ExecutionControl control =
        new ExecutionControl(
            transactions,
            machines,
            settlement,
            new TaskTokens(transactions, clock),
            metrics,
            clock,
            workers::wake);
    return new EngineParts(
        machines,
        new MachineCatalog(transactions, clock),
        new ExecutionStore(transactions),
        control,
        workers,
        tasks);
  }
}
